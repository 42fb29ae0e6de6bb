"""Delivering events to webhook endpoints: at least once, signed, retried with backoff.

``plan`` is an outbox handler: it only writes a pending delivery per endpoint that wants
an event. ``drain`` (the ``webhooks`` drain) sends them. It *leases* a few due
deliveries (pushes their next attempt past the longest a request may take) and commits
before any network call, posts them from a small thread pool outside any transaction,
then records each attempt and its outcome. A worker killed mid-post leaves a lease that
runs out and the delivery is sent again, with the same ``webhook-id``.

Only a 2xx counts as delivered; redirects are not followed. A 410 disables the endpoint
at once; so do retries exhausted (``WEBHOOK_RETRY_SCHEDULE``, about a day).
"""

import json
import logging
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from momoflow import jobs
from momoflow.database import built_per_dialect, dialect_insert, utcnow
from momoflow.events import Event
from momoflow.extensions import db
from momoflow.flows.schemas import iso
from momoflow.webhooks import http, signing
from momoflow.webhooks.models import (DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint,
                                      honoured_previous_secret)
from momoflow.webhooks.services import ENDPOINT_DISABLED, SUBSCRIBABLE_EVENTS, give_up_on, message_id

log = logging.getLogger(__name__)

CONCURRENCY = 16  # posts in flight per drain (so per worker); also the most it leases at once
PER_ENDPOINT = 4  # of those, to one endpoint: a receiver sees at most this many connections per worker
GATHER_SECONDS = 0.005  # after a lone reply, how long to wait for others to record them in one transaction
MAX_CONNECT_SECONDS = 5
LEASE_MARGIN = timedelta(seconds=30)  # beyond the longest a post may take
MAX_ERROR_LENGTH = 500

_endpoints = WebhookEndpoint.__table__
_deliveries = WebhookDelivery.__table__
_events = Event.__table__
# A literal, not a parameter: PostgreSQL only uses the partial "due" index for a
# predicate it can see implies the index's own (status = 'pending').
_PENDING = _deliveries.c.status == sa.literal_column("'pending'")


# --- planning (an outbox handler) -------------------------------------------------------

_ENABLED_ENDPOINTS = (sa.select(_endpoints.c.id, _endpoints.c.organization_id, _endpoints.c.event_types)
                      .where(_endpoints.c.organization_id.in_(sa.bindparam("organization_ids", expanding=True)),
                             _endpoints.c.enabled.is_(True)))


def plan(events):
    """A pending delivery of each event to each enabled endpoint that wants it, nothing
    twice; one query and one INSERT for the whole batch."""
    events = [event for event in events if event.type in SUBSCRIBABLE_EVENTS]
    if not events:
        return
    endpoints = defaultdict(list)  # organization id -> [(endpoint id, event types)]
    for endpoint_id, organization_id, types in db.session.execute(
            _ENABLED_ENDPOINTS, {"organization_ids": list({event.organization_id for event in events})}):
        endpoints[organization_id].append((endpoint_id, types))
    now = utcnow()
    rows = [{"id": uuid.uuid4(), "endpoint_id": endpoint_id, "event_id": event.id, "event_type": event.type,
             "status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}
            for event in events for endpoint_id, types in endpoints[event.organization_id]
            if not types or event.type in types]
    if rows:
        db.session.execute(_insert_new_deliveries(), rows)
        jobs.kick_after_commit(db.session(), "webhooks")


@built_per_dialect
def _insert_new_deliveries():
    return dialect_insert(_deliveries).on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])


# --- sending (the drain) ----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    timeout: tuple  # (connect, read) seconds
    allow_loopback: bool
    schedule: tuple  # seconds before each retry

    @classmethod
    def from_config(cls, config):
        read = float(config["WEBHOOK_TIMEOUT"])
        schedule = tuple(int(part) for part in str(config["WEBHOOK_RETRY_SCHEDULE"]).split(",") if part.strip())
        return cls((min(MAX_CONNECT_SECONDS, read), read), bool(config["WEBHOOK_ALLOW_LOOPBACK"]), schedule)

    @property
    def lease(self):
        """Longer than a post can take: connecting to each address tried, then the answer."""
        connect, answer = self.timeout
        return timedelta(seconds=http.MAX_ADDRESSES * connect + answer) + LEASE_MARGIN


