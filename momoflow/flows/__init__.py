"""Flow assignment: flows of ordered modules, assigned to people with a due date."""

from flask import Blueprint, abort
from flask_login import login_required

bp = Blueprint("flows", __name__)  # the pages: views, manage_views, assign_views, schedule_views, analytics_views

MAX_ID_LENGTH = 64


@bp.before_request
@login_required
def _signed_in():
    """Every page here is for signed-in people."""


@bp.url_value_preprocessor
def _plausible_ids(endpoint, values):
    # Ids in URLs are looked up as text; a NUL or a novel-length id is simply not there.
    for value in (values or {}).values():
        if isinstance(value, str) and (len(value) > MAX_ID_LENGTH or "\x00" in value):
            abort(404)
