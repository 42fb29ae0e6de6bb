"""Sending a request back for rework instead of deciding it.

An approver holding a task on the current level returns the request with a comment:
to the initiator (the next round starts again at this level) or to an earlier level,
whose approvers must look again. The request waits as RETURNED with no level running,
so no TAT clock runs and nobody's inbox shows it; ``resubmitting`` starts the next round.
"""

from momoflow.accounts.models import Organization
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError
from momoflow.extensions import db
from momoflow.workflows import tasks, tat
from momoflow.workflows.access import find_level
from momoflow.workflows.activity import log_activity
from momoflow.workflows.deciding import task_to_decide
from momoflow.workflows.models import LevelStatus, RequestStatus, TaskStatus
from momoflow.workflows.validation import RETURN_NEEDS_COMMENTS, parse_comment, parse_return_target


def revision_limit_reached(limit):
    times = "once" if limit == 1 else f"{limit} times"
    return (f"This request was already returned {times}, the most your organisation allows. "
            "Reject it instead if it cannot be approved as it is.")


NO_RETURNS_ALLOWED = ("Your organisation does not allow sending requests back for rework. "
                      "Reject it instead if it cannot be approved as it is.")


def earlier_level_only(level_number):
    return f"to must be INITIATOR or an earlier level than this one (1 to {level_number - 1})"


def return_request(actor, request_id, level_id, comments, to=None):
    """``actor`` sends the request back instead of deciding their task; returns the request."""
    comments = parse_comment(comments, required_message=RETURN_NEEDS_COMMENTS)
    target = parse_return_target(to)
    access, level = find_level(actor, request_id, level_id, for_change=True)
    task = task_to_decide(access, level, actor, "return")
    request = access.request
    if target is not None and target >= level.level_number:
        raise DomainError(earlier_level_only(level.level_number), field="to")
    _refuse_past_limit(request)
    now = utcnow()
    tasks.record_decision(task, actor, TaskStatus.RETURNED, comments, now)
    closed = tasks.supersede(level)
    resume = _resume_level(request, target or level.level_number)
    for waiting in request.levels:
        if resume <= waiting.level_number <= level.level_number:
            _back_to_waiting(waiting)
    request.status = RequestStatus.RETURNED
    request.current_level = None
    request.resume_level = resume
    request.returned_at = now
    db.session.flush()
    log_activity(request, actor, "workflow.returned", _summary(task, actor, request, level, target),
                 levelId=str(level.id), levelNumber=level.level_number, taskId=str(task.id), comments=comments,
                 to=target or "INITIATOR", resumeLevel=resume, initiatorId=str(request.initiator_id), round=request.round,
                 returnsLeft=max(_limit(request) - request.round, 0),
                 supersededIds=[str(other.assignee_id) for other in closed], **tasks.acting(task, actor))
    return request


def _refuse_past_limit(request):
    limit = _limit(request)
    if limit == 0:
        raise Conflict(NO_RETURNS_ALLOWED)
    if request.round > limit:  # each round after the first followed one return
        raise Conflict(revision_limit_reached(limit))


def _limit(request):
    return db.session.get(Organization, request.organization_id).max_revisions


def _resume_level(request, asked):
    organization = db.session.get(Organization, request.organization_id)
    return 1 if organization.rounds_restart_at_first_level else asked


def _back_to_waiting(level):
    """The level runs again in the next round: undecided, its clock stopped."""
    level.status = LevelStatus.PENDING
    level.acted_at = None
    level.comments = None
    tat.stop_clock(level)
    tasks.pause(level)


def _summary(task, actor, request, level, target):
    whom = tasks.as_whom(task, actor)
    if target is None:
        return (f"{whom} returned the request to {request.initiator.display_name} for changes "
                f"at level {level.level_number} ({level.level_name})")
    return (f"{whom} returned the request for changes; level {target} will look at it again "
            f"after resubmission")
