"""Domain events, recorded in the same transaction as the change they describe.

This table is the outbox: a change and its event commit or roll back together, so
an event is never announced for a change that did not happen, nor lost for one
that did. Committing an event kicks the outbox relay (``momoflow.outbox``), which hands
it to the notifications and webhooks and sets ``dispatched_at``.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from momoflow.database import JSON, UTCDateTime, execute_lean, utcnow
from momoflow.extensions import db
from momoflow.jobs import kick_after_commit

# Every event type the app may record; a typo fails loudly instead of going unheard.
EVENT_TYPES = frozenset({
    "workflow.created",
    "workflow.approved",
    "workflow.rejected",
    "workflow.withdrawn",
    "workflow.returned",  # an approver sent it back for changes (comments, to, resumeLevel, returnsLeft)
    "workflow.resubmitted",  # the initiator changed it and the next round started (round, changes)
    "level.started",  # a level is now waiting on its approver (payload: approverId, tatDeadline, …)
    "level.tat_reminder",  # 50 % or 75 % of a level's TAT has passed (payload: percent)
    "level.tat_breached",  # the TAT has passed without a decision
    "level.approved",
    "level.rejected",
    "level.superseded",  # a level was decided: the approvers who had not acted no longer can (supersededIds)
    "task.approved",  # one approver approved; the level waits for more (approvals, approvalsNeeded)
    "task.rejected",  # one approver rejected; the level can still be approved (UNREACHABLE)
    "task.delegated",  # an approver is out of office: their task went to a stand-in (assigneeId, onBehalfOf)
    "task.delegation_ended",  # the absence ended: the untouched task came back (assigneeId)
    "task.reassigned",  # a task was handed to someone else, by hand or because its holder left
    "task.escalated",  # a breached ESCALATE level: the holder's manager may now decide (assigneeId)
    "task.needs_approver",  # its holder left and nobody stands in: an admin must reassign it
    "approver.added",
    "spectator.added",
    "comment.added",
    "flow.assigned",
    "flow.started",
    "flow.completed",
    "flow.overdue",
    "flow.cancelled",  # an open assignment was cancelled (payload: cancelledBy, a person or an API key; reason)
    "flow.due_date_changed",  # an open assignment's due date moved (payload: previousDueDate, changedBy)
    "flow.reminded",  # the assignee was reminded, by hand or automatically (reminderType, daysBefore, remindedBy)
    "webhook.disabled",  # an endpoint was switched off (gone, or failing for a day): admins hear
    "webhook.test",  # an admin sent a test event to one endpoint: only that endpoint hears
    "absence.set",  # someone set their out of office: their delegate hears (payload: start, end, delegateId)
    "person.deactivated",  # by an admin, or on leaving the directory (deactivatedBy null): admins hear
    "person.reactivated",  # by an admin: admins hear
})


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        # The dispatcher's queue: only undelivered rows, oldest first.
        sa.Index("ix_events_undispatched", "occurred_at", "id",
                 postgresql_where=sa.text("dispatched_at IS NULL"),
                 sqlite_where=sa.text("dispatched_at IS NULL")),
        # The purge's candidates: dispatched events, oldest first.
        sa.Index("ix_events_dispatched", "occurred_at",
                 postgresql_where=sa.text("dispatched_at IS NOT NULL"),
                 sqlite_where=sa.text("dispatched_at IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    type: Mapped[str] = mapped_column(sa.String(60))
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)  # the request, assignment, … it is about
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A handler failed on this event: how often, and when the relay tries it again.
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default=sa.text("0"))
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def record_event(event_type, *, organization_id, subject_id, actor=None, payload=None):
    """Add an event to the current transaction (the caller commits)."""
    _check_type(event_type)
    event = Event(type=event_type, organization_id=organization_id, subject_id=subject_id,
                  actor_id=actor.id if actor else None, payload=payload or {})
    db.session.add(event)
    kick_after_commit(db.session(), "events")
    return event


_INSERT = sa.insert(Event.__table__)


def record_events(event_type, events, actor=None):
    """Events of one type, ``[(organization_id, subject_id, payload)]``, in one INSERT
    (no ORM objects: for paths where every statement counts; one event goes lean)."""
    _check_type(event_type)
    now = utcnow()
    rows = [event_row(event_type, organization_id, subject_id, actor, payload, now)
            for organization_id, subject_id, payload in events]
    if len(rows) == 1:
        execute_lean(_INSERT, rows[0])
    else:
        db.session.execute(_INSERT, rows)
    kick_after_commit(db.session(), "events")


def event_row(event_type, organization_id, subject_id, actor, payload, now):
    """Every column of an event, for the Core INSERT (which applies no model defaults)."""
    return {"id": uuid.uuid4(), "organization_id": organization_id, "type": event_type, "subject_id": subject_id,
            "actor_id": actor.id if actor else None, "payload": payload, "occurred_at": now, "dispatched_at": None,
            "attempts": 0, "retry_at": None}


def _check_type(event_type):
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
