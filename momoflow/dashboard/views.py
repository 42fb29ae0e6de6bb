from flask import render_template
from flask_login import current_user, login_required

from momoflow.dashboard import bp
from momoflow.flows import progress
from momoflow.workflows import queries


INBOX_PREVIEW = 3
FLOWS_PREVIEW = 3


@bp.get("/")
@login_required
def index():
    waiting = queries.list_requests(current_user, queries.ListQuery(view="approve", limit=INBOX_PREVIEW))
    flows = progress.open_flows(current_user, FLOWS_PREVIEW)
    return render_template("dashboard/index.html", user=current_user, waiting=waiting, flows=flows)
