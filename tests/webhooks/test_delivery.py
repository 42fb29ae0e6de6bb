"""Delivering events to webhook endpoints: real PostgreSQL, a real receiver on 127.0.0.1
checking every signature; only answers are scripted (500s, 410, a redirect, a hang)."""

import re
from collections import Counter
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow import jobs
from momoflow.database import utcnow
from momoflow.errors import ValidationFailed
from momoflow.events import Event, record_event
from momoflow.flows import services as flows
from momoflow.flows.models import Module
from momoflow.flows.validation import parse_assignment
from momoflow.webhooks import delivery, services
from momoflow.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from momoflow.webhooks.signing import new_secret
from tests.flows.conftest import SEED_BODY, demo_org, integrator  # noqa: F401  (fixtures)
from tests.webhooks.receiver import Receiver, receiver  # noqa: F401  (fixture)

ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"


@pytest.fixture
def endpoint(receiver, demo_org, db):
    endpoint, receiver.secret = services.create_endpoint(demo_org, receiver.url)
    db.session.commit()
    return endpoint


def assign(demo, email=EMPLOYEE, flow_id="flow_123abc"):
    spec = parse_assignment({"flowId": flow_id, "userEmail": email})
    return flows.assign_flow(flows.Assigner(demo[ADMIN].organization_id, person=demo[ADMIN]), spec).assignment


def settle(db):
    """Commit, then run what the commit kicked (the relay, then the deliveries), as a request's end does."""
    db.session.commit()
    jobs.run_pending_in_process()


def deliveries(db):
    return db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.created_at)
                              .execution_options(populate_existing=True)).all()


def attempts_of(db, row):
    return db.session.scalars(sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == row.id)
                              .order_by(WebhookAttempt.attempted_at)).all()


def event_of(db, event_type):
    return db.session.scalar(sa.select(Event).where(Event.type == event_type))


# --- what is sent ---------------------------------------------------------------------


def test_an_assignment_through_the_api_is_delivered_signed(integrator, endpoint, receiver, db):
    response = integrator.post("/flows/assign", json=SEED_BODY)
    assert response.status_code == 200

    [received] = receiver.deliveries
    assert received.verified, received.problem
    event = event_of(db, "flow.assigned")
    assert received.msg_id == received.headers["webhook-id"] == f"msg_{event.id.hex}"
    body = received.json
    assert list(body) == ["type", "timestamp", "data"] and body["type"] == "flow.assigned"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["timestamp"])
    assert body["data"] == event.payload
    assert body["data"]["assignmentId"] == response.get_json()["assignmentId"]
    assert body["data"]["assignedBy"] == {"type": "api_key", "name": "HR system"}

    [row] = deliveries(db)
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert row.delivered_at is not None and row.last_response_excerpt == "ok"
    [attempt] = attempts_of(db, row)
    assert attempt.status_code == 200 and attempt.error is None and attempt.duration_ms >= 0


def test_flow_completed_goes_only_to_endpoints_that_chose_it(demo, demo_org, receiver, db):
    endpoint, receiver.secret = services.create_endpoint(demo_org, receiver.url, ["flow.completed"])
    assignment = assign(demo, flow_id="flow_sec101")
    settle(db)
    assert receiver.deliveries == []  # flow.assigned was not chosen

    person = demo[EMPLOYEE]
    for module in db.session.scalars(sa.select(Module).where(Module.flow_id == assignment.flow_id)
                                     .order_by(Module.position)):
        flows.complete_module(person, assignment.public_id, module.id)
    settle(db)

    [received] = receiver.deliveries
    assert received.verified and received.json["type"] == "flow.completed"
    data = received.json["data"]
    assert data["assignmentId"] == assignment.public_id and data["status"] == "completed"
    assert data["progress"]["percent"] == 100 and data["completedAt"]
    assert [row.event_type for row in deliveries(db)] == ["flow.completed"]


def test_workflow_events_carry_their_payload(demo, demo_org, endpoint, receiver, db):
    payload = {"requestId": str(uuid.uuid4()), "requestNumber": "REQ-2024-0001", "title": "Laptop",
               "status": "APPROVED"}
    record_event("workflow.approved", organization_id=demo_org.id, subject_id=uuid.uuid4(), payload=payload)
    settle(db)
    [received] = receiver.deliveries
    assert received.verified and received.json["type"] == "workflow.approved" and received.json["data"] == payload


# --- retries, giving up ---------------------------------------------------------------


