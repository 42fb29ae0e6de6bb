"""Automatic reminders: the organisation's setting, and the tick's duty that sends them.

An organisation chooses how many days before a due date its assignees are reminded
(``flow_reminder_days``, default 3 and 1) and whether once more after the due date has
passed (``flow_overdue_reminder``, default on). Each reminder is a ``flow.reminded``
event (``reminderType`` ``before_due`` with ``daysBefore``, or ``overdue``), which
notifies and emails the assignee and reaches webhooks; open assignments only.

Which reminder is due: with days 7, 3 and 1, the 3-day one is due while the due date
is between 1 and 3 days away, so after downtime only the nearest one goes out, never
a burst. One whose moment had already passed when the flow was assigned (or re-dated)
is skipped: the person has just been told the date. The overdue reminder goes a day
after the due date (``flow.overdue`` has announced it at once), within a week of it,
so switching it on does not remind anyone of long-forgotten assignments.

Each reminder goes once: ``assignment_reminders`` is keyed by assignment and kind.
The tick claims assignments with ``SKIP LOCKED`` and inserts their reminders with
``ON CONFLICT DO NOTHING RETURNING``: only what that INSERT returns is announced, so a
tick that runs twice, or two workers side by side, send nothing twice. Changing the
due date clears an assignment's reminders (``managing.change_due_date``).
"""

import re
from datetime import timedelta

import sqlalchemy as sa

from momoflow import fields
from momoflow.accounts.models import Organization, User
from momoflow.apikeys.models import ApiKey
from momoflow.database import built_per_dialect, dialect_insert, seconds_between
from momoflow.errors import Forbidden
from momoflow.events import record_events
from momoflow.extensions import db
from momoflow.flows import history
from momoflow.flows.models import OPEN_SQL, Assignment, AssignmentActivity, AssignmentReminder, AssignmentStatus, Flow
from momoflow.flows.queries import with_source_request
from momoflow.flows.schemas import assignment_event_payload

MAX_DAYS = 60
MAX_REMINDERS = 5
DAYS_PROBLEM = (f"Enter whole numbers of days from 1 to {MAX_DAYS} separated by commas, e.g. 3, 1 "
                f"(at most {MAX_REMINDERS}), or leave it empty for none.")
ONLY_ADMINS = "Only administrators can change the reminder settings"
OVERDUE_REMINDER_AFTER = timedelta(days=1)
OVERDUE_REMINDER_UNTIL = timedelta(days=7)
BATCH = 500
MAX_PER_TICK = 5000  # per kind of reminder; a backlog is worked off over a few ticks
_OPEN = sa.text(f"assignments.{OPEN_SQL}")  # literal SQL, so a generic plan can use the partial index


# --- the setting ----------------------------------------------------------------------


def parse_days(value, path, problems):
    """``"3, 1"`` → ``[3, 1]`` (each once, largest first); None (no field) → ``[]``."""
    if value is None:
        return []
    days = _days_in(value)
    if days is None or len(days) > MAX_REMINDERS:
        problems.add(path, DAYS_PROBLEM)
        return None
    return days


def _days_in(text):
    """The distinct numbers of days in ``text``, or None if it holds anything else."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    wrong = fields.Problems()
    numbers = [fields.whole_number(word, "days", wrong, low=1, high=MAX_DAYS, from_text=True)
               for word in re.split(r"[\s,;]+", text) if word]
    return None if wrong else sorted(set(numbers), reverse=True)


def days_of(stored):
    """An organisation's ``flow_reminder_days`` as ``[3, 1]``."""
    return [int(word) for word in (stored or "").split(",") if word.isdigit()]


def save_reminder_settings(actor, days, overdue):
    """Store an admin's reminder settings; ValidationFailed names ``reminder_days``."""
    if not actor.is_admin:
        raise Forbidden(ONLY_ADMINS)
    problems = fields.Problems()
    parsed = parse_days(days, "reminder_days", problems)
    problems.raise_if_any()
    organization = actor.organization
    organization.flow_reminder_days = ",".join(map(str, parsed))
    organization.flow_overdue_reminder = bool(overdue)
    db.session.flush()
    return organization


# --- the tick -------------------------------------------------------------------------


