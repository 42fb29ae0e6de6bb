"""The directory autocomplete: ``<option>``s for the shared people ``<datalist>``."""

from flask import render_template, request
from flask_login import current_user, login_required

from momoflow.accounts import bp
from momoflow.accounts.search import search_people
from momoflow.extensions import limiter


SUGGESTIONS = 8
# Autocompleting inputs send their own value under their own name (htmx GET).
QUERY_NAMES = ("q", "email", "person", "level_email", "spectator_email", "delegate_email", "to")
# A level row's approvers (level_approver.<row key>); a template's person field (field.<key>).
QUERY_PREFIXES = ("level_approver.", "field.")


def _signed_in_user():
    return f"user:{current_user.id}"


@bp.get("/people/search")
@login_required
# Generous for typing (htmx waits 250 ms between keystrokes), but a script cannot use
# it to walk the directory.
@limiter.limit("240 per minute", key_func=_signed_in_user)
def search():
    text = next((request.args[name] for name in QUERY_NAMES if request.args.get(name)), "") or next(
        (value for name, value in request.args.items() if name.startswith(QUERY_PREFIXES) and value), "")
    people = search_people(current_user.organization, text, SUGGESTIONS)
    return render_template("people/_options.html", people=people)
