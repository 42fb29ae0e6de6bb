"""The integrator API's newer changes: reassigning an assignment, changing several at once
(``POST /v1/assignments/bulk``), a schedule's group or department, changing a schedule
(``PATCH``) and running it now; answers in the documented shape, errors in ``/v1``'s."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.apikeys.services import create_api_key
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.flows.models import Assignment, AssignmentStatus, FlowSchedule
from momoflow.flows.schemas import iso
from momoflow.groups import services as groups
from tests.factories import make_org
from tests.flows.conftest import Integrator
from tests.flows.scheduling import BODY, EMPLOYEE, HR, MANAGER
from tests.platform.openapi_checks import conformance, resolve

SAM = "sam.lee@company.com"


@pytest.fixture
def document(app):
    from momoflow.openapi.document import build_document

    return build_document(app.config)


def documented(document, response, method, template):
    """``response``'s problems against what the document says for it (none: it conforms)."""
    answer = resolve(document, document["paths"][template][method]["responses"][str(response.status_code)])
    return conformance(document, response.get_json(), answer["content"]["application/json"]["schema"])


def assigned(integrator, email=EMPLOYEE, flow="flow_123abc"):
    body = {"flowId": flow, "userEmail": email, "dueDate": iso(utcnow() + timedelta(days=7)), "priority": "high"}
    return integrator.post("/flows/assign", json=body).get_json()["assignmentId"]


def events(db, kind):
    return db.session.scalars(sa.select(Event).where(Event.type == kind).order_by(Event.occurred_at)).all()


# --- reassign ---------------------------------------------------------------------------


def test_reassigning_cancels_the_old_one_and_answers_the_new(integrator, db, document):
    old = assigned(integrator)
    response = integrator.post(f"/assignments/{old}/reassign", json={"userEmail": SAM})
    assert response.status_code == 201 and documented(document, response, "post",
                                                      "/v1/assignments/{assignmentId}/reassign") == []
    new = response.get_json()
    assert (new["userEmail"], new["reassignedFrom"], new["priority"], new["status"]) == (SAM, old, "high", "assigned")
    assert integrator.get(f"/assignments/{old}").get_json()["status"] == "cancelled"
    [cancelled] = events(db, "flow.cancelled")
    assert cancelled.payload["reassignedTo"]["assignmentId"] == new["assignmentId"]
    assert cancelled.payload["cancelledBy"] == {"type": "api_key", "name": "HR system"}


@pytest.mark.parametrize("body, status, message", [
    ({}, 400, "userEmail: userEmail must be the email address of the person to reassign it to"),
    ({"userEmail": ["x"]}, 400, "userEmail: userEmail must be the email address of the person to reassign it to"),
    ({"userEmail": "nobody@elsewhere.example"}, 400,
     "userEmail: No one with the email nobody@elsewhere.example can be assigned in your organisation"),
    ({"userEmail": EMPLOYEE}, 400, "userEmail: Priya Sharma already has this assignment: choose someone else"),
])
def test_reassign_errors_name_the_field(integrator, db, body, status, message):
    old = assigned(integrator)
    response = integrator.post(f"/assignments/{old}/reassign", json=body)
    assert (response.status_code, response.get_json()) == (status, {"error": "validation_error", "message": message})
    assert db.session.scalar(sa.select(Assignment.status).where(Assignment.public_id == old)) == \
        AssignmentStatus.ASSIGNED


def test_reassign_404_409_and_other_organisations(integrator, client, document):
    old = assigned(integrator)
    missing = integrator.post("/assignments/asgn_nope/reassign", json={"userEmail": SAM})
    assert missing.status_code == 404
    _, secret = create_api_key(make_org(), "Elsewhere")
    assert Integrator(client, secret).post(f"/assignments/{old}/reassign", json={"userEmail": SAM}).status_code == 404
    assert integrator.post(f"/assignments/{old}/cancel").status_code == 200
    closed = integrator.post(f"/assignments/{old}/reassign", json={"userEmail": SAM})
    assert closed.status_code == 409 and documented(document, closed, "post",
                                                    "/v1/assignments/{assignmentId}/reassign") == []
    not_json = integrator.client.post(f"/v1/assignments/{old}/reassign", data="userEmail=x",
                                      headers=integrator.headers())
    assert not_json.status_code == 415


# --- several at once --------------------------------------------------------------------


