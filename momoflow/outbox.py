"""Relaying the events outbox (``momoflow.events``) to what reacts to events.

``drain_events`` is the ``events`` drain (``momoflow.jobs``): it claims undelivered
events oldest first, a batch at a time, hands the batch to every handler, and marks the
events dispatched in the same transaction. Handlers only write rows (notifications,
emails, webhook deliveries) keyed by the event, a few statements per batch, and kick
their own drains; they never talk to the network, so a batch commits in milliseconds.
Claiming with ``SKIP LOCKED`` lets two workers drain side by side. If a handler fails
on a batch, the batch is handled again one event at a time, and an event that still
fails is logged and dispatched anyway: one bad event never blocks the outbox.
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
)
BATCH = 200
SWEEP_GRACE = timedelta(seconds=10)  # younger work is still on its way through a kick


def drain_events():
    deadline = jobs.drain_started("events")
    while _relay_batch() == BATCH:
        if jobs.time_is_up(deadline):
            jobs.kick("events")  # more to do: a fresh job carries on
            return


def _relay_batch():
    events = db.session.scalars(
        sa.select(Event).where(Event.dispatched_at.is_(None)).order_by(Event.occurred_at, Event.id)
        .limit(BATCH).with_for_update(skip_locked=True)).all()
    for handler in HANDLERS:
        _handle(jobs._import(handler), events)
    if events:
        db.session.execute(sa.update(Event).where(Event.id.in_([event.id for event in events]))
                           .values(dispatched_at=utcnow()))
    db.session.commit()
    return len(events)


def _handle(handler, events):
    if not events:
        return
    try:
        with db.session.begin_nested():
            handler(events)
        return
    except Exception:
        log.warning("%s failed on a batch of %d events; handling them one at a time", handler.__qualname__,
                    len(events), exc_info=True)
    for event in events:
        try:
            with db.session.begin_nested():
                handler([event])
        except Exception:
            log.exception("%s failed for event %s (%s); skipped", handler.__qualname__, event.id, event.type)


def sweep(now):
    """The tick's safety net: kick every drain that has work older than a kick takes."""
    from momoflow.notifications.models import Email
    from momoflow.webhooks.models import DeliveryStatus, WebhookDelivery

    due = {
        "events": sa.select(Event.id).where(Event.dispatched_at.is_(None), Event.occurred_at < now - SWEEP_GRACE),
        "mail": sa.select(Email.id).where(Email.sent_at.is_(None), Email.failed_at.is_(None),
                                          Email.next_attempt_at <= now),
        "webhooks": sa.select(WebhookDelivery.id).where(WebhookDelivery.status == DeliveryStatus.PENDING,
                                                        WebhookDelivery.next_attempt_at <= now),
    }
    for kind, statement in due.items():
        if db.session.execute(statement.limit(1)).first():
            jobs.kick(kind)
