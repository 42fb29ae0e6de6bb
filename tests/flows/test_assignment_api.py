"""Changing an assignment over the integrator API: ``PATCH /v1/assignments/:id`` (the due
date), ``POST …/remind`` and ``POST …/cancel`` with a reason; errors in ``/v1``'s shape."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.apikeys.services import create_api_key
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.flows import managing
from momoflow.flows.models import Assignment, AssignmentStatus
from momoflow.flows.schemas import iso
from tests.factories import make_org
from tests.flows.conftest import Integrator

EMPLOYEE = "employee@company.com"


@pytest.fixture
def assignment_id(integrator):
    body = {"flowId": "flow_123abc", "userEmail": EMPLOYEE, "dueDate": iso(utcnow() + timedelta(days=7))}
    return integrator.post("/flows/assign", json=body).get_json()["assignmentId"]


def patch(integrator, assignment_id, body=None, **kwargs):
    return integrator.client.patch(f"/v1/assignments/{assignment_id}", json=body,
                                   headers=integrator.headers(kwargs.pop("headers", None)), **kwargs)


def error(response):
    return response.status_code, response.get_json()


def events(db, kind):
    return db.session.scalars(sa.select(Event).where(Event.type == kind)).all()


# --- PATCH: the due date ----------------------------------------------------------------


def test_patch_moves_the_due_date(integrator, assignment_id, db):
    response = patch(integrator, assignment_id, {"dueDate": "2099-01-31"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["assignmentId"] == assignment_id and body["dueDate"] == "2099-01-31T23:59:59Z"
    [event] = events(db, "flow.due_date_changed")
    assert event.payload["dueDate"] == "2099-01-31T23:59:59Z" and event.payload["previousDueDate"]
    assert event.payload["changedBy"] == {"type": "api_key", "name": "HR system"} and event.actor_id is None
    assert patch(integrator, assignment_id, {"dueDate": "2099-02-01T09:00:00+05:30"}).get_json()["dueDate"] == \
        "2099-02-01T03:30:00Z"


@pytest.mark.parametrize("body, message", [
    ({}, "dueDate: dueDate is required"),
    ({"dueDate": None}, "dueDate: dueDate is required"),
    ({"dueDate": "2020-01-31"}, "dueDate: dueDate cannot be in the past"),
    ({"dueDate": "tomorrow"}, "dueDate: dueDate must be ISO 8601, e.g. 2024-11-25T23:59:59Z or 2024-11-25"),
    ({"dueDate": 20990131}, "dueDate: dueDate must be ISO 8601, e.g. 2024-11-25T23:59:59Z or 2024-11-25"),
    ({"dueDate": "9" * 5000}, "dueDate: dueDate must be ISO 8601, e.g. 2024-11-25T23:59:59Z or 2024-11-25"),
    ({"dueDate": ["2099-01-31"]}, "dueDate: dueDate must be ISO 8601, e.g. 2024-11-25T23:59:59Z or 2024-11-25"),
    ({"dueDate": "2099-01-31T10:00:00"}, "dueDate: dueDate needs a time zone, e.g. 2024-11-25T23:59:59Z"),
    ({"dueDate": "2099-01-31", "priority": "high"}, "priority: priority cannot be changed: only dueDate can"),
])
def test_patch_errors_name_the_field(integrator, assignment_id, db, body, message):
    assert error(patch(integrator, assignment_id, body)) == (400, {"error": "validation_error", "message": message})
    assert events(db, "flow.due_date_changed") == []


def test_patch_refuses_hostile_bodies(integrator, assignment_id):
    raw = integrator.client.patch(f"/v1/assignments/{assignment_id}", data='{"dueDate": "\\ud800"}',
                                  content_type="application/json", headers=integrator.headers())
    assert raw.status_code == 400 and raw.get_json()["error"] == "validation_error"
    long_key = patch(integrator, assignment_id, {"x" * 10_000: 1, "dueDate": "2099-01-31"})
    assert long_key.status_code == 400 and len(long_key.get_json()["message"]) < 300
    not_json = integrator.client.patch(f"/v1/assignments/{assignment_id}", data="dueDate=2099-01-31",
                                       headers=integrator.headers())
    assert not_json.status_code == 415
    assert error(patch(integrator, assignment_id, ["2099-01-31"]))[0] == 400


def test_patch_answers_404_409_and_replays(integrator, assignment_id, client, demo_org, db):
    assert error(patch(integrator, "asgn_nope", {"dueDate": "2099-01-31"})) == (
        404, {"error": "not_found", "message": "Assignment with ID 'asgn_nope' does not exist"})
    _, other_secret = create_api_key(make_org(), "Elsewhere")
    elsewhere = Integrator(client, other_secret)
    assert patch(elsewhere, assignment_id, {"dueDate": "2099-01-31"}).status_code == 404
    first = patch(integrator, assignment_id, {"dueDate": "2099-01-31"}, headers={"X-Request-ID": "redate-1"})
    again = patch(integrator, assignment_id, {"dueDate": "2099-01-31"}, headers={"X-Request-ID": "redate-1"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert len(events(db, "flow.due_date_changed")) == 1
    assert integrator.post(f"/assignments/{assignment_id}/cancel").status_code == 200
    assert error(patch(integrator, assignment_id, {"dueDate": "2099-03-01"})) == (
        409, {"error": "conflict",
              "message": f"Assignment {assignment_id} is cancelled: its due date cannot be changed"})


# --- remind -----------------------------------------------------------------------------


def test_remind_once_then_429_until_an_hour_has_passed(integrator, assignment_id, db, monkeypatch):
    response = integrator.post(f"/assignments/{assignment_id}/remind")
    assert response.status_code == 200
    reminded_at = response.get_json()["lastRemindedAt"]
    assert reminded_at is not None
    [event] = events(db, "flow.reminded")
    assert event.payload["reminderType"] == "manual" and event.payload["daysBefore"] is None
    assert event.payload["remindedBy"] == {"type": "api_key", "name": "HR system"}

    now = db.session.scalar(sa.select(Assignment.last_reminded_at).where(Assignment.public_id == assignment_id))
    monkeypatch.setattr(managing, "utcnow", lambda: now + timedelta(minutes=59, seconds=30))
    assert error(integrator.post(f"/assignments/{assignment_id}/remind")) == (429, {
        "error": "reminded_recently", "retry_after": 30,
        "message": f"A reminder was sent to {EMPLOYEE} 59 minutes ago; another can be sent in 1 minute."})
    monkeypatch.setattr(managing, "utcnow", lambda: now + timedelta(hours=1))
    assert integrator.post(f"/assignments/{assignment_id}/remind").status_code == 200
    assert len(events(db, "flow.reminded")) == 2


def test_remind_answers_404_and_409(integrator, assignment_id, db):
    assert integrator.post("/assignments/asgn_nope/remind").status_code == 404
    assert integrator.post(f"/assignments/{assignment_id}/cancel").status_code == 200
    assert error(integrator.post(f"/assignments/{assignment_id}/remind")) == (
        409, {"error": "conflict", "message": f"Assignment {assignment_id} is cancelled: no reminder can be sent"})
    assert events(db, "flow.reminded") == []


# --- cancel with a reason ---------------------------------------------------------------


def test_cancel_keeps_an_optional_reason(integrator, assignment_id, db):
    response = integrator.post(f"/assignments/{assignment_id}/cancel", json={"reason": "  Left the company "})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    [event] = events(db, "flow.cancelled")
    assert event.payload["reason"] == "Left the company"
    assert event.payload["cancelledBy"] == {"type": "api_key", "name": "HR system"}


@pytest.mark.parametrize("body, status", [({"reason": "x" * 501}, 400), ({"reason": 42}, 400), ("[1]", 400)])
def test_cancel_refuses_a_bad_reason(integrator, assignment_id, db, body, status):
    if isinstance(body, str):
        response = integrator.client.post(f"/v1/assignments/{assignment_id}/cancel", data=body,
                                          content_type="application/json", headers=integrator.headers())
    else:
        response = integrator.post(f"/assignments/{assignment_id}/cancel", json=body)
    assert response.status_code == status and response.get_json()["error"] == "validation_error"
    status_now = db.session.scalar(sa.select(Assignment.status).where(Assignment.public_id == assignment_id))
    assert status_now == AssignmentStatus.ASSIGNED


def test_cancel_still_takes_no_body(integrator, assignment_id):
    response = integrator.client.post(f"/v1/assignments/{assignment_id}/cancel", headers=integrator.headers(
        {"Content-Type": "application/json"}))
    assert response.status_code == 200
    plain = integrator.client.post(f"/v1/assignments/{assignment_id}/cancel", data="reason",
                                   headers=integrator.headers())
    assert plain.status_code == 415
