"""Background work: on RQ when ``REDIS_URL`` is set, in-process otherwise.

Work is pulled, not pushed. Each kind of background work is a table of rows to
process (the events outbox, emails, webhook deliveries) and a *drain* job that
processes the rows that are due. A transaction that adds such rows asks for a
*kick* of that drain, performed once it has committed:

- with Redis: a flag (``SET NX``) and one RQ job, so a burst of commits costs one job
  while the flag is up, not one per row; the drain lowers the flag as it starts;
- in-process (``make run``, most tests): the drain runs at the end of the request.

If Redis is down at commit time the change still commits and its rows wait in the
database; the periodic tick (``momoflow.jobs.tick``, on RQ's scheduler) finds them
once Redis is back. Every handler is keyed by its row, so a drain that runs twice
does nothing twice.
"""

import logging
import time
import uuid
from functools import cache

from flask import current_app, g, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# kind of work -> its drain (RQ enqueues by dotted path; the kind is also the queue name)
DRAINS = {
    "events": "momoflow.outbox.drain_events",
    "webhooks": "momoflow.webhooks.delivery.drain",
    "mail": "momoflow.notifications.mail.drain",
    "exports": "momoflow.exports.services.drain",  # report files (CSV, Excel, PDF)
}
SCHEDULE_QUEUE = "default"  # the tick and timed kicks
QUEUES = (*DRAINS, SCHEDULE_QUEUE)
KICK_FLAG_SECONDS = 30  # a lost drain job blocks new kicks at most this long
DRAIN_TIMEOUT = 600  # seconds an RQ drain job may run
# A drain works this long, then hands over to a fresh job (``drain_done``): under steady
# load it would otherwise never run out of work, and RQ would kill it at DRAIN_TIMEOUT.
DRAIN_SLICE_SECONDS = 30
# A drain that crashed (the database away, say) runs again after a pause; its rows wait
# meanwhile, and the tick's sweep kicks them anyway. Failed jobs stay visible in RQ.
DRAIN_RETRY = Retry(max=3, interval=[5, 30, 120])


def kick_after_commit(session, kind):
    """Run ``kind``'s drain once ``session``'s transaction commits (not at all if it rolls back)."""
    if kind not in DRAINS:
        raise ValueError(f"unknown kind of background work {kind!r}")
    session.info.setdefault("momoflow_kicks", set()).add(kind)


@event.listens_for(Session, "after_commit")
def _kick_committed(session):
    if session.in_nested_transaction():
        return  # a savepoint released: nothing is visible to a worker until the real commit
    for kind in sorted(session.info.pop("momoflow_kicks", ())):
        kick(kind)


@event.listens_for(Session, "after_rollback")
def _forget_kicks(session):
    if not session.in_nested_transaction():  # a savepoint's rollback leaves the rest to commit
        session.info.pop("momoflow_kicks", None)


def kick(kind):
    """Have ``kind``'s drain run soon. Never raises: if Redis is down the tick catches up."""
    if not redis_configured():
        if has_app_context():
            g.setdefault("momoflow_pending_drains", set()).add(kind)
        return
    try:
        if connection().set(f"momoflow:kick:{kind}", "1", nx=True, ex=KICK_FLAG_SECONDS):
            enqueue(kind, DRAINS[kind], job_id=f"drain-{kind}-{uuid.uuid4().hex[:16]}", job_timeout=DRAIN_TIMEOUT,
                    retry=DRAIN_RETRY)
    except RedisError as error:
        log.warning("could not queue the %s drain (Redis: %s); the tick will pick the work up", kind, error)


def drain_started(kind):
    """Called first thing by a drain: commits after this moment kick a new one. Returns
    the moment (``time.monotonic()``) the drain should stop taking new work."""
    if redis_configured():
        connection().delete(f"momoflow:kick:{kind}")
    return time.monotonic() + DRAIN_SLICE_SECONDS


def time_is_up(deadline):
    """True once a drain's slice is over; it then kicks a successor and returns."""
    return time.monotonic() >= deadline


def kick_at(kind, when):
    """Have ``kind``'s drain run at ``when`` (e.g. a webhook retry); at most one per second."""
    if not redis_configured():
        return  # in-process there is no scheduler: the tick (piggybacked on requests) catches up
    try:
        queue(SCHEDULE_QUEUE).enqueue_at(when, "momoflow.jobs.kick", kind, job_id=f"kick-{kind}-{int(when.timestamp())}",
                                         unique=True, result_ttl=0)
    except DuplicateJobError:
        pass  # one is already due then
    except RedisError as error:
        log.warning("could not schedule the %s drain for %s (Redis: %s)", kind, when.isoformat(), error)


def run_pending_in_process():
    """In-process mode: run the drains this context kicked, until none kicks another."""
    pending = g.get("momoflow_pending_drains")
    while pending:
        kind = min(pending, key=list(DRAINS).index)  # events first: they create mail and deliveries
        pending.discard(kind)
        _import(DRAINS[kind])()


def enqueue(queue_name, function_path, *args, **options):
    return queue(queue_name).enqueue(function_path, *args, failure_ttl=7 * 24 * 3600, **options)


def redis_configured():
    return bool(current_app.config.get("REDIS_URL"))


def connection():
    return _connection(current_app.config["REDIS_URL"])


@cache
def _connection(url):
    # Short timeouts: a Redis that is down must not hold a web request for long.
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


def queue(name):
    return Queue(name, connection=connection(), serializer="json")


def _import(dotted):
    module, _, name = dotted.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)
