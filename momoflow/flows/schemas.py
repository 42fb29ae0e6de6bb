"""How flows and assignments appear in the integrator API's JSON and in event payloads."""

import sqlalchemy as sa

from momoflow.extensions import db
from momoflow.flows.rules import duration_text
from momoflow.workflows.models import WorkflowRequest

ASSIGNED = "Flow assigned successfully"  # the seed's message


def iso(moment):
    """ISO 8601 UTC with a Z, as the seed writes it (``2024-10-25T15:30:00Z``)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def assign_response(assignment, flow, user):
    return {
        "success": True,
        "assignmentId": assignment.public_id,
        "message": ASSIGNED,
        "details": {
            "assignedAt": iso(assignment.assigned_at),
            "assigneeEmail": user.email,
            "flowName": flow.name,
            "moduleCount": flow.module_count,
            "estimatedDuration": duration_text(flow.estimated_minutes),
        },
    }


def bulk_item_json(result):
    """One ``services.ItemResult`` as the bulk answer lists it."""
    if result.error is not None:
        error = result.error
        return {"index": result.index, "success": False, "error": error.code, "message": error.message, **error.extra}
    assignment, flow, user = result.assigned
    return {"index": result.index, "success": True, "assignmentId": assignment.public_id, "userEmail": user.email,
            "flowId": flow.public_id}


def flow_json(flow, modules=None):
    data = {
        "flowId": flow.public_id,
        "name": flow.name,
        "description": flow.description,
        "status": flow.status.value,
        "version": flow.version,
        "moduleCount": flow.module_count,
        "estimatedMinutes": flow.estimated_minutes,
        "estimatedDuration": duration_text(flow.estimated_minutes),
        "createdAt": iso(flow.created_at),
    }
    if modules is not None:
        data["modules"] = [{"position": m.position, "title": m.title, "estimatedMinutes": m.estimated_minutes}
                           for m in modules]
    return data


def assignment_json(assignment, flow, user, now=None):
    total = assignment.module_total  # of the assignment's version
    return {
        "assignmentId": assignment.public_id,
        "flowId": flow.public_id,
        "flowName": flow.name,
        "flowVersion": assignment.flow_version,
        "userEmail": user.email,
        "status": assignment.effective_status(now).value,
        "dueDate": iso(assignment.due_date),
        "priority": assignment.priority.value,
        "notes": assignment.notes,
        "progress": {"completedModules": assignment.modules_completed, "totalModules": total,
                     "percent": round(100 * assignment.modules_completed / total) if total else 0},
        "assignedAt": iso(assignment.assigned_at),
        "startedAt": iso(assignment.started_at),
        "completedAt": iso(assignment.completed_at),
        "cancelledAt": iso(assignment.cancelled_at),
        "lastRemindedAt": iso(assignment.last_reminded_at),
        **source_request_json(assignment),
    }


def source_request_json(assignment):
    """The approved request that assigned it (``flows.from_requests``): nulls for all others."""
    request = source_request(assignment)
    return {"sourceRequestId": str(request.id) if request else None,
            "sourceRequestNumber": request.request_number if request else None}


def source_request(assignment):
    """The assignment's source request, or None. Lists load it with the assignment
    (``joinedload(Assignment.source_request)``); a single one not loaded that way costs
    a lookup, which is free when the request is already in the session."""
    if assignment.source_request_id is None:
        return None
    if "source_request" not in sa.inspect(assignment).unloaded:
        return assignment.source_request
    return db.session.get(WorkflowRequest, assignment.source_request_id)


def request_as_assigner(request):
    """``assignedBy`` (and ``cancelledBy``'s shape) for an assignment an approved request made."""
    return {"type": "request", "name": f"request {request.request_number}"}


def assignment_event_payload(assignment, flow, user, api_key=None):
    """What webhooks for flow.* events carry."""
    data = assignment_json(assignment, flow, user)
    request = source_request(assignment)
    if api_key:
        data["assignedBy"] = {"type": "api_key", "name": api_key.name}
    else:
        data["assignedBy"] = request_as_assigner(request) if request else None
    return data