def test_bulk_cancel_changes_each_and_reports_the_ones_it_could_not(integrator, db, document):
    first, second = assigned(integrator), assigned(integrator, HR)
    assert integrator.post(f"/assignments/{second}/cancel").status_code == 200
    response = integrator.post("/assignments/bulk", json={
        "action": "cancel", "reason": "Left the company", "assignmentIds": [first, second, first, "asgn_nope"]})
    assert response.status_code == 200 and documented(document, response, "post", "/v1/assignments/bulk") == []
    assert response.get_json() == {"success": False, "changed": 1, "failed": 2, "results": [
        {"assignmentId": first, "success": True},
        {"assignmentId": second, "success": False, "message": f"Assignment {second} is cancelled and cannot be "
                                                              "cancelled"},
        {"assignmentId": "asgn_nope", "success": False, "message": "Assignment with ID 'asgn_nope' does not exist"}]}
    assert [event.payload["reason"] for event in events(db, "flow.cancelled")][-1] == "Left the company"


def test_bulk_redate_and_remind(integrator, db):
    ids = [assigned(integrator), assigned(integrator, HR)]
    redated = integrator.post("/assignments/bulk", json={"action": "redate", "dueDate": "2099-02-28",
                                                         "assignmentIds": ids}).get_json()
    assert (redated["success"], redated["changed"]) == (True, 2)
    assert {integrator.get(f"/assignments/{ident}").get_json()["dueDate"] for ident in ids} == {"2099-02-28T23:59:59Z"}
    reminded = integrator.post("/assignments/bulk", json={"action": "remind", "assignmentIds": ids}).get_json()
    assert reminded["changed"] == 2 and len(events(db, "flow.reminded")) == 2
    again = integrator.post("/assignments/bulk", json={"action": "remind", "assignmentIds": ids}).get_json()
    assert again["failed"] == 2 and "another can be sent in" in again["results"][0]["message"]


@pytest.mark.parametrize("body, message", [
    ({"action": "cancel", "assignmentIds": ["asgn_1"]}, "reason: reason is required: say why the assignment is "
                                                        "cancelled"),
    ({"action": "redate", "assignmentIds": ["asgn_1"]}, "dueDate: dueDate is required"),
    ({"action": "explode", "assignmentIds": ["asgn_1"]},
     "action: Choose what to do with the selected assignments (cancel, redate or remind)"),
    ({"action": "remind", "assignmentIds": []}, "assignmentIds: assignmentIds must list 1 to 200 assignment ids"),
    ({"action": "remind", "assignmentIds": "asgn_1"}, "assignmentIds: assignmentIds must list 1 to 200 assignment ids"),
    ({"action": "remind", "assignmentIds": ["asgn_1", 7]},
     "assignmentIds.1: assignmentIds must list 1 to 200 assignment ids"),
    ({"action": "remind", "assignmentIds": [f"asgn_{n}" for n in range(201)]},
     "assignmentIds: Change at most 200 assignments at a time"),
    ({"action": ["remind"], "assignmentIds": ["asgn_1"]},
     "action: Choose what to do with the selected assignments (cancel, redate or remind)"),
])
def test_bulk_refuses_the_whole_request_naming_the_field(integrator, body, message):
    response = integrator.post("/assignments/bulk", json=body)
    assert (response.status_code, response.get_json()) == (400, {"error": "validation_error", "message": message})


def test_bulk_ids_that_name_no_row_are_refused_one_by_one(integrator):
    answer = integrator.post("/assignments/bulk", json={"action": "remind", "assignmentIds": [
        "asgn\x00x", "x" * 300]}).get_json()
    assert answer["failed"] == 2 and all("does not exist" in r["message"] for r in answer["results"])
    surrogate = integrator.post("/assignments/bulk", json={"action": "remind", "assignmentIds": ["\ud800"]})
    assert surrogate.status_code == 400 and surrogate.get_json()["error"] == "validation_error"


# --- schedules: a group, changes, run now ---------------------------------------------


@pytest.fixture
def starters(demo, db):
    admin = demo["admin@company.com"]
    group = groups.create_group(admin, "New starters")
    for email in (EMPLOYEE, HR):
        groups.add_member(admin, group.id, email)
    db.session.flush()
    return group


