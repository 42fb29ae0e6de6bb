"""Handing tasks on by hand: the holder passes theirs to someone else with a reason, an
admin moves anyone's, or all of one person's at once (Settings → People)."""

from dataclasses import dataclass

from momoflow.accounts.services import provision_user
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError, Forbidden, NotFound
from momoflow.workflows import continuity, tasks
from momoflow.workflows.access import find_level, require_pending
from momoflow.workflows.models import ApprovalTask, LevelStatus, TaskReason
from momoflow.workflows.participants import make_approver
from momoflow.workflows.refusals import (
    ONLY_ADMINS_NAME_FROM,
    REASSIGN_TO_SELF,
    already_decided,
    no_task_of,
    no_task_to_hand_over,
    unknown_person,
)
from momoflow.workflows.validation import parse_email, parse_reason_required

ONLY_ADMINS_REASSIGN_ALL = "Only an administrator can reassign someone's tasks"


def reassign_task(actor, request_id, level_id, to_email, reason, from_email=None):
    """The holder hands their task to ``to`` (or an admin moves ``from``'s task)."""
    to_email = parse_email({"to": to_email}, "to")
    reason = parse_reason_required(reason)
    if from_email is not None:
        from_email = parse_email({"from": from_email}, "from")
        if not actor.is_admin:
            raise Forbidden(ONLY_ADMINS_NAME_FROM)
    to = provision_user(to_email, actor.organization)
    if to is None:
        error = unknown_person("Approver", to_email)
        error.field = "to"
        raise error
    access, level = find_level(actor, request_id, level_id, for_change=True)
    request, now = access.request, utcnow()
    require_pending(request, "changed")
    task = _task_to_hand_over(access, level, actor, from_email)
    if to.id == task.assignee_id:
        raise DomainError(REASSIGN_TO_SELF, field="to")
    tasks.check_can_hold(request, level, to)
    new = tasks.hand_over(request, task, to, TaskReason.REASSIGNED, actor, now, comments=reason)
    make_approver(request, to, actor)
    if level.status == LevelStatus.IN_PROGRESS:
        continuity.route_task(request, level, new, now)
    former = task.assignee
    continuity.log_moved(request, level, new, actor, "task.reassigned",
               f"{actor.display_name} reassigned {_whose(former, actor)} task at level {level.level_number} "
               f"to {to.display_name}", fromEmail=former.email, reason="reassigned", comments=reason)
    return new


def _task_to_hand_over(access, level, actor, from_email):
    if level.status.is_done:
        raise Conflict(already_decided(level.level_number, level.status))
    if from_email is None:
        task = next((task for task in tasks.undecided(level) if task.assignee_id == actor.id), None)
        if task is None:
            access.require(actor.is_admin or tasks.has_part_in(level, actor), no_task_to_hand_over(level.level_number))
            raise DomainError(no_task_to_hand_over(level.level_number), field="from")
        return task
    task = next((task for task in tasks.undecided(level)
                 if from_email in (task.assignee.email, getattr(continuity.person(task.on_behalf_of_id), "email", None))), None)
    if task is None:
        raise NotFound(no_task_of(from_email, level.level_number))
    return task


def _whose(person, actor):
    return "their" if person.id == actor.id else f"{person.display_name}'s"


@dataclass
class Moved:
    """One task of a reassign-all: where it went, or why it could not."""

    request: object
    level: object
    task: object | None  # the new task; None when skipped
    problem: str | None = None


def reassign_all(actor, person, to_email, reason):
    """Move every undecided task ``person`` holds to ``to`` (admins). A task ``to`` may not
    hold (their own request, a level they already decide) stays, with the reason."""
    if not actor.is_admin or actor.organization_id != person.organization_id:
        raise Forbidden(ONLY_ADMINS_REASSIGN_ALL)
    to_email = parse_email({"to": to_email}, "to")
    reason = parse_reason_required(reason)
    to = provision_user(to_email, actor.organization)
    if to is None:
        error = unknown_person("Approver", to_email)
        error.field = "to"
        raise error
    if to.id == person.id:
        raise DomainError(REASSIGN_TO_SELF, field="to")
    now, results = utcnow(), []
    held = continuity.open_tasks(ApprovalTask.assignee_id == person.id, lambda task: task.assignee_id == person.id)
    for task, level, request in held:
        if not request.is_pending:
            continue
        try:
            tasks.check_can_hold(request, level, to)
        except DomainError as refusal:
            results.append(Moved(request, level, None, refusal.message))
            continue
        new = tasks.hand_over(request, task, to, TaskReason.REASSIGNED, actor, now, comments=reason)
        make_approver(request, to, actor)
        if level.status == LevelStatus.IN_PROGRESS:
            continuity.route_task(request, level, new, now)
        continuity.log_moved(request, level, new, actor, "task.reassigned",
                             f"{actor.display_name} reassigned {person.display_name}'s task at level "
                             f"{level.level_number} to {to.display_name}", fromEmail=person.email,
                             reason="reassigned", comments=reason)
        results.append(Moved(request, level, new))
    return results

