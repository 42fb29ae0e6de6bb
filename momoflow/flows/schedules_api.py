"""The integrator API's recurring assignments (``/v1/flows/schedules``): thin callers of
``flows.schedules``. Cancelling is ``DELETE``, which answers 200 with the schedule
(``active: false``), so a repeated DELETE gets the same answer."""

from flask import request

from momoflow import fields
from momoflow.api import json_body
from momoflow.apikeys.models import Scope
from momoflow.flows import audiences, schedules
from momoflow.flows.schemas import bulk_item_json, iso
from momoflow.flows.services import Assigner
from momoflow.flows.validation import refuse_other_fields
from momoflow.integrator import bp, current_api_key
from momoflow.integrator.idempotency import idempotent
from momoflow.integrator.scopes import requires_scope


# What PATCH may change (the flow and the first run stay).
CHANGEABLE = ("userEmails", "audience", "every", "unit", "dueInDays", "priority", "notes")


def schedule_json(schedule):
    return {
        "scheduleId": schedule.public_id,
        "flowId": schedule.flow.public_id,
        "userEmails": list(schedule.user_emails),
        "audience": ({"type": schedule.audience_kind.value, "name": schedule.audience}
                     if schedule.audience_kind else None),
        "every": schedule.every,
        "unit": schedule.unit.value,
        "dueInDays": schedule.due_in_days,
        "priority": schedule.priority.value,
        "notes": schedule.notes,
        "nextRunAt": iso(schedule.next_run_at) if schedule.active else None,
        "lastRunAt": iso(schedule.last_run_at),
        "active": schedule.active,
        "createdAt": iso(schedule.created_at),
    }


@bp.post("/flows/schedules")
@requires_scope(Scope.SCHEDULES_WRITE)
@idempotent
def create_schedule():
    data = json_body(wrong_type_status=415)
    schedule = schedules.create_schedule(
        Assigner.integrator(current_api_key()), data.get("flowId"), data.get("userEmails"), data.get("every"),
        data.get("unit"), data.get("dueInDays"), data.get("priority"), data.get("notes"), data.get("startAt"),
        audience=audiences.from_json(data.get("audience")))
    return schedule_json(schedule), 201


@bp.patch("/flows/schedules/<schedule_id>")
@requires_scope(Scope.SCHEDULES_WRITE)
@idempotent
def update_schedule(schedule_id):
    """The fields sent replace the schedule's; the others stay. From its next run on."""
    data = json_body(wrong_type_status=415)
    problems = fields.Problems()
    refuse_other_fields(data, CHANGEABLE, problems)
    problems.raise_if_any()
    organization = current_api_key().organization
    changed = {**schedule_json(schedules.find_schedule(organization, schedule_id)), **data}
    schedule = schedules.update_schedule(
        organization, schedule_id, changed["userEmails"], changed["every"], changed["unit"], changed["dueInDays"],
        changed["priority"], changed["notes"], audiences.from_json(changed["audience"]))
    return schedule_json(schedule), 200


@bp.post("/flows/schedules/<schedule_id>/run")
@requires_scope(Scope.SCHEDULES_WRITE)
@idempotent
def run_schedule(schedule_id):
    """One run now, besides the rhythm: a result per person, as the bulk assign answers."""
    schedule, results = schedules.run_now(current_api_key().organization, schedule_id)
    items = [bulk_item_json(result) for result in results]
    assigned = sum(1 for item in items if item["success"])
    return {"schedule": schedule_json(schedule), "assigned": assigned, "failed": len(items) - assigned,
            "results": items}, 200


@bp.get("/flows/schedules")
@requires_scope(Scope.FLOWS_READ)
def list_schedules():
    cursor, limit = schedules.parse_list_args(request.args)
    page = schedules.list_schedules(current_api_key().organization, cursor, limit)
    return {"data": [schedule_json(schedule) for schedule in page.schedules], "nextCursor": page.next_cursor}, 200


@bp.get("/flows/schedules/<schedule_id>")
@requires_scope(Scope.FLOWS_READ)
def get_schedule(schedule_id):
    return schedule_json(schedules.find_schedule(current_api_key().organization, schedule_id)), 200


@bp.delete("/flows/schedules/<schedule_id>")
@requires_scope(Scope.SCHEDULES_WRITE)
def cancel_schedule(schedule_id):
    schedule = schedules.cancel_schedule(current_api_key().organization, schedule_id)
    return schedule_json(schedule), 200
