"""The integrator API at ``/v1`` (the flow assignment seed's API).

Every request needs ``Authorization: Bearer <API key>``: a key that is neither revoked
nor expired (else 401), holding the scope the route declares (``scopes``; else 403). Rate limits are per key
and per the key's organisation tier, counted over every request the key makes and
shared by all processes through Flask-Limiter's storage (Redis when configured);
every answer says where the caller stands in ``X-RateLimit-*`` headers. Errors
come out as ``{"error": code, "message"}`` through ``momoflow.errors``.
"""

import functools

from flask import Blueprint, current_app, g, request
from flask_limiter.util import get_remote_address

from momoflow.accounts.models import Tier
from momoflow.apikeys.services import api_key_for, last_use_is_due, note_use
from momoflow.errors import Unauthorized
from momoflow.extensions import limiter
from momoflow.integrator.scopes import check_scope
from momoflow.transactions import keep_even_if_refused

bp = Blueprint("integrator", __name__, url_prefix="/v1")

INVALID_KEY = "Invalid or missing API key"


def current_api_key():
    """The active API key this request carries, or None (looked up once per request)."""
    if "api_key" not in g:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        g.api_key = api_key_for(secret.strip()) if scheme.lower() == "bearer" else None
    return g.api_key


def _rate_limit_key():
    api_key = current_api_key()
    # Requests without a valid key are limited by address, so guessing keys is slow too.
    return f"api-key:{api_key.id}" if api_key else f"address:{get_remote_address()}"


def _tier_limit(setting):
    api_key = current_api_key()
    tier = api_key.tier if api_key else Tier.STANDARD
    return current_app.config[f"{setting}_{tier.value.upper()}"]


# Shared: one count per key across every /v1 route, not one per route.
limiter.shared_limit(lambda: _tier_limit("API_RATE_LIMIT"), scope="integrator-api", key_func=_rate_limit_key)(bp)


def report_rate_limit(view):
    """Reports count in a bucket of their own instead of the shared one (a route's own limit
    replaces the blueprint's), per key and tier; a report over many rows adds to its count
    (``ratelimit.charge_more``).

    Flask-Limiter checks a route's own limit when the view is called, after the blueprint's
    ``before_request``; so such a view authenticates itself, inside the limit, and its 401s
    and 403s are counted (by address, without a key) and carry ``X-RateLimit-*`` like others."""
    @functools.wraps(view)
    def authenticated(*args, **kwargs):
        _authenticate()
        return view(*args, **kwargs)

    authenticated.authenticates_itself = True
    return limiter.limit(lambda: _tier_limit("API_REPORT_RATE_LIMIT"), scope="integrator-reports",
                         key_func=_rate_limit_key)(authenticated)


def signed_link_allowed(view):
    """Let a request without an API key reach ``view`` if it carries a link's ``signature``
    (an export's download link); the view checks the signature itself."""
    view.allows_signed_link = True
    return view


@bp.before_request
def _require_api_key():
    if not getattr(current_app.view_functions[request.endpoint], "authenticates_itself", False):
        _authenticate()


def _authenticate():
    """A usable key holding the route's scope (401, 403), or a signed link where allowed."""
    view = current_app.view_functions[request.endpoint]
    api_key = current_api_key()
    if api_key is None:
        if getattr(view, "allows_signed_link", False) and "signature" in request.args:
            return
        raise Unauthorized(INVALID_KEY)
    if last_use_is_due(api_key):
        # Kept even when the answer is a refusal: the key was used all the same. The
        # address is the limiter's: the client's, behind TRUSTED_PROXIES (ProxyFix).
        address = get_remote_address()
        keep_even_if_refused(lambda: note_use(api_key, address))
    check_scope(api_key, view)


@bp.after_request
def _rate_limit_headers(response):
    limit = limiter.current_limit
    if limit is not None:
        response.headers["X-RateLimit-Limit"] = str(limit.limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(max(limit.remaining, 0))
        response.headers["X-RateLimit-Reset"] = str(limit.reset_at)
    request_id = request.headers.get("X-Request-ID")
    if request_id and len(request_id) <= 255:
        response.headers["X-Request-ID"] = request_id
    return response
