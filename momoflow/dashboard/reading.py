"""What the dashboard reads besides the inbox and flows: the person's own open requests."""

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defaultload

from momoflow.accounts.models import User
from momoflow.extensions import db
from momoflow.workflows.models import ApprovalLevel, RequestStatus, WorkflowRequest
from momoflow.workflows.queries import ListItem, attach_tasks

OPEN = (RequestStatus.PENDING, RequestStatus.RETURNED)


def my_open_requests(user, limit):
    """``(items, more)``: the requests ``user`` raised that are still open, newest first:
    waiting on a level (with that level and who holds it) or returned to them for changes.
    Two queries (``ix_workflow_requests_initiator_status_created``, then the levels' tasks)."""
    current = aliased(ApprovalLevel)
    rows = db.session.execute(
        db.select(WorkflowRequest, current)
        .outerjoin(current, sa.and_(current.request_id == WorkflowRequest.id,
                                    current.level_number == WorkflowRequest.current_level))
        .where(WorkflowRequest.initiator_id == user.id, WorkflowRequest.status.in_(OPEN))
        .options(defaultload(WorkflowRequest.initiator).lazyload(User.organization))
        .order_by(WorkflowRequest.created_at.desc(), WorkflowRequest.id.desc()).limit(limit + 1)).all()
    shown = rows[:limit]
    levels = [level for request, level in shown if level is not None and request.is_pending]
    attach_tasks(levels)
    return [ListItem(request, level if request.is_pending else None) for request, level in shown], len(rows) > limit
