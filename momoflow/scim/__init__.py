"""SCIM 2.0 provisioning (RFC 7643/7644) at ``/scim/v2``, for Okta and Microsoft Entra ID.

Every request needs ``Authorization: Bearer <provisioning token>`` of one organisation
(``scim.tokens``); it sees and changes that organisation's people only. Errors come out
in SCIM's error schema (``errors.json_error``'s ``scim`` style), answers as
``application/scim+json``. Requests are limited per token (``SCIM_RATE_LIMIT``).
"""

from flask import Blueprint, current_app, g, request
from flask_limiter.util import get_remote_address

from momoflow.errors import Unauthorized
from momoflow.extensions import limiter
from momoflow.scim import tokens

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")

INVALID_TOKEN = "Invalid or missing provisioning token"


def current_token():
    """The active provisioning token this request carries, or None (looked up once)."""
    if "scim_token" not in g:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        g.scim_token = tokens.token_for(secret.strip()) if scheme.lower() == "bearer" else None
    return g.scim_token


def _rate_limit_key():
    token = current_token()
    return f"scim-token:{token.id}" if token else f"address:{get_remote_address()}"


limiter.shared_limit(lambda: current_app.config["SCIM_RATE_LIMIT"], scope="scim", key_func=_rate_limit_key)(bp)


@bp.before_request
def _require_token():
    token = current_token()
    if token is None:
        raise Unauthorized(INVALID_TOKEN)
    tokens.note_use(token)
