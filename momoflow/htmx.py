"""Every htmx header detail in one place."""

import json

from flask import request

HTMX_VERSION = "2.0.11"


def is_htmx_request():
    return request.headers.get("HX-Request") == "true"


def redirect_response(url, response):
    """Make ``response`` send htmx to ``url`` with a full page load instead of a swap."""
    response.headers["HX-Redirect"] = url
    return response


def trigger_event(response, name, detail):
    """Make htmx fire the event ``name`` (``event.detail.value`` is ``detail``) in the
    browser, even when the response is an error it does not swap."""
    response.headers["HX-Trigger"] = json.dumps({name: detail})  # ASCII-only: a valid header
    return response


def add_vary_header(response):
    # Pages and their partials share URLs; caches must keep them apart.
    response.vary.add("HX-Request")
    return response
