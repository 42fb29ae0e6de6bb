"""Announcing overdue assignments: the tick's ``flow.overdue`` duty.

"Overdue" is derived (``Assignment.effective_status``), so nothing has to change for
an assignment to read as overdue; this only tells people, once. ``overdue_notified_at``
marks an assignment as announced, and the partial index ``ix_assignments_overdue_pending``
holds exactly the open, unannounced ones with a due date, so each tick reads only those.
"""

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.apikeys.models import ApiKey
from momoflow.events import record_events
from momoflow.extensions import db
from momoflow.flows.models import OPEN_SQL, Assignment, AssignmentStatus, Flow
from momoflow.flows.queries import with_source_request
from momoflow.flows.schemas import assignment_event_payload

BATCH = 500
MAX_PER_TICK = 5000  # a backlog (after downtime) is worked off over a few ticks, each short
# The index's predicate as literal SQL, so that even a prepared (generic) plan can use it.
_OPEN = sa.text(f"assignments.{OPEN_SQL}")


def check(now):
    """Mark open assignments due before ``now`` as announced and record their
    ``flow.overdue`` events; returns how many. The caller commits."""
    announced = 0
    while announced < MAX_PER_TICK:
        rows = _claim(now)
        if rows:
            _announce(rows, now)
        announced += len(rows)
        if len(rows) < BATCH:
            break
    return announced


def _claim(now):
    """The next batch, locked: two ticks side by side never announce one twice."""
    return db.session.execute(
        sa.select(Assignment, Flow, User, ApiKey)
        .join(Flow, Flow.id == Assignment.flow_id)
        .join(User, User.id == Assignment.user_id)
        .outerjoin(ApiKey, ApiKey.id == Assignment.assigned_by_api_key_id)
        .options(sa.orm.lazyload(User.organization), sa.orm.lazyload(ApiKey.organization), with_source_request())
        .where(_OPEN, Assignment.overdue_notified_at.is_(None), Assignment.due_date < now)
        .order_by(Assignment.due_date, Assignment.id)
        .limit(BATCH)
        .with_for_update(of=Assignment, skip_locked=True)).all()


def _announce(rows, now):
    db.session.execute(sa.update(Assignment.__table__)
                       .where(Assignment.__table__.c.id.in_([assignment.id for assignment, *_ in rows]))
                       .values(overdue_notified_at=now))
    record_events("flow.overdue", [(row.Assignment.organization_id, row.Assignment.id, _payload(*row))
                                   for row in rows])


def _payload(assignment, flow, user, api_key):
    payload = assignment_event_payload(assignment, flow, user, api_key)
    # As of the tick's clock, which is the one that found it overdue (tests move it).
    payload["status"] = AssignmentStatus.OVERDUE.value
    return payload
