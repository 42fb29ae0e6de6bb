"""The integrator API's flow routes (``/v1``): thin callers of the flow services."""

import logging

from flask import request

from momoflow.api import json_body
from momoflow.apikeys.models import Scope
from momoflow.errors import ValidationFailed
from momoflow.exports.api import export_answer
from momoflow.flows import access, bulk, managing, queries, report, report_export, rules, services
from momoflow.flows.schemas import assign_response, assignment_json, bulk_item_json, flow_json
from momoflow.flows.services import Assigner
from momoflow.flows.validation import changed_due_date, parse_assignment
from momoflow.integrator import bp, current_api_key, report_rate_limit
from momoflow.integrator.idempotency import idempotent
from momoflow.integrator.scopes import requires_scope
from momoflow.ratelimit import charge_more

BULK_SIZE_PROBLEM = f"assignments must be a list of 1 to {rules.MAX_BULK_ITEMS} items"

log = logging.getLogger(__name__)


@bp.post("/flows/assign")
@requires_scope(Scope.FLOWS_ASSIGN)
@idempotent
def assign():
    spec = parse_assignment(json_body(wrong_type_status=415))
    assigned = services.assign_flow(Assigner.integrator(current_api_key()), spec)
    log.info("assigned %s to %s as %s (X-Request-ID %s)", spec.flow_id, spec.user_email,
             assigned.assignment.public_id, request.headers.get("X-Request-ID", "-"))
    return assign_response(*assigned), 200


@bp.post("/flows/assign/bulk")
@requires_scope(Scope.FLOWS_ASSIGN)
@idempotent
def assign_bulk():
    items = json_body(wrong_type_status=415, check_text=False).get("assignments")
    if not isinstance(items, list) or not 1 <= len(items) <= rules.MAX_BULK_ITEMS:
        raise ValidationFailed([("assignments", BULK_SIZE_PROBLEM)])
    results = [bulk_item_json(result) for result in services.assign_many(Assigner.integrator(current_api_key()), items)]
    succeeded = sum(1 for result in results if result["success"])
    return {"success": succeeded == len(results), "assigned": succeeded, "failed": len(results) - succeeded,
            "results": results}, 200


@bp.post("/flows/report")
@requires_scope(Scope.REPORTS_READ)
@report_rate_limit
def flow_report():
    try:
        body = json_body(wrong_type_status=415)
    except ValidationFailed as error:  # the body itself (not JSON, too deep): the report's own 400
        raise report.InvalidReportRequest(error.problems) from None
    spec = report.parse_report(body)
    prepared = report.prepare(current_api_key().organization, spec)
    charge_more(report.weight(prepared) - 1)  # checked before the rows are read
    log.info("report on %s over %s assignments%s (X-Request-ID %s)", spec.flow_id, prepared.metrics.total,
             f" as {spec.format}" if spec.format else "", request.headers.get("X-Request-ID", "-"))
    if spec.format:
        export = report_export.request_report_file(current_api_key(), spec)
        return export_answer(export), 202
    return report.answer(prepared), 200


@bp.get("/flows")
@requires_scope(Scope.FLOWS_READ)
def list_flows():
    flows = services.list_flows(current_api_key().organization)
    return {"data": [flow_json(flow) for flow in flows]}, 200


@bp.get("/flows/<flow_id>")
@requires_scope(Scope.FLOWS_READ)
def get_flow(flow_id):
    flow = access.find_flow(current_api_key().organization, flow_id)
    modules = queries.modules_of(flow)
    return flow_json(flow, modules), 200


@bp.get("/assignments")
@requires_scope(Scope.FLOWS_READ)
def list_assignments():
    page = queries.list_assignments(current_api_key().organization, queries.parse_assignment_query(request.args))
    return {"data": [assignment_json(a, flow, user) for a, flow, user in page.rows],
            "nextCursor": page.next_cursor}, 200


@bp.get("/assignments/<assignment_id>")
@requires_scope(Scope.FLOWS_READ)
def get_assignment(assignment_id):
    assignment, flow, user = queries.assignment_row(current_api_key().organization, assignment_id)
    return {**assignment_json(assignment, flow, user), "moduleProgress": report.assignment_modules(assignment, flow)}, \
        200


@bp.post("/assignments/<assignment_id>/cancel")
@requires_scope(Scope.FLOWS_ASSIGN)
@idempotent
def cancel(assignment_id):
    assigner = Assigner.integrator(current_api_key())
    assignment = services.cancel_assignment(assigner, assignment_id, _optional_body().get("reason"))
    return _assignment_answer(assigner, assignment)


@bp.patch("/assignments/<assignment_id>")
@requires_scope(Scope.FLOWS_ASSIGN)
@idempotent
def update_assignment(assignment_id):
    due_date = changed_due_date(json_body(wrong_type_status=415))
    assigner = Assigner.integrator(current_api_key())
    return _assignment_answer(assigner, managing.change_due_date(assigner, assignment_id, due_date))


@bp.post("/assignments/<assignment_id>/remind")
@requires_scope(Scope.FLOWS_ASSIGN)
@idempotent
def remind(assignment_id):
    assigner = Assigner.integrator(current_api_key())
    return _assignment_answer(assigner, managing.remind_assignment(assigner, assignment_id))


@bp.post("/assignments/<assignment_id>/reassign")
@requires_scope(Scope.FLOWS_ASSIGN)
@idempotent
def reassign(assignment_id):
    """The old assignment is cancelled; the answer is the new one (201), progress not moved."""
    assigner = Assigner.integrator(current_api_key())
    assigned = managing.reassign_assignment(assigner, assignment_id, json_body(wrong_type_status=415).get("userEmail"))
    return {**assignment_json(*queries.assignment_row(assigner.organization, assigned.assignment.public_id)),
            "reassignedFrom": assignment_id}, 201


@bp.post("/assignments/bulk")
@requires_scope(Scope.FLOWS_ASSIGN)
@idempotent
def change_many():
    """Cancel, re-date or remind several assignments: a result per id, in the order sent."""
    body = json_body(wrong_type_status=415)
    changes = bulk.change_many(Assigner.integrator(current_api_key()), body.get("action"),
                               bulk.parse_ids(body.get("assignmentIds")), reason=body.get("reason"),
                               due_date=body.get("dueDate"), ids_path="assignmentIds")
    counted = bulk.counts(changes)
    return {"success": not counted[bulk.REFUSED], "changed": counted[bulk.DONE], "failed": counted[bulk.REFUSED],
            "results": [bulk.change_json(change) for change in changes]}, 200


def _optional_body():
    """The JSON body, or ``{}`` when none was sent (cancelling took no body at first)."""
    return json_body(wrong_type_status=415) if request.get_data(cache=True) else {}


def _assignment_answer(assigner, assignment):
    return assignment_json(*queries.assignment_row(assigner.organization, assignment.public_id)), 200
