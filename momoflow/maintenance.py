"""Recurring maintenance, the tick's ``purge`` duty: forget what has served its time.

- Idempotency records older than ``KEPT_FOR`` (24 h): past that a key names nothing.
- Dispatched events older than ``EVENT_RETENTION_DAYS``. Their notifications and emails
  stay (their ``event_id`` becomes NULL: ON DELETE SET NULL); their webhook deliveries and
  attempts go with them (CASCADE), so an event with a delivery still pending is kept
  until that delivery is done or given up.
- Page sign-ins (``user_sessions``) older than a remember-me cookie lives: no cookie
  can name them any more (a session kept open that long signs in again).
- Out-of-office absences that ended (tasks given back) more than ``KEPT_FOR_DAYS`` ago.
- Webhook endpoints deleted more than ``DELETED_LOG_KEPT_FOR`` (30 days) ago: first their
  deliveries (attempts go with them, CASCADE), then, once none is left, the endpoint, so
  a big log is worked off in bounded batches like everything else.

Deletes go in batches, at most ``MAX_BATCHES`` × ``BATCH`` rows of each kind per tick, so
a tick stays short and locks little; a backlog is worked off over the next ticks. Nothing
here commits.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from momoflow.accounts.absences import KEPT_FOR_DAYS
from momoflow.accounts.models import Absence
from momoflow.apikeys.models import IdempotencyRecord
from momoflow.auth.models import UserSession
from momoflow.events import Event
from momoflow.extensions import db
from momoflow.integrator.idempotency import KEPT_FOR
from momoflow.webhooks.models import DELETED_LOG_KEPT_FOR, DeliveryStatus, WebhookDelivery, WebhookEndpoint

BATCH = 1000
REMEMBER_COOKIE_DURATION = timedelta(days=365)  # Flask-Login's default when the config has none
MAX_BATCHES = 10  # per kind of row, per tick


def purge(now):
    """``{"idempotency_records": n, "events": n, …}``: how many rows of each kind went."""
    long_deleted = WebhookEndpoint.deleted_at < now - DELETED_LOG_KEPT_FOR
    return {
        "idempotency_records": _delete_in_batches(IdempotencyRecord, IdempotencyRecord.created_at < now - KEPT_FOR),
        "events": _delete_in_batches(Event, *_expired_events(now)),
        "user_sessions": _delete_in_batches(UserSession, UserSession.created_at < now - _sign_in_lifetime()),
        "absences": _delete_in_batches(Absence, Absence.returned_at.is_not(None),
                                       Absence.returned_at < now - timedelta(days=KEPT_FOR_DAYS)),
        "webhook_deliveries": _delete_in_batches(WebhookDelivery, WebhookDelivery.endpoint_id.in_(
            sa.select(WebhookEndpoint.id).where(long_deleted))),
        "webhook_endpoints": _delete_in_batches(WebhookEndpoint, long_deleted, ~_has_deliveries()),
    }


def _has_deliveries():
    return sa.select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == WebhookEndpoint.id).exists()


def _sign_in_lifetime():
    lifetime = current_app.config.get("REMEMBER_COOKIE_DURATION", REMEMBER_COOKIE_DURATION)
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)


def _expired_events(now):
    kept_since = now - timedelta(days=current_app.config["EVENT_RETENTION_DAYS"])
    pending = sa.select(WebhookDelivery.id).where(WebhookDelivery.event_id == Event.id,
                                                  WebhookDelivery.status == DeliveryStatus.PENDING)
    return Event.dispatched_at.is_not(None), Event.occurred_at < kept_since, ~pending.exists()


def _delete_in_batches(model, *conditions):
    deleted = 0
    for _ in range(MAX_BATCHES):
        # SKIP LOCKED: a row someone is using right now waits for a later tick.
        batch = sa.select(model.id).where(*conditions).limit(BATCH).with_for_update(skip_locked=True)
        count = db.session.execute(sa.delete(model).where(model.id.in_(batch.scalar_subquery()))
                                   .execution_options(synchronize_session=False)).rowcount
        deleted += count
        if count < BATCH:
            break
    return deleted