def test_500_500_200_is_delivered_on_the_third_attempt_with_one_webhook_id(demo, endpoint, receiver, db):
    receiver.script(500, 500, 200)
    assign(demo)
    settle(db)

    assert [d.verified for d in receiver.deliveries] == [True] * 3
    assert len({d.msg_id for d in receiver.deliveries}) == 1
    [row] = deliveries(db)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (DeliveryStatus.DELIVERED, 3, 200,
                                                                                 None)
    assert [(a.status_code, a.error) for a in attempts_of(db, row)] == [(500, "HTTP 500"), (500, "HTTP 500"),
                                                                       (200, None)]
    assert attempts_of(db, row)[0].response_excerpt == "answer 500"


def test_a_retry_waits_for_its_turn_in_the_schedule(app, demo, endpoint, receiver, db, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", "60,600")
    receiver.script(503)
    assign(demo)
    settle(db)
    [row] = deliveries(db)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
    assert timedelta(seconds=55) < row.next_attempt_at - utcnow() <= timedelta(seconds=60)

    delivery.drain()  # not due yet: nothing is sent
    assert len(receiver.deliveries) == 1
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    delivery.drain()
    [row] = deliveries(db)
    assert (row.status, row.attempts, len(receiver.deliveries)) == (DeliveryStatus.DELIVERED, 2, 2)


def test_410_disables_the_endpoint_at_once(demo, demo_org, endpoint, receiver, db):
    receiver.script(410)
    assign(demo)
    settle(db)

    [row] = deliveries(db)
    assert (row.status, row.attempts, row.last_status_code) == (DeliveryStatus.FAILED, 1, 410)
    db.session.refresh(endpoint)
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    disabled = event_of(db, "webhook.disabled")
    assert disabled.subject_id == endpoint.id and disabled.organization_id == demo_org.id
    assert disabled.payload == {"endpointId": str(endpoint.id), "url": endpoint.url,
                                "reason": endpoint.disabled_reason}

    assign(demo, email="hr@royalenfield.com")
    settle(db)
    assert len(receiver.deliveries) == 1 and len(deliveries(db)) == 1  # nothing more for a disabled endpoint


def test_retries_exhausted_disable_the_endpoint_and_tell_the_admins(demo, endpoint, receiver, db):
    receiver.script(500, 500, 500, 500)
    assign(demo)
    settle(db)

    assert len(receiver.deliveries) == 4  # the first attempt and three retries
    [row] = deliveries(db)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 4)
    db.session.refresh(endpoint)
    assert not endpoint.enabled and endpoint.disabled_reason == "Every attempt failed (4); the last: HTTP 500"
    disabled = event_of(db, "webhook.disabled")
    assert disabled.payload["reason"] == endpoint.disabled_reason and disabled.dispatched_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)
                             .where(WebhookDelivery.event_id == disabled.id)) == 0


