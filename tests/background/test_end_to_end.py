"""Issue 5's acceptance, end to end: the API served over HTTP with Redis, a real ``rq
worker-pool`` of ``AppWorker``s, a webhook receiver that verifies every signature, and an
SMTP server. In every case: no event lost, and no person emailed twice for one event."""

import time
from collections import Counter

import pytest
import requests
import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.accounts.services import find_organization
from momoflow.apikeys.services import create_api_key
from momoflow.extensions import db
from momoflow.flows import queries, services
from momoflow.flows.models import Flow
from momoflow.notifications.models import Email
from momoflow.webhooks import delivery as webhook_delivery
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


def arrived(receiver, event_type, count=1, workers=None, timeout=30):
    def enough():
        found = receiver.received(event_type)
        return found if len(found) >= count else None

    log = f"; worker log:\n{workers.log()[-3000:]}" if workers else ""
    found = wait_for(enough, timeout=timeout, what=f"{count} {event_type} webhook(s){log}")
    assert all(delivery.verified for delivery in found), [delivery.problem for delivery in found]
    return found


def emails_per_person(smtp):
    """(recipient, subject) → how many copies arrived: each must be 1."""
    return Counter((message["To"], message["Subject"]) for message in smtp.messages)


def all_emails_sent(app):
    """Wait until every email rendered so far is sent; ``Counter((to, subject))`` of them.
    Then the SMTP server has had all it will get: a count taken sooner could miss a copy."""
    with app.app_context():
        def settled():
            rows = db.session.execute(sa.select(Email.to_address, Email.subject, Email.sent_at)).all()
            db.session.rollback()  # at once: see _delivered
            return rows if rows and all(row.sent_at for row in rows) else None

        rows = wait_for(settled, timeout=30, what="every email to be sent")
        db.session.remove()
    return Counter((row.to_address, row.subject) for row in rows)


def each_email_arrived_once(app, smtp):
    sent = all_emails_sent(app)
    assert set(emails_per_person(smtp).values()) == {1}
    assert emails_per_person(smtp) == sent


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
    each_email_arrived_once(background_app, smtp)


def test_a_past_due_date_delivers_flow_overdue_exactly_once(background_app, integrator, receiver, smtp, workers):
    assert integrator(PAST_DUE).status_code == 200
    [overdue] = arrived(receiver, "flow.overdue", workers=workers)
    assert overdue.json["data"]["status"] == "overdue"
    wait_for(lambda: any("overdue" in message["Subject"].lower() for message in smtp.to(EMPLOYEE)),
             timeout=30, what=lambda: f"the overdue email; worker log:\n{workers.log()[-3000:]}")
    ticked = _ticks(workers)
    assert wait_for(lambda: _ticks(workers) >= ticked + 3, timeout=30, what="three more ticks")
    assert len(receiver.received("flow.overdue")) == 1
    each_email_arrived_once(background_app, smtp)


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
    each_email_arrived_once(background_app, smtp)


def test_a_worker_killed_mid_post_delivers_again_once_its_lease_runs_out(
        background_app, integrator, receiver, smtp, worker_environment, tmp_path):
    # Posts may take 10 s here, so the one left hanging is surely still in flight when the
    # workers are killed. Its lease (about 50 s) is waited out for real: nothing moves a clock.
    environment = {**worker_environment, "WEBHOOK_TIMEOUT": "10"}
    lease = webhook_delivery.Settings.from_config(environment).lease.total_seconds()
    receiver.script("hang")  # the first post gets no answer
    workers = WorkerPool(environment, tmp_path / "worker.log").start()
    try:
        assert integrator(FUTURE_DUE).status_code == 200
        [hung] = arrived(receiver, "flow.assigned", workers=workers)
        all_emails_sent(background_app)  # the kill is for the post, not for the mail drain
        workers.kill()  # SIGKILL mid-post: what a crash or an OOM kill looks like
    finally:
        workers.stop()

    with background_app.app_context():
        row = db.session.scalar(sa.select(WebhookDelivery))
        recorded = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt))
        db.session.remove()
    assert (row.status, row.attempts, recorded) == (DeliveryStatus.PENDING, 0, 0)  # died before recording
    leased_until = row.next_attempt_at.timestamp()
    assert hung.at < leased_until <= hung.at + lease

    restarted = WorkerPool(environment, tmp_path / "restarted.log").start()
    try:
        tries = arrived(receiver, "flow.assigned", count=2, workers=restarted,
                        timeout=leased_until - time.time() + 30)
        assert tries[1].at >= leased_until  # not while the dead worker's lease held
        assert tries[0].msg_id == tries[1].msg_id  # the same webhook-id: the receiver can dedupe
        with background_app.app_context():
            assert wait_for(_delivered, timeout=30, what="the delivery to be marked delivered")
            db.session.remove()
    finally:
        restarted.stop()
    each_email_arrived_once(background_app, smtp)


def test_redis_stopped_while_a_flow_is_assigned_the_webhook_arrives_once_it_is_back(
        background_app, integrator, receiver, smtp, redis_server, workers):
    redis_server.stop()
    assert integrator(FUTURE_DUE).status_code == 200  # the API keeps answering
    redis_server.start()  # back, and empty: a restart keeps nothing
    arrived(receiver, "flow.assigned", workers=workers)
    wait_for(lambda: smtp.to(EMPLOYEE), timeout=30, what="the assignee's email")
    assert len(receiver.received("flow.assigned")) == 1
    each_email_arrived_once(background_app, smtp)


def _delivered():
    """The delivered delivery, if any, read in a transaction that ends at once. On SQLite
    every transaction takes the write lock (BEGIN IMMEDIATE): a poller that kept one open
    between its polls held that lock nearly all the time, and the workers it waits for
    failed with "database is locked" after their busy timeout."""
    delivery = db.session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.status == DeliveryStatus.DELIVERED))
    if delivery is not None:
        db.session.expunge(delivery)  # keeps what was read past the rollback
    db.session.rollback()
    return delivery


def _ticks(workers):
    """How many ticks the workers have finished."""
    return workers.log().count("Successfully completed momoflow.jobs.tick.run")
