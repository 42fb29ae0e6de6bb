"""The integrator API's recurring assignments (``/v1/flows/schedules``): thin callers of
``flows.schedules``. Cancelling is ``DELETE``, which answers 200 with the schedule
(``active: false``), so a repeated DELETE gets the same answer."""

from flask import request

from momoflow.api import json_body
from momoflow.apikeys.models import Scope
from momoflow.flows import schedules
from momoflow.flows.schemas import iso
from momoflow.flows.services import Assigner
from momoflow.integrator import bp, current_api_key
from momoflow.integrator.idempotency import idempotent
from momoflow.integrator.scopes import requires_scope


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
        data.get("unit"), data.get("dueInDays"), data.get("priority"), data.get("notes"), data.get("startAt"))
    return schedule_json(schedule), 201


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
