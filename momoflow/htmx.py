"""Every htmx header detail in one place."""

import json

from flask import flash, make_response, redirect, render_template, request

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


# --- the tail every page action shares ----------------------------------------------


def toast(message, category="success"):
    """An out-of-band toast to append to any htmx response."""
    return render_template("_toast_oob.html", message=message, category=category)


def page_or_partial(page_template, partial_template, status=200, message=None, **context):
    """The whole page, or for htmx only its partial (plus a toast saying ``message``, if
    any): the one answer to a form that was refused or a panel that changed."""
    if is_htmx_request():
        html = render_template(partial_template, **context)
        return (html + toast(message) if message else html), status
    return render_template(page_template, **context), status


def done(message, url):
    """After a change: on to ``url``, where ``message`` shows as a toast (for htmx a full
    page load, otherwise a 303)."""
    flash(message, "success")
    if is_htmx_request():
        return redirect_response(url, make_response("", 204))
    return redirect(url, 303)
