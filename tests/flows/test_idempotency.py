"""Idempotency-Key and X-Request-ID: replays, reuse, work in progress, expiry and races."""

import threading
from datetime import timedelta

import pytest

from momoflow.apikeys.models import IdempotencyRecord
from momoflow.apikeys.services import create_api_key
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.extensions import db as _db
from momoflow.flows.models import Assignment
from momoflow.integrator.idempotency import lock_id
from tests.conftest import need
from tests.flows.conftest import SEED_BODY, Integrator


def _count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-Request-ID"])
def test_the_same_key_and_body_replays_the_first_answer(integrator, db, header):
    first = integrator.post("/flows/assign", json=SEED_BODY, headers={header: "req_unique_id"})
    again = integrator.post("/flows/assign", json=dict(reversed(SEED_BODY.items())), headers={header: "req_unique_id"})
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert _count(db, Assignment) == 1
    assert db.session.scalar(db.select(db.func.count(Event.id)).where(Event.type == "flow.assigned")) == 1


def test_the_same_key_with_another_body_is_422(integrator):
    integrator.post("/flows/assign", json=SEED_BODY, headers={"Idempotency-Key": "k1"})
    response = integrator.post("/flows/assign", json={**SEED_BODY, "priority": "low"},
                               headers={"Idempotency-Key": "k1"})
    assert response.status_code == 422
    assert response.get_json()["error"] == "idempotency_key_reused"


@pytest.mark.usefixtures("committed_demo")
def test_a_duplicate_while_the_first_is_running_is_409(app):
    """The first request holds its key's advisory lock until it commits or rolls back."""
    with app.app_context():
        need(_db.engine.dialect.name == "postgresql", "advisory locks are PostgreSQL's (SQLite runs one writer at a time)")
        from momoflow.accounts.services import find_organization

        api_key, secret = create_api_key(find_organization("demo"), "busy")
        _db.session.commit()
        with _db.engine.connect() as first:  # stands for the first request, mid-transaction
            first.execute(_db.select(_db.func.pg_advisory_xact_lock(lock_id(api_key.id, "busy"))))
            response = Integrator(app.test_client(), secret).post(
                "/flows/assign", json=SEED_BODY, headers={"Idempotency-Key": "busy"})
            assert response.status_code == 409 and response.get_json()["error"] == "request_in_progress"
            first.rollback()
        again = Integrator(app.test_client(), secret).post("/flows/assign", json=SEED_BODY,
                                                           headers={"Idempotency-Key": "busy"})
        assert again.status_code == 200
        _db.session.remove()


def test_keys_belong_to_one_api_key(client, integrator, demo_org, db):
    _, other_secret = create_api_key(demo_org, "Another system")
    db.session.flush()
    integrator.post("/flows/assign", json=SEED_BODY, headers={"Idempotency-Key": "shared-name"})
    response = Integrator(client, other_secret).post(
        "/flows/assign", json=SEED_BODY, headers={"Idempotency-Key": "shared-name"})
    assert response.status_code == 409 and response.get_json()["error"] == "already_assigned"  # ran, not replayed


def test_a_failed_request_gives_its_key_back(integrator, db):
    body = {**SEED_BODY, "flowId": "flow_nope"}
    assert integrator.post("/flows/assign", json=body, headers={"Idempotency-Key": "retry-me"}).status_code == 404
    assert _count(db, IdempotencyRecord) == 0
    again = integrator.post("/flows/assign", json=body, headers={"Idempotency-Key": "retry-me"})
    assert again.status_code == 404 and "Idempotent-Replayed" not in again.headers


def test_keys_expire_after_24_hours(integrator, db):
    integrator.post("/flows/assign", json=SEED_BODY, headers={"Idempotency-Key": "old"})
    record = db.session.scalar(db.select(IdempotencyRecord))
    record.created_at = utcnow() - timedelta(hours=25)
    db.session.flush()
    response = integrator.post("/flows/assign", json=SEED_BODY, headers={"Idempotency-Key": "old"})
    assert response.status_code == 409 and response.get_json()["error"] == "already_assigned"


@pytest.mark.usefixtures("committed_demo")
def test_ten_at_once_make_one_assignment(app):
    with app.app_context():
        from momoflow.accounts.services import find_organization

        _, secret = create_api_key(find_organization("demo"), "racer")
        _db.session.commit()
    barrier, responses = threading.Barrier(10), [None] * 10

    def send(index):
        client = Integrator(app.test_client(), secret)
        barrier.wait()
        responses[index] = client.post("/flows/assign", json=SEED_BODY, headers={"X-Request-ID": "req_unique_id"})

    threads = [threading.Thread(target=send, args=(index,)) for index in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {200, 409} and 200 in statuses, [r.get_json() for r in responses]
    ids = {response.get_json()["assignmentId"] for response in responses if response.status_code == 200}
    assert len(ids) == 1
    assert all(r.get_json()["error"] == "request_in_progress" for r in responses if r.status_code == 409)
    with app.app_context():
        assert _db.session.scalar(_db.select(_db.func.count(Assignment.id))) == 1
        assert _db.session.scalar(_db.select(_db.func.count(Event.id)).where(Event.type == "flow.assigned")) == 1
        _db.session.remove()