def send_due(now):
    """Send every automatic reminder due at ``now``; how many. The caller commits."""
    sent = 0
    for stored in db.session.scalars(sa.select(Organization.flow_reminder_days).distinct()):
        days = days_of(stored)
        for before, nearer in zip(days, days[1:] + [0]):
            sent += _send_all(now, f"before-{before}", _before_due(stored, before, nearer, now), before)
    return sent + _send_all(now, "overdue", _overdue(now), None)


def _before_due(stored, days, nearer, now):
    """Due in ``nearer`` to ``days`` days, and it was not that close when assigned or re-dated."""
    told_at = sa.func.coalesce(Assignment.redated_at, Assignment.assigned_at)
    return (Organization.flow_reminder_days == stored, Assignment.due_date > now + timedelta(days=nearer),
            Assignment.due_date <= now + timedelta(days=days),
            seconds_between(told_at, Assignment.due_date) >= days * 86400)


def _overdue(now):
    told_at = sa.func.coalesce(Assignment.redated_at, Assignment.assigned_at)
    return (Organization.flow_overdue_reminder.is_(True), Assignment.due_date <= now - OVERDUE_REMINDER_AFTER,
            Assignment.due_date > now - OVERDUE_REMINDER_UNTIL, seconds_between(told_at, Assignment.due_date) >= 0)


def _send_all(now, kind, conditions, days_before):
    sent = 0
    while sent < MAX_PER_TICK:
        rows = _claim(kind, conditions)
        sent += _send(rows, kind, days_before, now)
        if len(rows) < BATCH:
            break
    return sent


def _claim(kind, conditions):
    """The next batch without this reminder, locked: rows another tick holds are skipped."""
    sent = sa.exists().where(AssignmentReminder.assignment_id == Assignment.id, AssignmentReminder.kind == kind)
    return db.session.execute(
        sa.select(Assignment, Flow, User, ApiKey)
        .join(Organization, Organization.id == Assignment.organization_id)
        .join(Flow, Flow.id == Assignment.flow_id)
        .join(User, User.id == Assignment.user_id)
        .outerjoin(ApiKey, ApiKey.id == Assignment.assigned_by_api_key_id)
        .options(sa.orm.lazyload(User.organization), sa.orm.lazyload(ApiKey.organization), with_source_request())
        .where(_OPEN, Assignment.due_date.is_not(None), *conditions, ~sent)
        .order_by(Assignment.due_date, Assignment.id)
        .limit(BATCH)
        .with_for_update(of=Assignment, skip_locked=True)).all()


@built_per_dialect
def _insert_reminders():
    table = AssignmentReminder.__table__
    return (dialect_insert(table).on_conflict_do_nothing(index_elements=["assignment_id", "kind"])
            .returning(table.c.assignment_id))


def _send(rows, kind, days_before, now):
    """Record the reminders of ``rows`` not yet recorded, and announce exactly those."""
    if not rows:
        return 0
    recorded = set(db.session.execute(_insert_reminders(), [
        {"assignment_id": row.Assignment.id, "kind": kind, "sent_at": now} for row in rows]).scalars())
    new = [row for row in rows if row.Assignment.id in recorded]
    if not new:
        return 0
    ids = [row.Assignment.id for row in new]
    db.session.execute(sa.update(Assignment.__table__).where(Assignment.__table__.c.id.in_(ids))
                       .values(last_reminded_at=now))
    summary = f"Automatic reminder: due in {_days(days_before)}" if days_before else "Automatic reminder: overdue"
    db.session.execute(sa.insert(AssignmentActivity.__table__),
                       [history.line_row(assignment_id, "reminded", summary, {"kind": kind}, now)
                        for assignment_id in ids])
    record_events("flow.reminded", [(row.Assignment.organization_id, row.Assignment.id,
                                     _payload(*row, days_before=days_before, now=now)) for row in new])
    return len(new)


def _payload(assignment, flow, user, api_key, *, days_before, now):
    payload = assignment_event_payload(assignment, flow, user, api_key)
    payload["status"] = assignment.effective_status(now).value  # by the tick's clock (tests move it)
    payload.update(reminderType="before_due" if days_before else AssignmentStatus.OVERDUE.value,
                   daysBefore=days_before, remindedBy=None)
    return payload


def _days(count):
    return f"{count} day{'s' if count != 1 else ''}"