def test_a_schedule_for_a_group_is_created_changed_and_run_now(integrator, starters, db, document):
    body = {"flowId": "flow_sec101", "audience": {"type": "group", "name": "New starters"}, "every": 12,
            "unit": "months", "startAt": "2030-01-31T09:00:00Z"}
    created = integrator.post("/flows/schedules", json=body)
    assert created.status_code == 201, created.get_json()
    schedule = created.get_json()
    assert (schedule["audience"], schedule["userEmails"]) == ({"type": "group", "name": "New starters"}, [])
    one = f"/v1/flows/schedules/{schedule['scheduleId']}"

    patch = integrator.client.patch(one, json={"every": 6, "userEmails": [SAM], "notes": "Half-yearly"},
                                    headers=integrator.headers())
    assert patch.status_code == 200 and documented(document, patch, "patch", "/v1/flows/schedules/{scheduleId}") == []
    changed = patch.get_json()
    assert (changed["every"], changed["userEmails"], changed["notes"], changed["audience"]["name"]) == (
        6, [SAM], "Half-yearly", "New starters")
    assert changed["nextRunAt"] == "2030-01-31T09:00:00Z"  # the planned run keeps its moment

    ran = integrator.post(f"/flows/schedules/{schedule['scheduleId']}/run")
    assert ran.status_code == 200 and documented(document, ran, "post", "/v1/flows/schedules/{scheduleId}/run") == []
    answer = ran.get_json()
    assert (answer["assigned"], answer["failed"]) == (3, 0)
    assert sorted(item["userEmail"] for item in answer["results"]) == sorted([SAM, EMPLOYEE, HR])
    assert answer["schedule"]["lastRunAt"] is not None and answer["schedule"]["nextRunAt"] == "2030-01-31T09:00:00Z"
    again = integrator.post(f"/flows/schedules/{schedule['scheduleId']}/run").get_json()
    assert (again["assigned"], again["failed"]) == (0, 3)  # everyone still has it open
    assert {item["error"] for item in again["results"]} == {"already_assigned"}


@pytest.mark.parametrize("audience", [{"type": "group", "name": "Nobody here"}, {"type": "team", "name": "x"},
                                      {"type": "group"}, "group:New starters", ["group"],
                                      {"type": "group", "name": "a\x00b"}, {"type": "department", "name": "x" * 300}])
def test_a_bad_audience_is_400_naming_it(integrator, starters, audience):
    response = integrator.post("/flows/schedules", json={**BODY, "audience": audience})
    assert (response.status_code, response.get_json()) == (
        400, {"error": "validation_error", "message": "audience: Choose a group or department from the list"})


def test_patch_refuses_other_fields_bad_values_and_cancelled_schedules(integrator, db, document):
    schedule = integrator.post("/flows/schedules", json=BODY).get_json()
    one = f"/v1/flows/schedules/{schedule['scheduleId']}"

    def patch(body, **headers):
        return integrator.client.patch(one, json=body, headers=integrator.headers(headers))

    moved = patch({"flowId": "flow_123abc", "startAt": "2031-01-01"})
    assert (moved.status_code, moved.get_json()["message"]) == (
        400, "flowId: flowId cannot be changed: only userEmails, audience, every, unit, dueInDays, priority and notes "
             "can; startAt: startAt cannot be changed: only userEmails, audience, every, unit, dueInDays, priority "
             "and notes can")
    assert patch({"unit": "weeks"}).get_json()["message"] == "unit: unit must be days or months"
    assert patch({"userEmails": []}).status_code == 400
    assert patch({"every": "6"}).status_code == 400
    assert patch([1]).status_code == 400
    assert integrator.client.patch(one, data="every=6", headers=integrator.headers()).status_code == 415
    assert integrator.client.patch("/v1/flows/schedules/sched_nope", json={"every": 6},
                                   headers=integrator.headers()).status_code == 404
    assert db.session.scalar(sa.select(FlowSchedule.every)) == 12  # nothing half-written
    integrator.client.delete(one, headers=integrator.headers())
    cancelled = patch({"every": 6})
    assert cancelled.status_code == 409 and documented(document, cancelled, "patch",
                                                       "/v1/flows/schedules/{scheduleId}") == []
    assert integrator.post(f"/flows/schedules/{schedule['scheduleId']}/run").status_code == 409


def test_another_organisations_schedule_cannot_be_changed_or_run(integrator, client):
    schedule = integrator.post("/flows/schedules", json=BODY).get_json()["scheduleId"]
    _, secret = create_api_key(make_org(), "Elsewhere")
    elsewhere = Integrator(client, secret)
    assert elsewhere.client.patch(f"/v1/flows/schedules/{schedule}", json={"every": 6},
                                  headers=elsewhere.headers()).status_code == 404
    assert elsewhere.post(f"/flows/schedules/{schedule}/run").status_code == 404
