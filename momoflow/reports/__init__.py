"""Reports for people: approval analytics (``/reports/approvals``) and its JSON twin
(``/api/v1/reports/approvals/…``). Flow analytics live with the flows (``flows.analytics``)."""

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.before_request
@login_required
def _signed_in():
    """Every page here is for signed-in people (the service says which of them)."""
