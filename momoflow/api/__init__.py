"""The browser-independent JSON API at ``/api/v1`` (the approval workflow seed's API).

Every route needs ``Authorization: Bearer <token>`` unless marked ``@public``; the
signed-in user is then ``g.api_user``. Errors come out in the seed's shape through
``momoflow.errors``. Feature packages add their routes to ``bp`` in their ``api.py``.
"""

from flask import Blueprint, current_app, g, request

from momoflow.auth.tokens import user_from_token
from momoflow.errors import Unauthorized, UnsupportedMediaType, ValidationFailed

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def public(view):
    view.is_public = True
    return view


@bp.before_request
def _require_token():
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None or getattr(view, "is_public", False):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Missing bearer token: send Authorization: Bearer <token> from /api/v1/auth/login")
    g.api_user = user_from_token(token.strip())


def json_body(*, wrong_type_status=400):
    """The request's JSON object, or a 400 (or ``wrong_type_status``) naming the problem."""
    if not request.is_json:
        message = "Content-Type must be application/json"
        if wrong_type_status == 415:
            raise UnsupportedMediaType(message, field="Content-Type")
        raise ValidationFailed([("body", message)])
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationFailed([("body", "Request body is not valid JSON")])
    if not isinstance(data, dict):
        raise ValidationFailed([("body", "Request body must be a JSON object")])
    return data
