"""Sign-in attempt limits, shared by the page and the API so neither is a way around the other."""

from flask import current_app, request

from momoflow import fields
from momoflow.accounts.emails import normalize_email
from momoflow.extensions import limiter


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _attempted_email():
    data = request.form
    if request.is_json:
        try:
            data = fields.json_document(request.get_data(cache=True))
        except fields.NotJson:
            data = None  # the view refuses it; the attempt still counts against the address
    email = data.get("email") if hasattr(data, "get") else None  # a JSON list has no "email"
    return f"email:{normalize_email(email) or '-'}"


def throttle_sign_in(view):
    by_address = limiter.shared_limit(_login_limit, scope="sign-in-address", methods=["POST"])
    by_email = limiter.shared_limit(_login_limit, scope="sign-in-email", key_func=_attempted_email,
                                    methods=["POST"])
    return by_address(by_email(view))
