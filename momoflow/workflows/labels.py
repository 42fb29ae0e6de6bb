"""How requests read on the pages: status labels and the top bar's inbox badge."""

import logging

from flask import g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from momoflow.workflows import queries, rules, tasks
from momoflow.workflows.models import LevelStatus, RequestStatus, TaskStatus

log = logging.getLogger(__name__)

STATUS_LABELS = {
    RequestStatus.PENDING: "Pending",
    RequestStatus.APPROVED: "Approved",
    RequestStatus.REJECTED: "Rejected",
    RequestStatus.CANCELLED: "Withdrawn",
    RequestStatus.RETURNED: "Returned for changes",
}
LEVEL_STATUS_LABELS = {
    LevelStatus.PENDING: "Waiting",
    LevelStatus.IN_PROGRESS: "Awaiting decision",
    LevelStatus.APPROVED: "Approved",
    LevelStatus.REJECTED: "Rejected",
    LevelStatus.SKIPPED: "Skipped",
}

TASK_STATUS_LABELS = {
    TaskStatus.APPROVED: "Approved",
    TaskStatus.REJECTED: "Rejected",
    TaskStatus.SUPERSEDED: "Decided without them",
    TaskStatus.REASSIGNED: "Reassigned",
    TaskStatus.RETURNED: "Sent back for changes",
}


def task_status_label(task, level):
    """An undecided task reads "Awaiting decision" only while its level runs."""
    if task.status == TaskStatus.PENDING:
        return "Awaiting decision" if level.status == LevelStatus.IN_PROGRESS else "Waiting"
    return TASK_STATUS_LABELS[task.status]


tasks_in_order = tasks.in_order


def level_rule(level):
    return rules.rule_text(level)


def reason_words(reason):
    return tasks.REASON_WORDS.get(reason, "")


def task_actor_text(task):
    """``Jane Doe for John Doe (out of office)`` for a decided task."""
    return tasks.as_whom(task, task.acted_by)


def holder_text(task):
    """``Jane Doe``, or ``Jane Doe (for John Doe, out of office)`` for a task held for someone."""
    if task.on_behalf_of is None:
        return task.assignee.display_name
    why = f", {reason_words(task.reason)}" if reason_words(task.reason) else ""
    return f"{task.assignee.display_name} (for {task.on_behalf_of.display_name}{why})"


def needs_new_approver(task):
    """An undecided task whose holder has left: nobody can decide it until it is reassigned."""
    return task.status == TaskStatus.PENDING and not task.assignee.active


def waiting_on(level, shown=2):
    """``Asha Rao, Ben Ode +2``: who may decide the level now."""
    names = [task.assignee.display_name for task in level.tasks if task.status == TaskStatus.PENDING]
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" +{more}" if more > 0 else "")


def where_it_stands(level, workflow):
    """Where a decision on ``level`` left the request, as the end of a sentence: for the
    decision's toast and for each item of a bulk decision."""
    if level.status == LevelStatus.IN_PROGRESS:
        return f"level {level.level_number} waits for the other approvers"
    if workflow.status == RequestStatus.REJECTED:
        return "the request is rejected and closed"
    if workflow.status == RequestStatus.APPROVED:
        return "it is now fully approved"
    return f"it moves on to level {workflow.current_level}"


def inbox_badge():
    """The top bar's inbox count ("" for none, "99+" past the cap); one query per page."""
    if "inbox_badge" not in g:
        g.inbox_badge = _badge_text(_inbox_count())
    return g.inbox_badge


def _inbox_count():
    if not current_user.is_authenticated:
        return 0
    try:
        return queries.inbox_count(current_user)
    except SQLAlchemyError:  # an error page while the database is unreachable still renders
        log.warning("inbox count unavailable", exc_info=True)
        return 0


def _badge_text(count):
    if not count:
        return ""
    return f"{queries.INBOX_COUNT_CAP}+" if count > queries.INBOX_COUNT_CAP else str(count)
