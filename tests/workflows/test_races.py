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
