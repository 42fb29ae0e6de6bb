"""Issue 5's acceptance, end to end: the API served over HTTP with Redis, a real ``rq
worker-pool`` of ``AppWorker``s, a webhook receiver that verifies every signature, and an
SMTP server. In every case: no event lost, and no person emailed twice for one event."""

from collections import Counter
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.accounts.services import find_organization
from momoflow.apikeys.services import create_api_key
from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.flows import queries, services
from momoflow.flows.models import Flow
from momoflow.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from momoflow.webhooks.services import create_endpoint
from tests.background.services import WorkerPool, wait_for
from tests.flows.conftest import SEED_BODY

pytestmark = pytest.mark.usefixtures("committed_demo")

EMPLOYEE = SEED_BODY["userEmail"]
PAST_DUE = {**SEED_BODY, "dueDate": "2020-01-31T17:00:00Z"}
FUTURE_DUE = {**SEED_BODY, "dueDate": "2099-01-31T17:00:00Z"}


@pytest.fixture
def integrator(background_app, served, receiver):
    """An API key and a webhook endpoint (every event) pointing at ``receiver``."""
    with background_app.app_context():
        organization = find_organization("demo")
        _, secret = create_api_key(organization, "HR system")
        _, receiver.secret = create_endpoint(organization, receiver.url)
        db.session.commit()
        db.session.remove()
    return lambda body: requests.post(f"{served}/v1/flows/assign", json=body, timeout=30,
                                      headers={"Authorization": f"Bearer {secret}"})


def arrived(receiver, event_type, count=1, workers=None):
    def enough():
        found = receiver.received(event_type)
        return found if len(found) >= count else None

    log = f"; worker log:\n{workers.log()[-3000:]}" if workers else ""
    found = wait_for(enough, timeout=30, what=f"{count} {event_type} webhook(s){log}")
    assert all(delivery.verified for delivery in found), [delivery.problem for delivery in found]
    return found


def emails_per_person(smtp):
    """(recipient, subject) → how many copies arrived: each must be 1."""
    return Counter((message["To"], message["Subject"]) for message in smtp.messages)


def test_assigning_delivers_a_signed_webhook_and_an_email_and_completing_delivers_flow_completed(
        background_app, integrator, receiver, smtp, workers):
    response = integrator(FUTURE_DUE)
    assert response.status_code == 200, response.text
    assignment_id = response.json()["assignmentId"]

    [assigned] = arrived(receiver, "flow.assigned", workers=workers)
    assert assigned.json["data"]["assignmentId"] == assignment_id
    assert assigned.headers["webhook-id"] == assigned.msg_id
    wait_for(lambda: smtp.to(EMPLOYEE), timeout=30, what="the assignee's email")

    with background_app.test_request_context():
        employee = db.session.scalar(sa.select(User).where(User.email == EMPLOYEE))
        flow = db.session.scalar(sa.select(Flow).where(Flow.public_id == SEED_BODY["flowId"]))
        for module in queries.modules_of(flow):
            services.complete_module(employee, assignment_id, module.id)
            db.session.commit()  # each commit kicks the relay through Redis
        db.session.remove()

    [completed] = arrived(receiver, "flow.completed", workers=workers)
    assert completed.json["data"]["status"] == "completed"
    assert set(emails_per_person(smtp).values()) == {1}


def test_a_past_due_date_delivers_flow_overdue_exactly_once(background_app, integrator, receiver, smtp, workers):
    assert integrator(PAST_DUE).status_code == 200
    [overdue] = arrived(receiver, "flow.overdue", workers=workers)
    assert overdue.json["data"]["status"] == "overdue"
    wait_for(lambda: any("overdue" in message["Subject"].lower() for message in smtp.to(EMPLOYEE)),
             timeout=30, what="the overdue email")
    workers_ticked = wait_for(lambda: _ticks(workers) >= 3, timeout=30, what="three more ticks")
    assert workers_ticked
    assert len(receiver.received("flow.overdue")) == 1
    assert set(emails_per_person(smtp).values()) == {1}


def test_a_receiver_answering_500_twice_gets_the_event_with_three_attempts_logged(
        background_app, integrator, receiver, smtp, workers):
    receiver.script(500, 500)  # then 200
    assert integrator(FUTURE_DUE).status_code == 200
    tries = arrived(receiver, "flow.assigned", count=3, workers=workers)
    assert len({delivery.msg_id for delivery in tries}) == 1  # one webhook-id across the retries

    with background_app.app_context():
        delivery = wait_for(lambda: _delivered(), timeout=30, what="the delivery to be marked delivered")
        codes = db.session.scalars(sa.select(WebhookAttempt.status_code).where(WebhookAttempt.delivery_id == delivery.id)
                                   .order_by(WebhookAttempt.attempted_at)).all()
        db.session.remove()
    assert codes == [500, 500, 200] and delivery.attempts == 3
    assert set(emails_per_person(smtp).values()) == {1}


def test_a_worker_killed_mid_delivery_still_delivers_after_a_restart(
        background_app, integrator, receiver, smtp, workers, worker_environment, tmp_path):
    receiver.script("hang")  # the first post never gets an answer
    assert integrator(FUTURE_DUE).status_code == 200
    arrived(receiver, "flow.assigned", workers=workers)
    workers.kill()  # SIGKILL mid-post: the delivery stays leased, undelivered

    with background_app.app_context():
        # The lease is the longest a post may take plus a margin (about half a minute);
        # rather than wait it out, move the clock: the lease is over.
        db.session.execute(sa.update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        db.session.remove()
    restarted = WorkerPool(worker_environment, tmp_path / "restarted.log").start()
    try:
        tries = arrived(receiver, "flow.assigned", count=2, workers=restarted)
        assert tries[0].msg_id == tries[1].msg_id  # the same webhook-id: the receiver can dedupe
        with background_app.app_context():
            assert wait_for(_delivered, timeout=30, what="the delivery to be marked delivered")
            db.session.remove()
    finally:
        restarted.stop()
    assert set(emails_per_person(smtp).values()) == {1}


def test_redis_stopped_while_a_flow_is_assigned_the_webhook_arrives_once_it_is_back(
        background_app, integrator, receiver, smtp, redis_server, workers):
    redis_server.stop()
    assert integrator(FUTURE_DUE).status_code == 200  # the API keeps answering
    redis_server.start()  # back, and empty: a restart keeps nothing
    arrived(receiver, "flow.assigned", workers=workers)
    wait_for(lambda: smtp.to(EMPLOYEE), timeout=30, what="the assignee's email")
    assert len(receiver.received("flow.assigned")) == 1
    assert set(emails_per_person(smtp).values()) == {1}


def _delivered():
    db.session.rollback()  # a fresh snapshot each time
    return db.session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.status == DeliveryStatus.DELIVERED))


def _ticks(workers):
    return workers.log().count("momoflow.jobs.tick.run")
