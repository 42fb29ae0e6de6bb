"""The directory autocomplete: ``<option>``s for the shared people ``<datalist>``."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from momoflow.accounts.search import search_people

bp = Blueprint("people", __name__)

SUGGESTIONS = 8
# Autocompleting inputs send their own value under their own name (htmx GET).
QUERY_NAMES = ("q", "email", "level_email", "spectator_email")


@bp.get("/people/search")
@login_required
def search():
    text = next((request.args[name] for name in QUERY_NAMES if request.args.get(name)), "")
    people = search_people(current_user.organization, text, SUGGESTIONS)
    return render_template("people/_options.html", people=people)
