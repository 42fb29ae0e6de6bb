"""The list pages: the inbox ("To approve"), my requests, watching and all requests.

Pages come from ``queries.list_requests`` (keyset pagination, one query); "Load more"
asks for the next page with htmx and appends it, and is a plain link without JS. Each
has a search box (``q``, ``workflows.search``) that "Load more" keeps.
"""

from flask import render_template, request, url_for
from flask_login import current_user

from momoflow.errors import ValidationFailed
from momoflow.htmx import is_htmx_request
from momoflow.workflows import queries
from momoflow.workflows.documents import attachment_counts
from momoflow.workflows.models import Priority, RequestStatus
from momoflow.workflows import bp

LISTS = {
    "mine": {
        "heading": "My requests",
        "intro": "Requests you raised, newest first.",
        "empty_title": "You haven't raised any requests yet.",
        "empty_text": "Raise one to send it through its approval levels; you'll follow its progress here.",
    },
    "watching": {
        "heading": "Watching",
        "intro": "Requests you were added to as a spectator, newest first.",
        "empty_title": "You're not watching any requests.",
        "empty_text": "When someone adds you as a spectator, their request appears here.",
    },
    "all": {
        "heading": "All requests",
        "intro": "Every request in your organisation, newest first.",
        "empty_title": "No requests yet.",
        "empty_text": "Requests raised by anyone in your organisation will appear here.",
    },
}


NEEDING_SHOWN = 20  # an admin's "needs a new approver" list: the oldest requests first
SEARCH_SHOWN = 400  # characters of a refused search shown back in its box


@bp.get("/inbox")
def inbox():
    return inbox_page()


def inbox_page(status=200, **bulk):
    """The inbox; ``bulk`` is what the bulk bar shows (``bulk_state``, ``bulk_outcomes``)
    when a plain post of it answers with the whole page."""
    page, problems, more_url = _page("approve", "workflows.inbox")
    attachments = attachment_counts([item.request.id for item in page.items])
    if is_htmx_request() and request.args.get("cursor"):
        return _more(page, more_url, "inbox-list", "workflows/_inbox_item.html", attachments=attachments)
    needing = []
    if current_user.is_admin and not request.args.get("q"):  # a search shows its matches alone
        needing = queries.tasks_needing_an_approver(current_user, NEEDING_SHOWN)
    return render_template("workflows/inbox.html", page=page, problems=problems, more_url=more_url,
                           needing=needing, q=_search_text(), attachments=attachments,
                           **bulk), 400 if problems else status


@bp.get("/requests")
def my_requests():
    return _list("mine")


@bp.get("/watching")
def watching():
    return _list("watching")


@bp.get("/requests/all")
def all_requests():
    return _list("all")


def _list(view):
    page, problems, more_url = _page(view)
    if is_htmx_request() and request.args.get("cursor"):
        return _more(page, more_url, "request-list", "workflows/_request_row.html")
    filters = {name: (request.args.get(name) or "").upper() for name in ("status", "priority")}
    filters["q"] = _search_text()
    return render_template("workflows/list.html", view=view, page=page, problems=problems, more_url=more_url,
                           filters=filters, statuses=list(RequestStatus), priorities=list(Priority),
                           **LISTS[view]), 400 if problems else 200


def _search_text():
    """The search box's text as typed, for showing it again (bounded: it may be refused)."""
    return (request.args.get("q") or "")[:SEARCH_SHOWN]


def _page(view, endpoint=None):
    """``(page, problems, more_url)``; bad arguments give an empty page and their problems.
    "Load more" links to ``endpoint`` (default: this request's)."""
    args = {"view": view, "cursor": request.args.get("cursor"), "q": request.args.get("q")}
    if view != "approve":
        args.update(status=request.args.get("status"), priority=request.args.get("priority"))
    try:
        query = queries.parse_list_query(args)
    except ValidationFailed as error:
        return queries.Page([], None, queries.ListQuery(view)), error.problems, None
    page = queries.list_requests(current_user, query)
    more_url = None
    if page.next_cursor:
        kept = {name: value for name, value in args.items() if value and name not in ("view", "cursor")}
        more_url = url_for(endpoint or request.endpoint, cursor=page.next_cursor, **kept)
    return page, [], more_url


def _more(page, more_url, list_id, item_template, **context):
    return render_template("workflows/_more_items.html", page=page, more_url=more_url, list_id=list_id,
                           item_template=item_template, oob=False, **context)
