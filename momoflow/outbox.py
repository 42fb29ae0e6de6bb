"""Relaying the events outbox (``momoflow.events``) to what reacts to events.

``drain_events`` is the ``events`` drain (``momoflow.jobs``): it claims undelivered
events oldest first, a batch at a time, hands the batch to every handler, and marks the
events dispatched in the same transaction. Handlers only write rows (notifications,
emails, webhook deliveries) keyed by the event, a few statements per batch, and kick
their own drains; they never talk to the network, so a batch commits in milliseconds.
Claiming with ``SKIP LOCKED`` lets two workers drain side by side. If a handler fails
on a batch, the batch is handled again one event at a time. An event that still fails
is not lost: it stays undispatched and is tried again later (``RETRY_AFTER``), all
handlers again, which is safe because each one's rows are keyed by the event. The rest
of the batch goes on, so one bad event never blocks the outbox. After the last retry
the event is given up on, loudly.
"""

import logging
from datetime import timedelta

import sqlalchemy as sa

from momoflow import jobs
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.extensions import db

log = logging.getLogger(__name__)

HANDLERS = (
    "momoflow.notifications.handlers.handle",  # in-app notifications and emails
    "momoflow.webhooks.delivery.plan",  # a delivery per subscribed endpoint
    "momoflow.request_templates.on_approval.handle",  # flows a template assigns when its request is approved
)
BATCH = 200
SWEEP_GRACE = timedelta(seconds=10)  # younger work is still on its way through a kick
# Waits before trying a failed event again: a passing outage is ridden out, a bug is
# given about seven hours to be fixed and deployed, then the event is given up on.
RETRY_AFTER = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
               timedelta(hours=6))


def drain_events():
    deadline = jobs.drain_started("events")
    while _relay_batch() == BATCH:
        if jobs.time_is_up(deadline):
            jobs.kick("events")  # more to do: a fresh job carries on
            return


def _due(now):
    return sa.and_(Event.dispatched_at.is_(None), sa.or_(Event.retry_at.is_(None), Event.retry_at <= now))


def _relay_batch():
    now = utcnow()
    events = db.session.scalars(
        sa.select(Event).where(_due(now)).order_by(Event.occurred_at, Event.id)
        .limit(BATCH).with_for_update(skip_locked=True)).all()
    failed = set()
    for handler in HANDLERS:
        failed |= _handle(jobs._import(handler), events)
    handled = [event.id for event in events if event.id not in failed]
    if handled:
        db.session.execute(sa.update(Event).where(Event.id.in_(handled)).values(dispatched_at=now))
    retries = [_try_again_later(event, now) for event in events if event.id in failed]
    if any(retries):
        jobs.kick_at("events", min(filter(None, retries)))  # one timed kick for the batch, not one each
    db.session.commit()
    return len(events)


def _handle(handler, events):
    """The ids of the events ``handler`` failed on, each alone."""
    if not events:
        return set()
    try:
        with db.session.begin_nested():
            handler(events)
        return set()
    except Exception:
        log.warning("%s failed on a batch of %d events; handling them one at a time", handler.__qualname__,
                    len(events), exc_info=True)
    failed = set()
    for event in events:
        try:
            with db.session.begin_nested():
                handler([event])
        except Exception:
            log.exception("%s failed for event %s (%s)", handler.__qualname__, event.id, event.type)
            failed.add(event.id)
    return failed


def _try_again_later(event, now):
    """When ``event`` is tried next, or None if it has had its last try."""
    event.attempts += 1
    if event.attempts > len(RETRY_AFTER):
        event.dispatched_at = now
        log.error("gave up on event %s (%s) after %d failed attempts; its notifications and webhooks were not "
                  "all made", event.id, event.type, event.attempts)
        return None
    event.retry_at = now + RETRY_AFTER[event.attempts - 1]
    log.warning("event %s (%s) will be tried again at %s (attempt %d failed)", event.id, event.type,
                event.retry_at.isoformat(), event.attempts)
    return event.retry_at


def sweep(now):
    """The tick's safety net: kick every drain that has work older than a kick takes."""
    from momoflow.notifications.models import Email
    from momoflow.webhooks.models import DeliveryStatus, WebhookDelivery

    due = {
        "events": sa.select(Event.id).where(_due(now), Event.occurred_at < now - SWEEP_GRACE),
        "mail": sa.select(Email.id).where(Email.sent_at.is_(None), Email.failed_at.is_(None),
                                          Email.next_attempt_at <= now),
        "webhooks": sa.select(WebhookDelivery.id).where(WebhookDelivery.status == DeliveryStatus.PENDING,
                                                        WebhookDelivery.next_attempt_at <= now),
    }
    for kind, statement in due.items():
        if db.session.execute(statement.limit(1)).first():
            jobs.kick(kind)
