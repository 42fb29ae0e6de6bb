"""Sign-in attempt limits, shared by the page and the API so neither is a way around the other.

Guessing must be slow, but nobody may lock a person out from addresses that are not theirs:

- per source address, ``LOGIN_RATE_LIMIT``: every attempt, whatever the email (this also
  bounds the attempts at one email from one address);
- per email from anywhere, ``LOGIN_RATE_LIMIT_PER_EMAIL``: a slower backstop against
  guessing one person's password from many addresses. Only failed attempts count, and a
  browser that has signed in as that person before (it holds a signed cookie saying so)
  is never held by it, so an attack on someone's email keeps them out only of browsers
  they never used.
"""

import hashlib
import hmac

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from momoflow import fields
from momoflow.accounts.emails import normalize_email
from momoflow.extensions import limiter

KNOWN_BROWSER_COOKIE = "known_sign_in"
KNOWN_BROWSER_DAYS = 365
_SIGN_IN_OK = (200, 302, 303)  # the API's token, the page's redirect onwards


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _per_email_limit():
    return current_app.config["LOGIN_RATE_LIMIT_PER_EMAIL"]


def _attempted_email():
    """The email this sign-in names, read once per request (the key and the exemption ask)."""
    if "attempted_email" not in g:
        data = request.form
        if request.is_json:
            try:
                data = fields.json_document(request.get_data(cache=True))
            except fields.NotJson:
                data = None  # the view refuses it; the attempt still counts against the address
        email = data.get("email") if hasattr(data, "get") else None  # a JSON list has no "email"
        g.attempted_email = normalize_email(email)
    return g.attempted_email


def _email_key():
    return f"email:{_attempted_email() or '-'}"


def _failed(response):
    return response.status_code not in _SIGN_IN_OK


def throttle_sign_in(view):
    by_address = limiter.shared_limit(_login_limit, scope="sign-in-address", methods=["POST"])
    by_email = limiter.shared_limit(_per_email_limit, scope="sign-in-email", key_func=_email_key,
                                    methods=["POST"], deduct_when=_failed, exempt_when=_from_known_browser)
    return by_address(by_email(view))


def remember_browser(response, email):
    """Mark this browser as one ``email`` signed in from, for the per-email backstop."""
    config = current_app.config
    response.set_cookie(KNOWN_BROWSER_COOKIE, _serializer().dumps(_digest(email)),
                        max_age=KNOWN_BROWSER_DAYS * 86400, secure=config["SESSION_COOKIE_SECURE"],
                        httponly=True, samesite=config["SESSION_COOKIE_SAMESITE"])
    return response


def _from_known_browser():
    cookie = request.cookies.get(KNOWN_BROWSER_COOKIE)
    email = _attempted_email()
    if not cookie or not email:
        return False
    try:
        known = _serializer().loads(cookie, max_age=KNOWN_BROWSER_DAYS * 86400)
    except BadSignature:
        return False
    return hmac.compare_digest(str(known), _digest(email))


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="momoflow known sign-in browser")


def _digest(email):
    # The cookie names the person by a keyed hash, so a shared computer does not show whose it was.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, normalize_email(email).encode(), hashlib.sha256).hexdigest()[:32]