def test_a_redirect_is_not_followed_and_counts_as_a_failure(demo, endpoint, receiver, db):
    receiver.script(302, 200)
    assign(demo)
    settle(db)

    assert [d.path for d in receiver.deliveries] == ["/hooks/momoflow"] * 2  # never /elsewhere
    [row] = deliveries(db)
    first, second = attempts_of(db, row)
    assert first.status_code == 302 and first.error == "HTTP 302: redirects are not followed (to /elsewhere)"
    assert second.status_code == 200 and (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_receiver_that_hangs_times_out_and_is_retried(app, demo, endpoint, receiver, db, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 0.3)
    receiver.script("hang", 200)
    assign(demo)
    settle(db)
    [row] = deliveries(db)
    first, second = attempts_of(db, row)
    assert first.status_code is None and first.error == "no complete response within 0.3s"
    assert second.status_code == 200 and row.status == DeliveryStatus.DELIVERED


def test_a_private_address_is_refused_with_a_clear_reason(demo, demo_org, receiver, db):
    with pytest.raises(ValidationFailed) as refused:
        services.create_endpoint(demo_org, "http://10.0.0.1/hooks")
    assert refused.value.problems == [("url", "This URL cannot be used: 10.0.0.1 is "
                                              "a private address")]
    # An endpoint saved before its address turned private (DNS changes): each attempt is refused.
    db.session.add(WebhookEndpoint(organization_id=demo_org.id, url="http://10.0.0.1/hooks", secret=new_secret()))
    assign(demo)
    settle(db)
    [row] = deliveries(db)
    errors = {attempt.error for attempt in attempts_of(db, row)}
    assert errors == {"10.0.0.1 is a private address"} and row.status == DeliveryStatus.FAILED
    assert all(attempt.status_code is None for attempt in attempts_of(db, row))


# --- at least once, never twice by mistake ------------------------------------------------


def test_the_same_event_handled_twice_makes_one_delivery(demo, endpoint, receiver, db, monkeypatch):
    monkeypatch.setattr(delivery, "drain", lambda: None)  # keep the delivery pending to look at it
    assign(demo)
    settle(db)
    event = event_of(db, "flow.assigned")
    delivery.plan([event])
    delivery.plan([event, event])
    db.session.commit()
    [row] = deliveries(db)
    assert (row.event_id, row.endpoint_id, row.status) == (event.id, endpoint.id, DeliveryStatus.PENDING)


def test_a_worker_killed_mid_post_leaves_a_lease_that_runs_out(app, demo, endpoint, receiver, db, monkeypatch):
    monkeypatch.setattr(jobs, "run_pending_in_process", lambda: None)
    assign(demo)
    db.session.commit()
    from momoflow.outbox import drain_events
    drain_events()
    settings = delivery.Settings.from_config(app.config)
    [send], _ = delivery.claim(10, Counter(), settings)
    db.session.commit()  # ...and the worker dies before posting or recording anything
    [row] = deliveries(db)
    assert row.status == DeliveryStatus.PENDING and row.next_attempt_at > utcnow() + timedelta(seconds=30)

    delivery.drain()  # another worker: the lease has not run out, nothing is sent
    assert receiver.deliveries == []
    row.next_attempt_at = utcnow()
    db.session.commit()
    delivery.drain()
    [received] = receiver.deliveries
    assert received.verified and received.msg_id == send.msg_id
    assert deliveries(db)[0].status == DeliveryStatus.DELIVERED


def test_webhook_disabled_is_not_an_event_endpoints_can_hear(demo_org, endpoint, db):
    with pytest.raises(ValidationFailed):
        services.update_event_types(demo_org, endpoint.id, ["webhook.disabled"])
    event = record_event("webhook.disabled", organization_id=demo_org.id, subject_id=endpoint.id,
                         payload={"endpointId": str(endpoint.id), "url": endpoint.url, "reason": "test"})
    db.session.flush()
    delivery.plan([event])
    assert deliveries(db) == []


def test_disabling_drops_what_was_waiting_and_enabling_takes_new_events(app, demo, demo_org, endpoint, receiver, db,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", "600")
    receiver.script(500)
    assign(demo)
    settle(db)
    services.disable_endpoint(demo_org, endpoint.id)
    db.session.commit()
    [row] = deliveries(db)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 1, services.ENDPOINT_DISABLED)
    assert event_of(db, "webhook.disabled") is None  # an admin's own choice needs no announcement

    services.enable_endpoint(demo_org, endpoint.id)
    assign(demo, email="hr@royalenfield.com")
    settle(db)
    assert [d.json["data"]["userEmail"] for d in receiver.deliveries] == [EMPLOYEE, "hr@royalenfield.com"]
    assert [row.status for row in deliveries(db)] == [DeliveryStatus.FAILED, DeliveryStatus.DELIVERED]


@pytest.mark.parametrize("spread", [0, 0.02], ids=["replies-together", "replies-one-by-one"])
def test_many_events_are_delivered_in_a_few_batches(spread, demo, demo_org, receiver, db, count_queries, app,
                                                    monkeypatch):
    # The receiver fixture's 1 s timeout (for the failure tests) is not what this one is about:
    # on a loaded machine a reply can take longer, the post is retried, and it counts twice.
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 10)
    receiver.spread = spread  # 20 ms apart: how the replies of a batch come back on a busy machine
    receiver.secret = new_secret()
    for number in range(4):  # a batch takes at most PER_ENDPOINT deliveries to each endpoint
        endpoint, _ = services.create_endpoint(demo_org, f"{receiver.url}?endpoint={number}")
        endpoint.secret = receiver.secret  # one receiver behind four endpoints
    for email in list(demo)[:10]:
        assign(demo, email=email)
    db.session.commit()
    from momoflow.outbox import drain_events
    drain_events()
    with count_queries() as statements:
        delivery.drain()
    assert len(receiver.deliveries) == 40 and all(d.verified for d in receiver.deliveries)
    assert [(row.status, row.attempts) for row in deliveries(db)] == [(DeliveryStatus.DELIVERED, 1)] * 40
    sent = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(sent) <= 25, sent  # a few batches: not a statement or a commit per delivery


def test_a_slow_endpoint_gets_a_few_connections_and_the_others_the_rest(app, demo, demo_org, receiver, db):
    slow = Receiver(delay=0.2).start()
    try:
        endpoint, slow.secret = services.create_endpoint(demo_org, slow.url)
        fast, receiver.secret = services.create_endpoint(demo_org, receiver.url)
        for email in list(demo)[:12]:
            assign(demo, email=email)
        settle(db)
    finally:
        slow.stop()
    assert len(receiver.deliveries) == len(slow.deliveries) == 12
    assert 1 < slow.max_in_flight <= delivery.PER_ENDPOINT
    assert {row.status for row in deliveries(db)} == {DeliveryStatus.DELIVERED}
