"""How often one person may decide in bulk, shared by the inbox page and the API so
neither is a way around the other. One bulk call can decide a hundred levels (each with
its own events and emails), so it is counted per person, whatever the items."""

from flask import current_app, g
from flask_login import current_user

from momoflow.extensions import limiter


def _bulk_limit():
    return current_app.config["BULK_DECISIONS_RATE_LIMIT"]


def _person_key():
    person = getattr(g, "api_user", None) or current_user
    return f"person:{person.id}"


def throttle_bulk_decisions(view):
    return limiter.shared_limit(_bulk_limit, scope="bulk-decisions", key_func=_person_key, methods=["POST"])(view)
