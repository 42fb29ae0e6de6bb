"""The browser-independent JSON API at ``/api/v1`` (the approval workflow seed's API).

Every route needs ``Authorization: Bearer <token>`` unless marked ``@public``; the
signed-in user is then ``g.api_user``. Errors come out in the seed's shape through
``momoflow.errors``. Feature packages add their routes to ``bp`` in their ``api.py``.
"""

import functools

from flask import Blueprint, current_app, g, request

from momoflow import fields
from momoflow.auth.tokens import UnknownTokenUser, user_from_token
from momoflow.errors import DomainError, Unauthorized, UnsupportedMediaType, ValidationFailed

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def public(view):
    view.is_public = True
    return view


def fails_as(title):
    """Report this route's refusals under ``title`` (the seed's "Failed to create workflow").

    Validation problems keep "Validation failed" and token problems their own titles.
    """
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            try:
                return view(*args, **kwargs)
            except (ValidationFailed, Unauthorized):
                raise
            except DomainError as error:
                if error.status < 500 and error.title == type(error).title:
                    error.title = title
                raise
        return wrapper
    return decorate


def checks_initiator(view):
    """Let a genuine token whose person is gone reach the view, which refuses it in the
    seed's words ("Invalid initiator: …") instead of a bare 401."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if g.api_user is None:
            raise DomainError(f"Invalid initiator: User with ID '{g.token_user_id}' not found. "
                              "Please ensure you are logged in with a valid account.")
        return view(*args, **kwargs)

    wrapper.allows_unknown_user = True
    return wrapper


MISSING_TOKEN = "Missing bearer token: send Authorization: Bearer <token> from /api/v1/auth/login"
NOT_JSON_CONTENT_TYPE = "Content-Type must be application/json"
NOT_JSON = f"Request body {fields.NOT_JSON}"


@bp.before_request
def _require_token():
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None or getattr(view, "is_public", False):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(MISSING_TOKEN)
    try:
        g.api_user = user_from_token(token.strip())
    except UnknownTokenUser as error:
        if not getattr(view, "allows_unknown_user", False):
            raise
        g.api_user, g.token_user_id = None, error.user_id


def json_body(*, wrong_type_status=400, check_text=True):
    """The request's JSON object, or a 400 (or ``wrong_type_status``) naming the problem.

    Both APIs read their bodies here, so deep nesting, bytes that are not UTF-8 and
    lone surrogates are refused once, as the caller's 400, before any field is read.
    A bulk route turns ``check_text`` off: its items' parsers refuse such text, so only
    the item holding it fails."""
    if not request.is_json:
        if wrong_type_status == 415:
            raise UnsupportedMediaType(NOT_JSON_CONTENT_TYPE, field="Content-Type")
        raise ValidationFailed([("body", NOT_JSON_CONTENT_TYPE)])
    try:
        data = fields.json_document(request.get_data(cache=True), check_text=check_text)
    except fields.NotJson as error:
        if error.path:
            raise ValidationFailed([(error.path, f"{error.path} {error.message}")]) from None
        raise ValidationFailed([("body", f"Request body {error.message}")]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([("body", "Request body must be a JSON object")])
    return data
