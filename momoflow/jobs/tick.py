"""The periodic tick: time-driven work, every ``TICK_SECONDS`` on RQ's scheduler.

Each tick schedules the next one first (job ids are per time slot, so however many
workers ask, one tick runs per slot), then runs every duty in its own transaction: a
duty that fails is logged and retried next tick without stopping the others.
In-process (no Redis) the tick piggybacks on requests instead (``maybe_run_in_process``).
"""

import logging
import threading
import time
from datetime import datetime, timezone

from flask import current_app
from redis.exceptions import RedisError
from rq.exceptions import DuplicateJobError

from momoflow import jobs
from momoflow.database import utcnow
from momoflow.extensions import db

log = logging.getLogger(__name__)

# Each takes ``now`` and commits nothing itself.
DUTIES = (
    "momoflow.outbox.sweep",  # work a lost kick left behind: undispatched events, due mail and webhooks
    "momoflow.accounts.absences.tick",  # out of office began (tasks to the stand-in) or ended (back)
    "momoflow.accounts.services.refresh_approvers",  # approvers who left the directory: their tasks move on
    "momoflow.workflows.tat.check",  # TAT reminders at 50 % and 75 %, breaches at 100 %
    "momoflow.flows.overdue.check",  # assignments past due: flow.overdue, once
    "momoflow.flows.reminders.send_due",  # automatic reminders before and after the due date: flow.reminded
    "momoflow.flows.schedules.run_due",  # recurring assignments
    "momoflow.flows.audiences.apply_rules",  # people who joined a group or department a flow follows
    "momoflow.maintenance.purge",  # expired idempotency records, old delivered events
    "momoflow.exports.services.tick",  # stale builds queued again, expired files deleted, lost kicks
)
_in_process_lock = threading.Lock()
_last_in_process = 0.0


def run(now=None):
    """One tick (the RQ job, or called directly by tests with a chosen ``now``)."""
    if now is None and jobs.redis_configured():
        ensure_scheduled()
    now = now or utcnow()
    for duty in DUTIES:
        try:
            jobs._import(duty)(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("tick duty %s failed; it runs again next tick", duty)
    if not jobs.redis_configured():
        jobs.run_pending_in_process()


def ensure_scheduled():
    """Schedule the tick of the next slot (a no-op if it already is)."""
    seconds = current_app.config["TICK_SECONDS"]
    slot = int(time.time() // seconds) + 1
    when = datetime.fromtimestamp(slot * seconds, timezone.utc)
    try:
        jobs.queue(jobs.SCHEDULE_QUEUE).enqueue_at(when, "momoflow.jobs.tick.run", job_id=f"tick-{slot}",
                                                   unique=True, result_ttl=0, failure_ttl=24 * 3600,
                                                   job_timeout=max(60, 5 * seconds))
    except DuplicateJobError:
        pass
    except RedisError as error:
        log.warning("could not schedule the tick (Redis: %s)", error)


def maybe_run_in_process():
    """No Redis: run the tick at the end of a request when one is due (``make run``)."""
    global _last_in_process
    if time.monotonic() - _last_in_process < current_app.config["TICK_SECONDS"]:
        return
    if not _in_process_lock.acquire(blocking=False):
        return
    try:
        _last_in_process = time.monotonic()
        run()
    finally:
        _in_process_lock.release()
