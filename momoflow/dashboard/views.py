from flask import render_template
from flask_login import current_user, login_required

from momoflow.dashboard import bp
from momoflow.dashboard.reading import my_open_requests
from momoflow.flows import progress
from momoflow.workflows import queries


INBOX_PREVIEW = 3
FLOWS_PREVIEW = 3
REQUESTS_PREVIEW = 5


@bp.get("/")
@login_required
def index():
    """What waits for the person, their own open requests and their open flows: a fixed
    number of queries, however much of each there is."""
    waiting = queries.list_requests(current_user, queries.ListQuery(view="approve", limit=INBOX_PREVIEW))
    mine, more_mine = my_open_requests(current_user, REQUESTS_PREVIEW)
    flows = progress.open_flows(current_user, FLOWS_PREVIEW)
    return render_template("dashboard/index.html", user=current_user, waiting=waiting, flows=flows, mine=mine,
                           more_mine=more_mine)
