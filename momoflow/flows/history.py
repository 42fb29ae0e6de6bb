"""An assignment's history: a line for each change made to it after it was assigned
(cancelled, re-dated, reminded, reassigned), written in the change's transaction.

The event that goes with a change (``flow.cancelled``…) carries the facts for
integrators and notifications; the line is what the assignment's page reads, so it is
kept as long as the assignment (events are purged after a month).
"""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.apikeys.models import ApiKey
from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.flows.models import AssignmentActivity

AUTOMATIC = "MomoFlow"  # who sent an automatic reminder


def add_line(assigner, assignment, action, summary, **details):
    """One line, by ``assigner`` (None: MomoFlow itself, e.g. an automatic reminder)."""
    db.session.add(AssignmentActivity(
        assignment_id=assignment.id, actor_id=assigner.person_id if assigner else None,
        api_key_id=assigner.api_key_id if assigner else None, action=action, summary=summary, details=details,
        occurred_at=utcnow()))


def line_row(assignment_id, action, summary, details, now, actor_id=None):
    """Every column of a line by a person (None: MomoFlow), for a Core INSERT of many (the
    tick's reminders, assignments moved to a flow's new version)."""
    return {"id": uuid.uuid4(), "assignment_id": assignment_id, "actor_id": actor_id,
            "api_key_id": None, "action": action, "summary": summary, "details": details, "occurred_at": now}


@dataclass(frozen=True)
class Line:
    action: str
    summary: str
    by: str  # a person's name, an API key's name, or AUTOMATIC
    at: object  # datetime


def lines_of(assignment):
    """The assignment's history, newest first, in one query."""
    rows = db.session.execute(
        sa.select(AssignmentActivity, User.display_name, ApiKey.name)
        .outerjoin(User, User.id == AssignmentActivity.actor_id)
        .outerjoin(ApiKey, ApiKey.id == AssignmentActivity.api_key_id)
        .where(AssignmentActivity.assignment_id == assignment.id)
        .order_by(AssignmentActivity.occurred_at.desc(), AssignmentActivity.id)).all()
    return [Line(line.action, line.summary, person or (f"{key} (API key)" if key else AUTOMATIC), line.occurred_at)
            for line, person, key in rows]


def cancel_reason(assignment):
    """Why ``assignment`` was cancelled (its last "cancelled" line's reason), or None."""
    details = db.session.scalar(
        sa.select(AssignmentActivity.details).where(AssignmentActivity.assignment_id == assignment.id,
                                                    AssignmentActivity.action == "cancelled")
        .order_by(AssignmentActivity.occurred_at.desc()).limit(1))
    return (details or {}).get("reason")
