"""Domain errors and how each surface renders them.

Services raise ``DomainError`` subclasses naming the offending field; nothing else
decides status codes or wording. Two JSON shapes exist because the seed documents
fix them: ``/api/v1`` answers ``{"success": false, "error", "details"}`` and the
integrator API ``/v1`` answers ``{"error": code, "message"}``. Pages render an HTML
error page (or, for forms, put the message next to the field).
"""

import logging
import math
import time

from flask import jsonify, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from momoflow.extensions import limiter
from momoflow.htmx import is_htmx_request, trigger_event

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    code = "bad_request"  # /v1 "error"
    title = "Bad request"  # /api/v1 "error"

    def __init__(self, message, field=None, *, title=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = {}  # more fields for the JSON answer (e.g. the existing assignmentId)
        if title:
            self.title = title


class ValidationFailed(DomainError):
    """One or more fields are invalid; the message lists them as ``path: message; …``."""

    code = "validation_error"
    title = "Validation failed"

    def __init__(self, problems):
        self.problems = list(problems)  # [(field path, message)]
        message = "; ".join(f"{field}: {text}" for field, text in self.problems)
        super().__init__(message, field=self.problems[0][0] if self.problems else None)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"


# --- rendering ---------------------------------------------------------------------

HTTP_TITLES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    429: ("rate_limit_exceeded", "Too many requests"),
    500: ("internal_error", "Internal server error"),
}


SCIM_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def api_style():
    """Which JSON shape the current request expects, or None for HTML."""
    path = request.path
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/v1/") or path == "/v1":
        return "integrator"
    if path.startswith("/scim/"):
        return "scim"
    return None


def json_error(status, code, title, message, style=None, **extra):
    style = style or api_style() or "api"
    if style == "scim":  # RFC 7644 §3.12
        scim_type = extra.get("scimType")
        body = {"schemas": [SCIM_ERROR], "status": str(status), "detail": message,
                **({"scimType": scim_type} if scim_type else {})}
        response = jsonify(body)
        response.mimetype = "application/scim+json"
        return response, status
    if style == "integrator":
        body = {"error": code, "message": message, **extra}
    else:
        body = {"success": False, "error": title, "details": message, **extra}
    return jsonify(body), status


def _undo_request():
    """A failed request's changes are undone before its answer renders (the owner would
    roll them back anyway; the error page's own queries need a clean transaction)."""
    from momoflow.transactions import rollback_failed_request

    rollback_failed_request()


def render_domain_error(error):
    _undo_request()
    if api_style():
        return json_error(error.status, error.code, error.title, error.message, **error.extra)
    return render_error_page(error.status, error.message)


def render_error_page(status, message=None):
    template = f"errors/{status}.html" if status in (403, 404, 429, 500) else "errors/generic.html"
    response = make_response(render_template(template, status=status, message=message), status)
    if message and is_htmx_request():
        # htmx does not swap error pages; the message reaches the person as a toast.
        trigger_event(response, "momoflow:error", message)
    return response


def _handle_http_exception(exc):
    if exc.code is None or exc.code < 400:
        return exc
    _undo_request()
    code, title = HTTP_TITLES.get(exc.code, ("error", exc.name))
    if api_style():
        return json_error(exc.code, code, title, exc.description or title)
    return render_error_page(exc.code)


def _retry_after_seconds():
    """Whole seconds until the limit this request broke lets a request through again."""
    limit = limiter.current_limit
    return max(1, math.ceil(limit.window[0] - time.time())) if limit else 60


def try_again_in(seconds):
    return f"Too many requests. Please try again in {seconds} seconds"


def _handle_rate_limited(exc):
    """A limit broken anywhere (an API key's, sign-in's): a sentence with the wait, not the
    limit's own text ("10 per 1 minute"), and a Retry-After header. The integrator API's
    body also carries ``retry_after``, as its seed shows."""
    _undo_request()
    retry_after = _retry_after_seconds()
    style = api_style()
    if style:
        extra = {"retry_after": retry_after} if style == "integrator" else {}
        code, title = HTTP_TITLES[429]
        response, _ = json_error(429, code, title, try_again_in(retry_after), **extra)
    else:
        response = render_error_page(429, f"Please wait {retry_after} seconds, then try again.")
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


def _handle_unexpected(exc):
    log.exception("unhandled error on %s %s", request.method, request.path)
    _undo_request()
    if api_style():
        return json_error(500, "internal_error", "Internal server error", "Something went wrong on our side.")
    return render_error_page(500)


def register_error_handlers(app):
    app.register_error_handler(DomainError, render_domain_error)
    app.register_error_handler(RateLimitExceeded, _handle_rate_limited)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
