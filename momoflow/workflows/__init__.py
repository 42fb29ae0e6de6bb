"""Approval workflows: requests that pass through sequential approval levels."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("workflows", __name__)  # the pages; views.py and list_views.py add them


@bp.before_request
@login_required
def _signed_in():
    """Every page here is for signed-in people."""