@dataclass(frozen=True)
class Send:
    """One leased delivery: all its post needs, read while the rows were at hand."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    attempts: int  # before this one
    url: str
    secret: str
    previous_secret: str | None  # a rotation's old secret while it still signs
    msg_id: str
    body: bytes


@dataclass(frozen=True)
class Outcome:
    send: Send
    attempted_at: object
    status_code: int | None
    error: str | None
    excerpt: str | None
    duration_ms: int

    @property
    def delivered(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def drain():
    deadline = jobs.drain_started("webhooks")
    settings = Settings.from_config(current_app.config)
    kicked, running, outcomes = set(), {}, []  # running: future -> endpoint id
    with ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="webhook") as pool:
        while True:
            retries = record(outcomes, settings)
            sends, more_due = [], False
            if jobs.time_is_up(deadline):  # no new work: finish and record what is in flight
                if not running:
                    db.session.commit()
                    _schedule(retries - kicked)
                    jobs.kick("webhooks")  # a fresh job carries on with whatever is due
                    return
            else:
                sends, more_due = claim(CONCURRENCY - len(running), Counter(running.values()), settings)
            db.session.commit()  # what happened, and the new leases, before any post
            _schedule(retries - kicked)
            kicked |= retries
            for send in sends:
                running[pool.submit(post, send, settings)] = send.endpoint_id
            if not running:
                return
            done = _finished(running, everything=not more_due)
            outcomes = [future.result() for future in done]
            for future in done:
                del running[future]


def _finished(running, everything):
    """The posts to record next: ``everything`` in flight when there is nothing more to
    claim meanwhile; otherwise enough to free half the slots (a claim in a batch, not a row
    per reply), or one when fewer are busy. Counted, never timed: on a busy machine the
    replies of one batch come back spread out, and a time window would then turn each into
    its own transaction, just when the database has the least to spare. Every post ends
    within its timeout, so the wait is bounded."""
    keep = 0 if everything else min(len(running) - 1, CONCURRENCY // 2)
    done, pending = set(), set(running)
    while len(pending) > keep:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        done |= finished
    if pending:
        done |= wait(pending, timeout=GATHER_SECONDS).done  # replies arriving together
    return done


# Ties (deliveries planned together) go by event: an event goes to all its endpoints at
# once, and each claim takes about as many for each endpoint as it has slots free.
_DUE = (sa.select(_deliveries.c.id, _deliveries.c.attempts, _deliveries.c.endpoint_id, _endpoints.c.url,
                  _endpoints.c.secret, _endpoints.c.previous_secret, _endpoints.c.previous_secret_until,
                  _endpoints.c.enabled, _events.c.id.label("event_id"), _events.c.type,
                  _events.c.payload, _events.c.occurred_at)
        .select_from(_deliveries.join(_endpoints, _endpoints.c.id == _deliveries.c.endpoint_id)
                     .join(_events, _events.c.id == _deliveries.c.event_id))
        .where(_PENDING, _deliveries.c.next_attempt_at <= sa.bindparam("now"))
        .order_by(_deliveries.c.next_attempt_at, _deliveries.c.event_id).limit(sa.bindparam("limit"))
        .with_for_update(of=_deliveries, skip_locked=True))


def claim(limit, busy, settings):
    """Lease up to ``limit`` due deliveries (the caller commits); those of a disabled endpoint fail instead.
    Returns ``(sends, more_due)``: whether due deliveries were left for a later claim.

    ``busy`` counts this worker's posts in flight per endpoint: an endpoint gets at most
    PER_ENDPOINT of them, so one that is slow or hangs cannot take every slot from the rest.
    """
    now = utcnow()
    full = [endpoint_id for endpoint_id, count in busy.items() if count >= PER_ENDPOINT]
    statement = _DUE.where(_deliveries.c.endpoint_id.not_in(full)) if full else _DUE
    rows = db.session.execute(statement, {"now": now, "limit": limit}).all()
    chosen, dead = [], []
    for row in rows:
        if not row.enabled:
            dead.append(row.id)
        elif busy[row.endpoint_id] < PER_ENDPOINT:  # the rest stay due, for the next claim
            busy[row.endpoint_id] += 1
            chosen.append(row)
    if chosen:
        db.session.execute(sa.update(_deliveries).where(_deliveries.c.id.in_([row.id for row in chosen]))
                           .values(next_attempt_at=now + settings.lease))
    if dead:
        db.session.execute(sa.update(_deliveries).where(_deliveries.c.id.in_(dead))
                           .values(status=DeliveryStatus.FAILED, last_error=ENDPOINT_DISABLED))
    more_due = len(rows) == limit or len(chosen) + len(dead) < len(rows) or _any_due(full, now)
    return [Send(row.id, row.endpoint_id, row.attempts, row.url, row.secret,
                 honoured_previous_secret(row.previous_secret, row.previous_secret_until, now),
                 message_id(row.event_id), body(row.type, row.occurred_at, row.payload)) for row in chosen], more_due


_DUE_FOR = (sa.select(_deliveries.c.id).where(_PENDING, _deliveries.c.next_attempt_at <= sa.bindparam("now"),
                                              _deliveries.c.endpoint_id.in_(sa.bindparam("ids", expanding=True)))
            .limit(1))


def _any_due(endpoint_ids, now):
    """Whether the endpoints a claim left out (all their slots busy) have deliveries due."""
    return bool(endpoint_ids) and db.session.execute(_DUE_FOR, {"now": now, "ids": endpoint_ids}).first() is not None


def body(event_type, occurred_at, payload):
    return json.dumps({"type": event_type, "timestamp": iso(occurred_at), "data": payload},
                      ensure_ascii=False, separators=(",", ":")).encode()


def post(send, settings):
    """One attempt (in a pool thread: no database, no app context)."""
    attempted_at, started = utcnow(), time.monotonic()
    headers = signing.headers(send.secret, send.msg_id, time.time(), send.body, send.previous_secret)
    status_code = excerpt = error = None
    try:
        response = http.post(send.url, send.body, headers, timeout=settings.timeout,
                             allow_loopback=settings.allow_loopback)
        status_code, excerpt = response.status, response.body_excerpt
        error = _refusal(response)
    except http.DeliveryError as failure:
        error = failure.reason
    except Exception as failure:  # a bug of ours: logged, and the delivery retried like any failure
        log.exception("webhook delivery %s failed unexpectedly", send.delivery_id)
        error = f"internal error: {type(failure).__name__}"
    return Outcome(send, attempted_at, status_code, error and error[:MAX_ERROR_LENGTH], excerpt,
                   round((time.monotonic() - started) * 1000))


def _refusal(response):
    """Why a response does not count as delivered, or None if it does."""
    if 200 <= response.status < 300:
        return None
    if 300 <= response.status < 400:
        return f"HTTP {response.status}: redirects are not followed (to {response.headers.get('location', '?')})"
    if response.status == 410:
        return "HTTP 410 Gone: the endpoint is disabled"
    return f"HTTP {response.status}"


_RECORD = (sa.update(_deliveries).where(_deliveries.c.id == sa.bindparam("delivery_id"))
           .values(status=sa.bindparam("new_status"), attempts=sa.bindparam("new_attempts"),
                   next_attempt_at=sa.bindparam("retry_at"), delivered_at=sa.bindparam("new_delivered_at"),
                   last_status_code=sa.bindparam("status_code"), last_error=sa.bindparam("error"),
                   last_response_excerpt=sa.bindparam("excerpt")))


def record(outcomes, settings):
    """Each attempt and what follows (delivered, a retry, or giving up; the caller commits).
    Returns when the retries are due, to the second."""
    if not outcomes:
        return set()
    now = utcnow()
    db.session.execute(sa.insert(WebhookAttempt.__table__), [
        {"id": uuid.uuid4(), "delivery_id": outcome.send.delivery_id, "attempted_at": outcome.attempted_at,
         "status_code": outcome.status_code, "error": outcome.error, "response_excerpt": outcome.excerpt,
         "duration_ms": outcome.duration_ms} for outcome in outcomes])
    changes, retries, given_up = [], set(), {}
    for outcome in outcomes:
        status, retry_at, reason = _next_step(outcome, settings, now)
        changes.append({"delivery_id": outcome.send.delivery_id, "new_status": status,
                        "new_attempts": outcome.send.attempts + 1, "retry_at": retry_at,
                        "new_delivered_at": now if status == DeliveryStatus.DELIVERED else None,
                        "status_code": outcome.status_code, "error": outcome.error, "excerpt": outcome.excerpt})
        if status == DeliveryStatus.PENDING:
            retries.add(retry_at.replace(microsecond=0) + timedelta(seconds=1))
        if reason:
            given_up.setdefault(outcome.send.endpoint_id, reason)
    db.session.execute(_RECORD, changes)
    for endpoint_id, reason in given_up.items():
        give_up_on(endpoint_id, reason)
    return retries


def _schedule(retries):
    """A drain when each retry is due (with Redis; otherwise the tick's sweep finds them)."""
    for when in sorted(retries):
        jobs.kick_at("webhooks", when)


def _next_step(outcome, settings, now):
    """``(status, next attempt, reason to give up on the endpoint or None)``."""
    if outcome.delivered:
        return DeliveryStatus.DELIVERED, now, None
    if outcome.status_code == 410:
        return DeliveryStatus.FAILED, now, "The endpoint answered 410 Gone"
    attempts = outcome.send.attempts + 1
    if attempts <= len(settings.schedule):
        return DeliveryStatus.PENDING, now + timedelta(seconds=settings.schedule[attempts - 1]), None
    return DeliveryStatus.FAILED, now, f"Every attempt failed ({attempts}); the last: {outcome.error}"
