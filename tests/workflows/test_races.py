"""Concurrent requests against a real database, with real commits (no test transaction)."""

import threading
import uuid

import pytest

from momoflow.accounts.services import find_user
from momoflow.auth.tokens import issue_token
from momoflow.events import Event
from momoflow.extensions import db
from momoflow.workflows.models import ApprovalLevel, LevelStatus
from tests.workflows.conftest import simple_request


def _token(app, email):
    with app.app_context():
        return issue_token(find_user(email))


def _all_at_once(app, count, send):
    """Run ``send(client)`` in ``count`` threads released together; the responses."""
    barrier = threading.Barrier(count)
    responses = [None] * count

    def run(index):
        client = app.test_client()
        barrier.wait()
        responses[index] = send(client)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.mark.usefixtures("committed_demo")
def test_eight_simultaneous_approvals_make_one_transition(app):
    initiator = {"Authorization": f"Bearer {_token(app, 'employee@company.com')}"}
    approver = {"Authorization": f"Bearer {_token(app, 'manager@royalenfield.com')}"}
    client = app.test_client()
    created = client.post("/api/v1/workflows", headers=initiator, json=simple_request(
        "manager@royalenfield.com", "director@royalenfield.com"))
    request_id = created.get_json()["data"]["requestId"]
    level_id = created.get_json()["data"]["approvalLevels"][0]["levelId"]

    responses = _all_at_once(app, 8, lambda c: c.post(
        f"/api/v1/workflows/{request_id}/levels/{level_id}/approve", headers=approver))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * 7, [r.get_json() for r in responses]
    with app.app_context():
        levels = db.session.scalars(db.select(ApprovalLevel).where(ApprovalLevel.request_id == uuid.UUID(request_id))
                                    .order_by(ApprovalLevel.level_number)).all()
        assert [level.status for level in levels] == [LevelStatus.APPROVED, LevelStatus.IN_PROGRESS]
        approvals = db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type == "level.approved"))
        assert approvals == 1
        db.session.remove()


@pytest.mark.usefixtures("committed_demo")
def test_twenty_simultaneous_creates_get_consecutive_numbers(app):
    headers = {"Authorization": f"Bearer {_token(app, 'employee@company.com')}"}
    responses = _all_at_once(app, 20, lambda c: c.post(
        "/api/v1/workflows", headers=headers, json=simple_request("manager@royalenfield.com")))

    assert [response.status_code for response in responses] == [201] * 20, [r.get_json() for r in responses]
    numbers = sorted(response.get_json()["data"]["requestNumber"] for response in responses)
    prefix = numbers[0][: -len("0001")]
    assert numbers == [f"{prefix}{n:04d}" for n in range(1, 21)]


EIGHT = ["manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com", "it-manager@royalenfield.com",
         "cto@royalenfield.com", "procurement@royalenfield.com", "legal@royalenfield.com", "vp@royalenfield.com"]


def _several(app, emails, mode):
    initiator = {"Authorization": f"Bearer {_token(app, 'employee@company.com')}"}
    body = simple_request(approvalLevels=[{"approvers": [{"email": e} for e in emails], "tatHours": 24,
                                           "approvalMode": mode}, {"email": "hr@royalenfield.com", "tatHours": 8}])
    created = app.test_client().post("/api/v1/workflows", headers=initiator, json=body).get_json()["data"]
    return created["requestId"], created["approvalLevels"][0]["levelId"]


@pytest.mark.usefixtures("committed_demo")
def test_eight_approvers_of_an_all_level_approving_at_once_approve_it_once(app):
    request_id, level_id = _several(app, EIGHT, "ALL")
    headers = [{"Authorization": f"Bearer {_token(app, email)}"} for email in EIGHT]
    turn = iter(range(8))
    lock = threading.Lock()

    def approve(client):
        with lock:
            mine = headers[next(turn)]
        return client.post(f"/api/v1/workflows/{request_id}/levels/{level_id}/approve", headers=mine)

    responses = _all_at_once(app, 8, approve)
    assert [response.status_code for response in responses] == [200] * 8, [r.get_json() for r in responses]
    with app.app_context():
        level = db.session.get(ApprovalLevel, uuid.UUID(level_id))
        assert level.status == LevelStatus.APPROVED
        counts = dict(db.session.execute(db.select(Event.type, db.func.count(Event.id)).where(
            Event.subject_id == uuid.UUID(request_id)).group_by(Event.type)).all())
        assert (counts["level.approved"], counts["task.approved"], counts["level.started"]) == (1, 7, 2)
        db.session.remove()


@pytest.mark.usefixtures("committed_demo")
def test_an_approval_and_a_rejection_at_once_on_an_any_level_give_one_decision(app):
    emails = ["manager@royalenfield.com", "director@royalenfield.com"]
    request_id, level_id = _several(app, emails, "ANY")
    approve_as, reject_as = ({"Authorization": f"Bearer {_token(app, email)}"} for email in emails)
    turn = iter(["approve", "reject"])
    lock = threading.Lock()

    def decide(client):
        with lock:
            decision = next(turn)
        headers = approve_as if decision == "approve" else reject_as
        return client.post(f"/api/v1/workflows/{request_id}/levels/{level_id}/{decision}", headers=headers,
                           json={"comments": "at once"})

    responses = _all_at_once(app, 2, decide)
    assert sorted(response.status_code for response in responses) == [200, 409], [r.get_json() for r in responses]
    with app.app_context():
        level = db.session.get(ApprovalLevel, uuid.UUID(level_id))
        assert level.status in (LevelStatus.APPROVED, LevelStatus.REJECTED)
        decided = db.session.scalar(db.select(db.func.count(Event.id)).where(
            Event.subject_id == uuid.UUID(request_id), Event.type.in_(["level.approved", "level.rejected"])))
        assert decided == 1
        db.session.remove()
