"""The purge: expired idempotency records, old dispatched events and page sign-ins older
than a remember-me cookie go, in batches; what still needs an event (a pending webhook
delivery) keeps it, and notifications and emails outlive theirs."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from momoflow import maintenance
from momoflow.apikeys.models import IdempotencyRecord
from momoflow.apikeys.services import create_api_key
from momoflow.auth.models import UserSession
from momoflow.events import Event
from momoflow.jobs import tick
from momoflow.notifications.models import Email, Notification
from momoflow.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from momoflow.webhooks.signing import new_secret
from tests.factories import make_org, make_user

NOW = datetime(2030, 6, 1, 12, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)


@pytest.fixture
def organization(db):
    return make_org()


@pytest.fixture
def retention(app):
    return timedelta(days=app.config["EVENT_RETENTION_DAYS"])


def record(db, api_key, created_at):
    row = IdempotencyRecord(api_key_id=api_key.id, key=str(uuid.uuid4()), request_hash="0" * 64,
                            response_status=200, response_body={}, created_at=created_at)
    db.session.add(row)
    db.session.flush()
    return row.id


def event(db, organization, occurred_at, dispatched=True):
    row = Event(organization_id=organization.id, type="flow.assigned", subject_id=uuid.uuid4(), payload={},
                occurred_at=occurred_at, dispatched_at=occurred_at if dispatched else None)
    db.session.add(row)
    db.session.flush()
    return row.id


def exists(db, model, ident):
    return db.session.get(model, ident, populate_existing=True) is not None


def sign_in(db, user, created_at):
    row = UserSession(user_id=user.id, auth_version=user.auth_version, created_at=created_at)
    db.session.add(row)
    db.session.flush()
    return row.id


def test_sign_ins_go_when_no_remember_me_cookie_can_name_them(app, db, organization):
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=30)
    try:
        user = make_user(organization)
        expired = sign_in(db, user, NOW - timedelta(days=30) - SECOND)
        live = sign_in(db, user, NOW - timedelta(days=29))
        assert maintenance.purge(NOW)["user_sessions"] == 1
    finally:
        del app.config["REMEMBER_COOKIE_DURATION"]
    assert not exists(db, UserSession, expired)
    assert exists(db, UserSession, live)


def test_sign_ins_last_a_year_by_default(app, db, organization):
    user = make_user(organization)
    year_old = sign_in(db, user, NOW - timedelta(days=365) - SECOND)
    recent = sign_in(db, user, NOW - timedelta(days=364))
    assert maintenance.purge(NOW)["user_sessions"] == 1
    assert not exists(db, UserSession, year_old) and exists(db, UserSession, recent)


def test_idempotency_records_go_after_24_hours(db, organization):
    api_key, _ = create_api_key(organization, "HR")
    expired = record(db, api_key, NOW - timedelta(hours=24) - SECOND)
    exactly_a_day = record(db, api_key, NOW - timedelta(hours=24))
    fresh = record(db, api_key, NOW - timedelta(hours=1))
    assert maintenance.purge(NOW)["idempotency_records"] == 1
    assert [exists(db, IdempotencyRecord, i) for i in (expired, exactly_a_day, fresh)] == [False, True, True]


def test_dispatched_events_go_after_the_retention_period(db, organization, retention):
    old = event(db, organization, NOW - retention - SECOND)
    recent = event(db, organization, NOW - retention + SECOND)
    undispatched = event(db, organization, NOW - retention - timedelta(days=5), dispatched=False)
    assert maintenance.purge(NOW)["events"] == 1
    assert [exists(db, Event, i) for i in (old, recent, undispatched)] == [False, True, True]


def test_notifications_and_emails_outlive_their_event(db, organization, retention):
    person = make_user(organization)
    old = event(db, organization, NOW - retention - timedelta(days=1))
    notification = Notification(organization_id=organization.id, user_id=person.id, event_id=old,
                                kind="flow.assigned", title="You have a new flow")
    email = Email(user_id=person.id, event_id=old, to_address=person.email, subject="New flow", text_body="t",
                  html_body="<p>t</p>", sent_at=NOW - retention)
    db.session.add_all([notification, email])
    db.session.flush()
    maintenance.purge(NOW)
    assert not exists(db, Event, old)
    assert db.session.get(Notification, notification.id, populate_existing=True).event_id is None
    assert db.session.get(Email, email.id, populate_existing=True).event_id is None


def test_an_event_with_a_pending_webhook_delivery_is_kept(db, organization, retention):
    endpoint = WebhookEndpoint(organization_id=organization.id, url="https://hooks.example.com/x", secret=new_secret())
    db.session.add(endpoint)
    db.session.flush()
    pending, delivered = (event(db, organization, NOW - retention - timedelta(days=1)) for _ in range(2))
    deliveries = {}
    for event_id, status in ((pending, DeliveryStatus.PENDING), (delivered, DeliveryStatus.DELIVERED)):
        delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id, event_type="flow.assigned",
                                   status=status)
        db.session.add(delivery)
        db.session.flush()
        db.session.add(WebhookAttempt(delivery_id=delivery.id,
                                      status_code=500 if status == DeliveryStatus.PENDING else 200))
        deliveries[status] = delivery.id
    db.session.flush()
    assert maintenance.purge(NOW)["events"] == 1
    assert exists(db, Event, pending) and exists(db, WebhookDelivery, deliveries[DeliveryStatus.PENDING])
    # A finished delivery and its attempts go with their event (ON DELETE CASCADE).
    assert not exists(db, Event, delivered) and not exists(db, WebhookDelivery, deliveries[DeliveryStatus.DELIVERED])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)
                             .where(WebhookAttempt.delivery_id == deliveries[DeliveryStatus.DELIVERED])) == 0
    db.session.get(WebhookDelivery, deliveries[DeliveryStatus.PENDING]).status = DeliveryStatus.FAILED
    db.session.flush()
    assert maintenance.purge(NOW)["events"] == 1  # given up: nothing needs it any more


def test_deletes_go_in_bounded_batches(db, organization, retention, monkeypatch):
    monkeypatch.setattr(maintenance, "BATCH", 2)
    monkeypatch.setattr(maintenance, "MAX_BATCHES", 2)
    api_key, _ = create_api_key(organization, "HR")
    for _ in range(5):
        record(db, api_key, NOW - timedelta(days=2))
        event(db, organization, NOW - retention - timedelta(days=1))
    nothing_else = {"user_sessions": 0, "absences": 0, "webhook_deliveries": 0, "webhook_endpoints": 0}
    assert maintenance.purge(NOW) == {"idempotency_records": 4, "events": 4, **nothing_else}  # two batches each
    assert maintenance.purge(NOW) == {"idempotency_records": 1, "events": 1, **nothing_else}
    assert maintenance.purge(NOW) == {"idempotency_records": 0, "events": 0, **nothing_else}


def test_the_tick_purges(db, organization, retention):
    api_key, _ = create_api_key(organization, "HR")
    expired = record(db, api_key, NOW - timedelta(days=2))
    old = event(db, organization, NOW - retention - timedelta(days=1))
    db.session.commit()
    tick.run(now=NOW)
    assert not exists(db, IdempotencyRecord, expired) and not exists(db, Event, old)
