"""Recurring assignments: the /v1/flows/schedules API, the tick's runs (who is assigned,
who is skipped, when the next run is) and the admins' Schedules page."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from momoflow.apikeys.services import create_api_key
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.flows import access, schedules, services
from momoflow.flows.models import AssignmentStatus, FlowSchedule, FlowStatus, ScheduleUnit
from momoflow.flows.validation import parse_assignment
from momoflow.jobs import tick
from tests.factories import make_org, make_user
from tests.flows.conftest import Integrator
from tests.flows.scheduling import ADMIN, BODY, EMPLOYEE, HR, MANAGER, assignments_of, new_schedule, utc


# --- the API -----------------------------------------------------------------------


def test_creating_reading_listing_and_cancelling_a_schedule(integrator, db):
    response = integrator.post("/flows/schedules", json=BODY)
    body = response.get_json()
    assert response.status_code == 201, body
    assert re.fullmatch(r"sched_[0-9A-Za-z]{12}", body["scheduleId"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body.pop("createdAt"))
    assert body == {"scheduleId": body["scheduleId"], "flowId": "flow_sec101",
                    "userEmails": [EMPLOYEE, MANAGER], "audience": None, "every": 12, "unit": "months", "dueInDays": 30,
                    "priority": "high", "notes": "Yearly refresher", "nextRunAt": "2030-01-31T09:00:00Z",
                    "lastRunAt": None, "active": True}
    one = f"/flows/schedules/{body['scheduleId']}"
    assert integrator.get(one).get_json()["nextRunAt"] == "2030-01-31T09:00:00Z"
    assert [s["scheduleId"] for s in integrator.get("/flows/schedules").get_json()["data"]] == [body["scheduleId"]]

    cancelled = integrator.client.delete(f"/v1{one}", headers=integrator.headers())
    assert cancelled.status_code == 200
    assert (cancelled.get_json()["active"], cancelled.get_json()["nextRunAt"]) == (False, None)
    assert integrator.client.delete(f"/v1{one}", headers=integrator.headers()).get_json() == cancelled.get_json()
    assert integrator.get(one).get_json()["active"] is False
    schedule = db.session.scalar(sa.select(FlowSchedule))
    assert schedule.created_by_api_key_id is not None and schedule.created_by_user_id is None


def test_only_the_flow_people_and_rhythm_are_required(integrator):
    before = utcnow().replace(microsecond=0)
    response = integrator.post("/flows/schedules", json={"flowId": "flow_123abc", "userEmails": [HR], "every": 7,
                                                         "unit": "days"})
    body = response.get_json()
    assert response.status_code == 201, body
    assert (body["dueInDays"], body["priority"], body["notes"]) == (30, "medium", None)
    next_run = datetime.fromisoformat(body["nextRunAt"])
    assert before <= next_run <= utcnow()  # the first run is now: the next tick


@pytest.mark.parametrize("change, message", [
    ({"flowId": None}, "flowId: flowId is required"),
    ({"userEmails": []}, "userEmails: userEmails must list 1 to 500 email addresses"),
    ({"userEmails": "employee@company.com"}, "userEmails: userEmails must list 1 to 500 email addresses"),
    ({"userEmails": [EMPLOYEE, "not-an-email", 7]},
     "userEmails.1: 'not-an-email' is not a valid email address; userEmails.2: 'this entry' is not a valid email "
     "address"),
    ({"every": 0}, "every: every must be a whole number from 1 to 120"),
    ({"every": 121}, "every: every must be a whole number from 1 to 120"),
    ({"every": "12"}, "every: every must be a whole number from 1 to 120"),
    ({"every": True}, "every: every must be a whole number from 1 to 120"),
    ({"unit": "weeks", "every": 2}, "unit: unit must be days or months"),
    ({"dueInDays": -1}, "dueInDays: dueInDays must be a whole number from 0 to 3650"),
    ({"priority": "urgent"}, "priority: priority must be one of low, medium, high"),
    ({"notes": "x" * 2001}, "notes: notes must be at most 2000 characters"),
    ({"startAt": "next monday"}, "startAt: startAt must be ISO 8601, e.g. 2025-01-01T09:00:00Z or 2025-01-01"),
    ({"startAt": "2030-01-01T09:00:00"}, "startAt: startAt needs a time zone, e.g. 2025-01-01T09:00:00Z"),
    ({"startAt": "9999-12-31"}, "startAt: startAt must be from 2000-01-01 to at most 5 years from now"),
    ({"startAt": "1999-12-31T23:59:59Z"}, "startAt: startAt must be from 2000-01-01 to at most 5 years from now"),
    ({"userEmails": ["ghost@company.com"]},
     "userEmails.0: User with email 'ghost@company.com' does not exist in your organization"),
])
def test_bad_input_is_400_naming_the_field(integrator, db, change, message):
    response = integrator.post("/flows/schedules", json={**BODY, **change})
    assert response.status_code == 400
    assert response.get_json() == {"error": "validation_error", "message": message}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FlowSchedule)) == 0


def test_every_problem_is_named_at_once(integrator):
    response = integrator.post("/flows/schedules", json={"unit": "years"})
    paths = [part.split(":")[0] for part in response.get_json()["message"].split("; ")]
    assert paths == ["flowId", "userEmails", "unit", "every"]


def test_a_date_only_start_means_midnight_utc(integrator):
    response = integrator.post("/flows/schedules", json={**BODY, "startAt": "2030-03-01"})
    assert response.get_json()["nextRunAt"] == "2030-03-01T00:00:00Z"


def test_unknown_and_archived_flows(integrator, demo_org, db):
    response = integrator.post("/flows/schedules", json={**BODY, "flowId": "flow_nope"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "Flow with ID 'flow_nope' does not exist"}
    access.find_flow(demo_org, "flow_sec101").status = FlowStatus.ARCHIVED
    db.session.flush()
    response = integrator.post("/flows/schedules", json=BODY)
    assert response.status_code == 409
    assert response.get_json() == {"error": "conflict",
                                   "message": "Flow with ID 'flow_sec101' is archived and cannot be scheduled"}


def test_other_organisations_schedules_do_not_exist(client, integrator, db):
    schedule_id = integrator.post("/flows/schedules", json=BODY).get_json()["scheduleId"]
    other = make_org()
    make_user(other, email="outsider@other.example")
    _, secret = create_api_key(other, "theirs")
    db.session.flush()
    theirs = Integrator(client, secret)
    message = {"error": "not_found", "message": f"Schedule with ID '{schedule_id}' does not exist"}
    assert theirs.get(f"/flows/schedules/{schedule_id}").get_json() == message
    response = client.delete(f"/v1/flows/schedules/{schedule_id}", headers=theirs.headers())
    assert response.status_code == 404 and response.get_json() == message
    assert theirs.get("/flows/schedules").get_json() == {"data": [], "nextCursor": None}
    assert db.session.scalar(sa.select(FlowSchedule)).active  # untouched
    # Nor do their people or flows: the demo's flow is not theirs.
    response = theirs.post("/flows/schedules", json={**BODY, "userEmails": ["outsider@other.example"]})
    assert response.status_code == 404
    response = integrator.post("/flows/schedules", json={**BODY, "userEmails": ["outsider@other.example"]})
    assert response.status_code == 400


def test_unknown_ids_and_crafted_ids_are_404(integrator):
    for schedule_id in ("sched_nope", "sched%00x"):
        response = integrator.get(f"/flows/schedules/{schedule_id}")
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_a_repeated_request_id_creates_one_schedule(integrator, db):
    headers = {"X-Request-ID": "sched-1"}
    first = integrator.post("/flows/schedules", json=BODY, headers=headers)
    again = integrator.post("/flows/schedules", json=BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    reused = integrator.post("/flows/schedules", json={**BODY, "every": 6}, headers=headers)
    assert reused.status_code == 422 and reused.get_json()["error"] == "idempotency_key_reused"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FlowSchedule)) == 1


def test_the_list_pages_by_cursor(integrator):
    created = [integrator.post("/flows/schedules", json={**BODY, "every": every}).get_json()["scheduleId"]
               for every in (1, 2, 3)]
    first = integrator.get("/flows/schedules?limit=2").get_json()
    second = integrator.get(f"/flows/schedules?limit=2&cursor={first['nextCursor']}").get_json()
    assert [s["scheduleId"] for s in first["data"] + second["data"]] == created[::-1]
    assert second["nextCursor"] is None


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit: limit must be a whole number from 1 to 200"),
    ("limit=x", "limit: limit must be a whole number from 1 to 200"),
    ("cursor=nonsense", "cursor: cursor is not valid (use nextCursor from the previous page)"),
])
def test_bad_list_queries_are_400(integrator, query, message):
    response = integrator.get(f"/flows/schedules?{query}")
    assert response.status_code == 400 and response.get_json() == {"error": "validation_error", "message": message}


def test_wrong_content_type_is_415(integrator):
    response = integrator.post("/flows/schedules", data="x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_answers_match_the_openapi_document(app, integrator):
    from momoflow.openapi.document import build_document
    from tests.platform.openapi_checks import conformance, resolve

    document = build_document(app.config)

    def check(response, method, template, status):
        assert response.status_code == status, response.get_data(as_text=True)
        documented = resolve(document, document["paths"][template][method]["responses"][str(status)])
        assert conformance(document, response.get_json(), documented["content"]["application/json"]["schema"]) == []
        return response.get_json()

    many, one = "/v1/flows/schedules", "/v1/flows/schedules/{scheduleId}"
    created = check(integrator.post("/flows/schedules", json=BODY), "post", many, 201)
    check(integrator.post("/flows/schedules", json={**BODY, "unit": "weeks"}), "post", many, 400)
    check(integrator.post("/flows/schedules", json={**BODY, "flowId": "flow_nope"}), "post", many, 404)
    check(integrator.get("/flows/schedules?limit=1"), "get", many, 200)
    check(integrator.get(f"/flows/schedules/{created['scheduleId']}"), "get", one, 200)
    check(integrator.get("/flows/schedules/sched_nope"), "get", one, 404)
    check(integrator.client.delete(f"/v1/flows/schedules/{created['scheduleId']}", headers=integrator.headers()),
          "delete", one, 200)


# --- running (the tick) --------------------------------------------------------------


def test_a_run_assigns_everyone_and_moves_to_the_next_run(integrator, db):
    body = integrator.post("/flows/schedules", json={**BODY, "userEmails": [EMPLOYEE, MANAGER, HR],
                                                     "every": 14, "unit": "days",
                                                     "startAt": "2030-01-31T09:00:00Z"}).get_json()
    db.session.commit()
    assert schedules.run_due(utc(2030, 1, 31, 8, 59)) == 0  # not yet
    assert assignments_of(db) == []

    run_at = utc(2030, 1, 31, 9, 0, 30)
    tick.run(now=run_at)
    assigned = assignments_of(db)
    assert sorted(a.user.email for a in assigned) == sorted([EMPLOYEE, MANAGER, HR])
    assert {(a.due_date, a.priority.value, a.notes, a.status) for a in assigned} == {
        (utc(2030, 3, 2, 9, 0, 30), "high", "Yearly refresher", AssignmentStatus.ASSIGNED)}
    assert all(a.assigned_by_api_key_id is not None for a in assigned)
    events = db.session.scalars(sa.select(Event).where(Event.type == "flow.assigned")).all()
    assert len(events) == 3 and events[0].payload["assignedBy"] == {"type": "api_key", "name": "HR system"}
    detail = integrator.get(f"/flows/schedules/{body['scheduleId']}").get_json()
    assert (detail["lastRunAt"], detail["nextRunAt"]) == ("2030-01-31T09:00:30Z", "2030-02-14T09:00:00Z")
    tick.run(now=run_at + timedelta(minutes=1))
    assert len(assignments_of(db)) == 3  # ran once


def test_people_who_still_have_it_open_are_skipped(demo, db):
    schedule = new_schedule(demo, emails=(EMPLOYEE, MANAGER), every=1, unit="months", start=utc(2030, 1, 1))
    spec = parse_assignment({"flowId": "flow_sec101", "userEmail": EMPLOYEE})
    open_one = services.assign_flow(services.Assigner(demo[ADMIN].organization_id), spec).assignment
    schedules.run_due(utc(2030, 1, 1))
    by_person = {a.user.email: a for a in assignments_of(db)}
    assert by_person[EMPLOYEE].id == open_one.id and by_person[EMPLOYEE].due_date is None  # left alone
    assert by_person[MANAGER].assigned_by_user_id == demo[ADMIN].id

    # closed: due again
    services.cancel_assignment(services.Assigner.signed_in(demo[ADMIN]), by_person[MANAGER].public_id,
                               "Finished elsewhere")
    schedules.run_due(utc(2030, 2, 1))
    assert sorted(a.user.email for a in assignments_of(db)) == [EMPLOYEE, MANAGER, MANAGER]
    assert schedule.next_run_at == utc(2030, 3, 1) and schedule.last_run_at == utc(2030, 2, 1)


def test_runs_of_a_schedule_an_admin_set_up_name_that_admin_as_actor(demo, db):
    new_schedule(demo, emails=(HR,), start=utc(2030, 1, 1))
    schedules.run_due(utc(2030, 1, 1))
    event = db.session.scalar(sa.select(Event).where(Event.type == "flow.assigned"))
    assert event.actor_id == demo[ADMIN].id and event.payload["assignedBy"] is None


def test_after_downtime_a_schedule_runs_once_and_keeps_its_rhythm(demo, db):
    schedule = new_schedule(demo, emails=(HR,), every=7, unit="days", start=utc(2030, 1, 1, 9))
    schedules.run_due(utc(2030, 2, 1, 12))  # four runs were missed
    assert len(assignments_of(db)) == 1
    assert schedule.next_run_at == utc(2030, 2, 5, 9)  # Jan 1 + 5 weeks


@pytest.mark.parametrize("run, every, now, expected", [
    (utc(2025, 1, 31, 9), 1, utc(2025, 1, 31, 9), utc(2025, 2, 28, 9)),  # clamped to the month's end
    (utc(2024, 1, 31, 9), 1, utc(2024, 1, 31, 9), utc(2024, 2, 29, 9)),  # leap year
    (utc(2025, 3, 15), 12, utc(2025, 3, 15, 1), utc(2026, 3, 15)),  # yearly
    (utc(2025, 1, 31), 1, utc(2025, 5, 1), utc(2025, 5, 31)),  # catching up: from the first run, not drifting
    (utc(2025, 1, 10), 3, utc(2024, 12, 1), utc(2025, 1, 10)),  # not due yet: unchanged
])
def test_months_keep_the_day_clamped_to_the_months_end(run, every, now, expected):
    assert schedules.next_run_after(run, every, ScheduleUnit.MONTHS, now) == expected


def test_a_monthly_schedule_from_january_31(demo, db):
    schedule = new_schedule(demo, emails=(HR,), every=1, unit="months", start=utc(2025, 1, 31, 9))
    runs = []
    for _ in range(4):
        schedules.run_due(schedule.next_run_at + timedelta(seconds=5))
        runs.append(schedule.next_run_at)
    # Each month from the first run, clamped where the month is short, never drifting to the 28th.
    assert runs == [utc(2025, 2, 28, 9), utc(2025, 3, 31, 9), utc(2025, 4, 30, 9), utc(2025, 5, 31, 9)]


def test_a_schedule_of_an_archived_flow_stops(demo, db):
    schedule = new_schedule(demo, emails=(HR,), start=utc(2030, 1, 1))
    access.find_flow(demo[ADMIN].organization, "flow_sec101").status = FlowStatus.ARCHIVED
    schedules.run_due(utc(2030, 1, 2))
    assert assignments_of(db) == [] and schedule.active is False
    assert schedules.run_due(utc(2030, 6, 1)) == 0


def test_cancelled_schedules_do_not_run(demo, db):
    schedule = new_schedule(demo, emails=(HR,), start=utc(2030, 1, 1))
    schedules.cancel_schedule(demo[ADMIN].organization, schedule.public_id)
    assert schedules.run_due(utc(2030, 1, 2)) == 0 and assignments_of(db) == []


def test_someone_who_left_is_skipped_and_the_rest_assigned(demo, db):
    schedule = new_schedule(demo, emails=(HR, MANAGER), start=utc(2030, 1, 1))
    demo[HR].active = False
    schedules.run_due(utc(2030, 1, 1))
    assert [a.user.email for a in assignments_of(db)] == [MANAGER]
    assert schedule.last_run_at == utc(2030, 1, 1)


def test_a_run_that_fails_is_tried_again_next_tick(demo, db, monkeypatch):
    schedule = new_schedule(demo, emails=(HR,), start=utc(2030, 1, 1))
    other = new_schedule(demo, emails=(MANAGER,), flow_id="flow_123abc", start=utc(2030, 1, 1))

    def broken(assigner, items):
        if items[0]["userEmail"] == HR:
            raise RuntimeError("injected")
        return original(assigner, items)

    original = services.assign_many
    monkeypatch.setattr(services, "assign_many", broken)
    schedules.run_due(utc(2030, 1, 1))
    assert schedule.last_run_at is None and schedule.next_run_at == utc(2030, 1, 1)
    assert other.last_run_at == utc(2030, 1, 1)
    monkeypatch.setattr(services, "assign_many", original)
    schedules.run_due(utc(2030, 1, 1, 0, 1))
    assert schedule.last_run_at == utc(2030, 1, 1, 0, 1)
