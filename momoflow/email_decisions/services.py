"""What an email's decision link may still do, and deciding through it.

A link decides for the person it was sent to (its holder), once, within its hours,
and only while the task it names is still theirs to decide: the task undecided, its
level running, the request pending and in the task's round. Anything else refuses it
as USED, EXPIRED or STALE (saying why, without naming anyone but the holder), or
SOMEONE_ELSE when the browser is signed in as another person. The decision itself is
``services.approve_level`` / ``reject_level`` acting as the holder, so every rule,
event and activity line is the one the app and the API give; the token is spent in
the same transaction. Refused attempts are logged on the request (``log_refusal``);
these activity lines are not domain events.
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.database import utcnow
from momoflow.email_decisions.links import digest
from momoflow.email_decisions.models import DecisionLink
from momoflow.errors import DomainError
from momoflow.extensions import db
from momoflow.workflows import services as workflows
from momoflow.workflows.activity import log_activity
from momoflow.workflows.tasks import who
from momoflow.workflows.models import (
    ApprovalLevel,
    ApprovalTask,
    LevelStatus,
    RequestStatus,
    TaskStatus,
    WorkflowRequest,
)

DECISIONS = ("approve", "reject")
PAST = {"approve": "approved", "reject": "rejected"}
USED, EXPIRED, STALE, SOMEONE_ELSE = "used", "expired", "stale", "someone_else"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass
class Link:
    """A link found by its token, with what it names."""

    row: DecisionLink
    task: ApprovalTask
    level: ApprovalLevel
    request: WorkflowRequest
    holder: User

    def refusal(self, viewer, now):
        """``(kind, reason)`` why this link cannot decide now, or ``(None, None)``."""
        if viewer is not None and viewer.id != self.holder.id:
            return SOMEONE_ELSE, None
        if self.row.used_at is not None:
            return USED, None
        reason = stale_reason(self)
        if reason:
            return STALE, reason
        if now >= self.row.expires_at:
            return EXPIRED, None
        return None, None


class LinkRefused(DomainError):
    """A link that cannot decide (``kind``: USED, EXPIRED, STALE, SOMEONE_ELSE)."""

    status = 410
    title = "Link cannot be used"

    def __init__(self, link, kind, reason):
        super().__init__(reason or kind)
        self.link, self.kind, self.reason = link, kind, reason
        if kind == SOMEONE_ELSE:
            self.status = 403


def find_link(token, *, for_change=False):
    """The link ``token`` opens, or None (unknown, malformed, or its task gone).
    ``for_change`` locks its row: two confirmations of one link queue, the second sees it used."""
    if not isinstance(token, str) or not _TOKEN_SHAPE.fullmatch(token):
        return None
    statement = (sa.select(DecisionLink, ApprovalTask, ApprovalLevel, WorkflowRequest, User)
                 .join(ApprovalTask, ApprovalTask.id == DecisionLink.task_id)
                 .join(ApprovalLevel, ApprovalLevel.id == ApprovalTask.level_id)
                 .join(WorkflowRequest, WorkflowRequest.id == ApprovalTask.request_id)
                 .join(User, User.id == DecisionLink.user_id)
                 .where(DecisionLink.token_hash == digest(token)))
    if for_change:
        statement = statement.with_for_update(of=DecisionLink).execution_options(populate_existing=True)
    found = db.session.execute(statement).first()
    return Link(*found) if found else None


def stale_reason(link):
    """Why the task is no longer the holder's to decide through this link, or None."""
    request, level, task, row = link.request, link.level, link.task, link.row
    if request.status != RequestStatus.PENDING:
        return _REQUEST_CLOSED[request.status]
    if row.round != request.round or task.round != request.round:
        return "The request was sent back for changes and submitted again since this email was sent."
    if task.status in (TaskStatus.APPROVED, TaskStatus.REJECTED):
        verb = task.status.value.lower()
        if task.acted_by_id == link.holder.id:
            return f"You already {verb} level {level.level_number}."
        return f"This task at level {level.level_number} was already {verb}."
    if task.status == TaskStatus.REASSIGNED:
        return "The task was reassigned to someone else."
    if task.status == TaskStatus.RETURNED:
        return "The request was returned for changes."
    if level.status.is_done or task.status == TaskStatus.SUPERSEDED:
        return _level_done(level)
    if link.holder.id not in (task.assignee_id, task.escalated_to_id):
        return "The task was handed to someone else: it is no longer yours to decide."
    if level.status != LevelStatus.IN_PROGRESS:
        return f"Level {level.level_number} is not waiting for a decision now."
    if not link.holder.active:
        return "Your account is no longer active."
    return None


_REQUEST_CLOSED = {
    RequestStatus.APPROVED: "The request was already approved.",
    RequestStatus.REJECTED: "The request was already rejected.",
    RequestStatus.CANCELLED: "The request was withdrawn.",
    RequestStatus.RETURNED: "The request was returned for changes.",
}


def _level_done(level):
    if level.status in (LevelStatus.APPROVED, LevelStatus.REJECTED):
        return f"Level {level.level_number} was already {level.status.value.lower()}."
    return f"Level {level.level_number} was closed without a decision."


def decide_with_link(token, decision, comments, viewer):
    """Decide the link's task as its holder (``viewer``: who is signed in, or None) and
    spend the link; LinkRefused if it cannot, the workflow's own refusals otherwise
    (a rejection without comments). Returns the Link."""
    link = find_link(token, for_change=True)
    if link is None or decision not in DECISIONS:
        return None
    kind, reason = link.refusal(viewer, utcnow())
    if kind is not None:
        raise LinkRefused(link, kind, reason)
    decide = workflows.approve_level if decision == "approve" else workflows.reject_level
    decide(link.holder, link.request.id, link.level.id, comments)
    link.row.used_at = utcnow()
    log_activity(link.request, link.holder, "email_link.used",
                 f"{link.holder.display_name} {PAST[decision]} level {link.level.level_number} from an email link",
                 **_details(link, decision))
    db.session.flush()
    return link


def log_refusal(link_id, viewer_id, decision, kind, reason):
    """An activity line for a refused attempt. Called by the view after the attempt's own
    changes were rolled back, so it loads what it needs again by id."""
    link = db.session.get(DecisionLink, link_id)
    if link is None:
        return
    task = db.session.get(ApprovalTask, link.task_id)
    request, holder = db.session.get(WorkflowRequest, task.request_id), db.session.get(User, link.user_id)
    level = db.session.get(ApprovalLevel, task.level_id)
    viewer = db.session.get(User, viewer_id) if viewer_id else None
    found = Link(link, task, level, request, holder)
    log_activity(request, viewer, "email_link.refused",
                 f"An email link to {decision} level {level.level_number} sent to {holder.display_name} was refused: "
                 f"{_SAYS[kind]}" + (f" ({reason.rstrip('.')})" if reason else ""),
                 refusal=kind, reason=reason, holder=who(holder),
                 **_details(found, decision))


_SAYS = {USED: "it was already used", EXPIRED: "it has expired", STALE: "the decision is no longer open to it",
         SOMEONE_ELSE: "someone else was signed in"}


def _details(link, decision):
    return {"linkId": str(link.row.id), "taskId": str(link.task.id), "levelId": str(link.level.id),
            "levelNumber": link.level.level_number, "decision": decision}
