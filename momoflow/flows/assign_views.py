"""Assigning flows and following assignments: for admins and managers.

The Assign page posts once for many people and answers with a result for each
(``assigning``); the overview pages with ``queries.list_assignments`` (keyset,
one query) and "Load more", like the request lists.
"""

import secrets

from flask import render_template, request, url_for
from flask_login import current_user

from momoflow.csvfiles import csv_response
from momoflow.database import utcnow
from momoflow.errors import ValidationFailed
from momoflow.flows import access, assigning, audiences, bp, forms, from_requests, labels, queries, rules, services
from momoflow.flows.access import assigner_required
from momoflow.flows.assigning import Outcome
from momoflow.flows.schemas import iso
from momoflow.flows.services import Assigner
from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, page_or_partial
from momoflow.transactions import refusals

MAX_PEOPLE_ROWS = 50
OVERVIEW_PAGE = 25
FILTER_PROBLEMS = {  # the API's wording names its parameters; the page names its fields
    "flowId": "Choose a flow from the list.",
    "userEmail": "Enter the person's full email address, e.g. employee@company.com.",
    "q": "Enter part of the person's name or email, at most 200 characters.",
    "status": "Choose a status from the list.",
    "cursor": "That page link is no longer valid: start again from the first page.",
}


@bp.get("/flows/assign")
@assigner_required
def assign():
    values = forms.assign_values(flow_id=request.args.get("flow", "")[:100])
    return _assign_page(FormState(values=values))


@bp.post("/flows/assign")
@assigner_required
def assign_people():
    values = forms.assign_values(request.form)
    with refusals(also=(404, 503)) as refused:  # a group gone meanwhile, a directory that did not answer
        report = assigning.assign_to_people(Assigner.signed_in(current_user), forms.assign_plan(values))
    if refused:
        return _assign_page(failed(values, refused.error, forms.assign_field), status=refused.status)
    kept = forms.values_after_assigning(values, report)
    return _assign_page(FormState(values=kept), report=report, message=_summary(report))


def _assign_page(state, report=None, status=200, message=None):
    context = {"state": state, "report": report, "flows": services.list_flows(current_user.organization),
               "audiences": audiences.choices(current_user.organization), "Outcome": Outcome, "max_rows": MAX_PEOPLE_ROWS, "max_notes": rules.MAX_NOTES_LENGTH,
               "anchor": forms.assign_anchor}
    return page_or_partial("flows/assign.html", "flows/_assign_panel.html", status, message, **context)


def _summary(report):
    assigned = report.count(Outcome.ASSIGNED)
    message = f"Assigned {report.flow.name} to {assigned} {'person' if assigned == 1 else 'people'}."
    others = len(report.results) - assigned
    message += f" {others} could not be assigned (see the results)." if others else ""
    if report.rule is not None:
        message += f" People who join {report.audience} later get it too."
    return message


@bp.get("/flows/assign/person-row")
@assigner_required
def person_row():
    return render_template("flows/_person_row.html", email="", key=secrets.token_hex(4), index=None,
                           state=FormState())


# --- the overview ------------------------------------------------------------------


@bp.get("/flows/assignments")
@assigner_required
def assignments():
    return overview_page()


def overview_page(status=200, **bulk_answer):
    """The overview (or, for "Load more", its next rows); ``bulk_answer`` is what a bulk
    change posted without JavaScript shows on top (``bulk_views``)."""
    filters = _overview_filters()
    page, problems = _overview_page(filters)
    filter_args = overview_filter_args(filters)
    more_url = url_for(".assignments", cursor=page.next_cursor, **filter_args) if page.next_cursor else None
    visible = from_requests.visible_sources(current_user, [assignment for assignment, _, _ in page.rows])
    if is_htmx_request() and request.args.get("cursor"):
        return render_template("flows/_more_assignments.html", page=page, more_url=more_url, visible_requests=visible)
    flows = services.list_flows(current_user.organization, include_archived=True)
    changeable = any(access.may_manage(current_user, assignment) and assignment.is_open
                     for assignment, _, _ in page.rows)
    return render_template("flows/assignments.html", page=page, problems=problems, filters=filters, flows=flows,
                           filter_args=filter_args, more_url=more_url, visible_requests=visible,
                           show_bulk=changeable or bool(bulk_answer), max_reason=rules.MAX_REASON_LENGTH,
                           **bulk_answer), 400 if problems else status


def _overview_page(filters):
    query, problems = _overview_query(filters)
    if problems:
        return queries.AssignmentPage([], None), problems
    return queries.list_assignments(current_user.organization, query), []


def overview_filter_args(filters=None):
    """The overview's filters that are set, for its links (and the bulk bar's form)."""
    return {name: value for name, value in (filters or _overview_filters()).items() if value}


def _overview_filters():
    return {name: (request.args.get(name) or "").strip() for name in ("flow", "email", "person", "status")}


def _overview_query(filters):
    """The overview's filters as an assignment query, or ``(None, problems)``."""
    args = {"flowId": filters["flow"], "userEmail": filters["email"], "q": filters["person"],
            "status": filters["status"], "cursor": request.args.get("cursor"), "limit": OVERVIEW_PAGE}
    try:
        if len(filters["flow"]) > 100 or "\x00" in filters["flow"]:
            raise ValidationFailed([("flowId", "Choose a flow from the list")])
        return queries.parse_assignment_query(args), []
    except ValidationFailed as error:
        return None, [FILTER_PROBLEMS.get(path, message) for path, message in error.problems]


@bp.get("/flows/assignments.csv")
@assigner_required
def assignments_csv():
    """Every assignment the overview's filters select (all pages), newest first."""
    query, problems = _overview_query(_overview_filters())
    if problems:
        raise ValidationFailed([("filters", " ".join(problems))])
    rows = (_csv_row(*row) for row in queries.every_assignment(current_user.organization_id, query))
    return csv_response(f"assignments-{utcnow():%Y-%m-%d}.csv", ASSIGNMENTS_HEADER, rows)


ASSIGNMENTS_HEADER = ("Assignment ID", "Flow", "Flow ID", "Person", "Email", "Status", "Priority", "Modules done",
                      "Modules", "Assigned at (UTC)", "Due (UTC)", "Started at (UTC)", "Completed at (UTC)",
                      "Cancelled at (UTC)", "From request")


def _csv_row(assignment, flow, user):
    source = assignment.source_request if assignment.source_request_id else None
    return (assignment.public_id, flow.name, flow.public_id, user.display_name, user.email,
            labels.STATUS_LABELS[assignment.effective_status()], assignment.priority.value.capitalize(),
            assignment.modules_completed, assignment.module_total, *map(iso, (
                assignment.assigned_at, assignment.due_date, assignment.started_at, assignment.completed_at,
                assignment.cancelled_at)), source.request_number if source else None)
