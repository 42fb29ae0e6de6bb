"""Approving, rejecting and withdrawing: how a request moves from level to level.

An approver decides their own task (or one they hold for someone). The level is
decided when its rule says so (``rules.level_outcome``); the others' tasks are then
SUPERSEDED, and the request moves on or closes. The request row is locked
(``load_access(for_change=True)``), so concurrent decisions queue and each sees the last.
"""

from momoflow.database import utcnow
from momoflow.errors import Conflict
from momoflow.extensions import db
from momoflow.workflows import continuity, rules, tasks, tat
from momoflow.workflows.access import find_level, load_access
from momoflow.workflows.activity import log_activity
from momoflow.workflows.models import LevelStatus, RequestStatus, TaskStatus
from momoflow.workflows.refusals import (
    ONLY_INITIATOR_WITHDRAWS,
    REJECT_NEEDS_COMMENTS,
    already_decided,
    handed_over,
    no_longer,
    not_current_yet,
    only_the_approver,
    you_already_decided,
)
from momoflow.workflows.validation import parse_comment, parse_reason

VERBS = {TaskStatus.APPROVED: "approve", TaskStatus.REJECTED: "reject"}


def approve_level(actor, request_id, level_id, comments=None):
    return decide(actor, request_id, level_id, TaskStatus.APPROVED, parse_comment(comments))


def reject_level(actor, request_id, level_id, comments):
    comments = parse_comment(comments, required_message=REJECT_NEEDS_COMMENTS)
    return decide(actor, request_id, level_id, TaskStatus.REJECTED, comments)


def decide(actor, request_id, level_id, decision, comments):
    """``actor`` approves or rejects their task in the level; returns the level."""
    access, level = find_level(actor, request_id, level_id, for_change=True)
    task = task_to_decide(access, level, actor, VERBS[decision])
    request, now = access.request, utcnow()
    tasks.record_decision(task, actor, decision, comments, now)
    outcome = rules.level_outcome(level, [task.status for task in level.tasks])
    if outcome is None:
        _log_task_decision(request, level, task, actor)
    else:
        _finish_level(request, level, task, actor, outcome, now)
    db.session.flush()
    return level


def task_to_decide(access, level, actor, verb):
    task = tasks.open_for(level, actor)
    if task is None:
        earlier = tasks.decided_by(level, actor)
        if earlier is not None and not level.status.is_done:
            raise Conflict(you_already_decided(level.level_number, earlier.status))
        access.require(tasks.has_part_in(level, actor) or _ever_held(level, actor),
                       only_the_approver(level.level_number, verb))
        if level.status == LevelStatus.IN_PROGRESS and not tasks.has_part_in(level, actor):
            raise Conflict(handed_over(level.level_number))
    if level.status != LevelStatus.IN_PROGRESS or task is None:
        raise Conflict(_not_current_message(access.request, level))
    return task


def _ever_held(level, actor):
    return any(task.assignee_id == actor.id for task in level.tasks)


def _not_current_message(request, level):
    if level.status.is_done:
        return already_decided(level.level_number, level.status)
    if request.is_returned:
        return "The request was returned to its initiator for changes: nothing to decide until it is resubmitted"
    if not request.is_pending:
        return f"The request is already {request.status.value.lower()}"
    return not_current_yet(level.level_number)


def _log_task_decision(request, level, task, actor):
    """One approver's decision that does not decide the level yet."""
    verb = "approved" if task.status == TaskStatus.APPROVED else "rejected"
    done = sum(1 for other in tasks.counted(level) if other.status == TaskStatus.APPROVED)
    needed = rules.approvals_needed(level.approval_mode, level.min_approvals, len(tasks.counted(level)))
    log_activity(request, actor, f"task.{verb}",
                 f"{tasks.as_whom(task, actor)} {verb} level {level.level_number} ({level.level_name}): "
                 f"{done} of {needed} approvals so far",
                 levelId=str(level.id), levelNumber=level.level_number, taskId=str(task.id),
                 comments=task.comments, approvals=done, approvalsNeeded=needed, **tasks.acting(task, actor))


def _finish_level(request, level, task, actor, outcome, now):
    level.status = outcome
    level.acted_at = now
    level.comments = task.comments
    verb = "approved" if outcome == LevelStatus.APPROVED else "rejected"
    log_activity(request, actor, f"level.{verb}",
                 f"{tasks.as_whom(task, actor)} {verb} level {level.level_number} ({level.level_name})",
                 levelId=str(level.id), levelNumber=level.level_number, comments=task.comments,
                 taskId=str(task.id), **tasks.acting(task, actor))
    announce_superseded(request, level, tasks.supersede(level), actor)
    if outcome == LevelStatus.REJECTED:
        close(request, RequestStatus.REJECTED, now)
        log_activity(request, actor, "workflow.rejected", f"Request rejected by {actor.display_name}",
                     comments=task.comments)
        return
    later = [other for other in request.levels if other.level_number > level.level_number]
    if level.is_final_approver or not later:
        close(request, RequestStatus.APPROVED, now)
        log_activity(request, actor, "workflow.approved", f"Request approved by {actor.display_name}")
    else:
        start_level(request, later[0], now, actor)


def announce_superseded(request, level, closed, actor):
    """Tell the approvers whose tasks were closed that the level was decided without them."""
    if not closed:
        return
    names = ", ".join(task.assignee.display_name for task in closed)
    log_activity(request, actor, "level.superseded",
                 f"Level {level.level_number} was decided without {names}",
                 levelId=str(level.id), levelNumber=level.level_number, levelStatus=level.status.value,
                 supersededIds=[str(task.assignee_id) for task in closed],
                 supersededEmails=[task.assignee.email for task in closed])


def withdraw_request(actor, request_id, reason=None):
    reason = parse_reason(reason)
    access = load_access(actor, request_id, for_change=True)
    access.require(access.may_withdraw_any, ONLY_INITIATOR_WITHDRAWS)
    if not access.request.is_open:
        raise Conflict(no_longer(access.request.status, "withdrawn"))
    close(access.request, RequestStatus.CANCELLED, utcnow())
    log_activity(access.request, actor, "workflow.withdrawn", f"{actor.display_name} withdrew the request",
                 reason=reason)
    db.session.flush()
    return access.request


def start_level(request, level, now, actor):
    """Make ``level`` the current one: start its TAT, route its tasks to whoever stands
    in for an absent approver, and log it."""
    level.status = LevelStatus.IN_PROGRESS
    tat.start_clock(request, level, now)
    request.current_level = level.level_number
    tasks.start(level)
    continuity.route_at_start(request, level, now)
    db.session.flush()
    tat.log_started(request, level, actor)


def close(request, status, now):
    """End the request; levels it never reached are SKIPPED and every open task closes."""
    for level in request.levels:
        if not level.status.is_done:
            level.status = LevelStatus.SKIPPED
        tasks.supersede(level)
    request.status = status
    request.current_level = None
    request.closed_at = now
