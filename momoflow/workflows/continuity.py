"""No request ever stuck: tasks move to whoever stands in when people are away or leave,
and are offered to the holder's manager after a breach (handing on by hand: ``reassigning``).

Where a task goes, in order: the person's stand-in chain (their delegate; if the delegate
is away too, the delegate's delegate; …), skipping anyone who is not active, is the
initiator or already has a part in the level; else the person's manager (same checks);
else it stays, and for someone who left the organisation's admins are alerted.
"""

import sqlalchemy as sa

from momoflow.accounts import absences
from momoflow.accounts.models import User
from momoflow.extensions import db
from momoflow.workflows import tasks
from momoflow.workflows.access import levels_with_tasks
from momoflow.workflows.activity import log_activity
from momoflow.workflows.models import ApprovalTask, LevelStatus, TaskReason, TaskStatus, WorkflowRequest
from momoflow.workflows.participants import make_approver

# --- where a task can go -------------------------------------------------------------


def _may_hold(request, level, person, moment):
    return (person is not None and person.active and person.organization_id == request.organization_id
            and person.id != request.initiator_id and not tasks.has_part_in(level, person)
            and not absences.is_absent(person, moment))


def _stand_in(request, level, person, moment, *, with_manager=True):
    """The first of ``person``'s stand-ins (then their manager) who may hold a task of ``level``."""
    candidates = absences.delegation_chain(person, moment)
    if with_manager and person.manager_id:
        candidates.append(db.session.get(User, person.manager_id))
    return next((candidate for candidate in candidates if _may_hold(request, level, candidate, moment)), None)


# --- out of office -------------------------------------------------------------------


def route_at_start(request, level, now):
    """A level starts: tasks of approvers who are away go to their stand-ins (one query
    finds who is away; only their tasks look further)."""
    waiting = tasks.undecided(level)
    away = absences.absent_among([task.assignee_id for task in waiting], now)
    for task in waiting:
        if task.assignee_id in away:
            route_task(request, level, task, now)


def route_task(request, level, task, now):
    """If ``task``'s holder is away, hand it to their stand-in (same task: it comes back)."""
    holder = task.assignee
    if not absences.is_absent(holder, now):
        return
    stand_in = _stand_in(request, level, holder, now)
    if stand_in is not None:
        _delegate(request, level, task, holder, stand_in)


def _delegate(request, level, task, absent, stand_in):
    make_approver(request, stand_in, None)
    if task.reason != TaskReason.OUT_OF_OFFICE:  # a stand-in who goes away passes on the first one's task
        task.on_behalf_of = absent
    task.assignee = stand_in
    task.assignee_id = stand_in.id
    task.reason = TaskReason.OUT_OF_OFFICE
    db.session.flush()
    log_activity(request, None, "task.delegated",
                 f"{absent.display_name} is out of office: {stand_in.display_name} decides for them "
                 f"at level {level.level_number}",
                 **_task_details(level, task), assigneeId=str(stand_in.id), assigneeEmail=stand_in.email,
                 onBehalfOf=tasks.who(task.on_behalf_of), reason="out_of_office")


def absence_began(absence, now):
    """Move the absent person's actionable tasks to their stand-in; sets ``absence.moved_at``."""
    absent = db.session.get(User, absence.user_id)
    for task, level, request in open_tasks(ApprovalTask.assignee_id == absent.id,
                                            lambda task: task.assignee_id == absent.id, running_only=True):
        route_task(request, level, task, now)
    absence.moved_at = now


def absence_ended(absence, now):
    """Give back the tasks the stand-in has not acted on; sets ``absence.returned_at``."""
    person = db.session.get(User, absence.user_id)
    held = (ApprovalTask.on_behalf_of_id == person.id) & (ApprovalTask.reason == TaskReason.OUT_OF_OFFICE)
    if person.active:
        for task, level, request in open_tasks(held, lambda task: task.on_behalf_of_id == person.id
                                                and task.reason == TaskReason.OUT_OF_OFFICE):
            stand_in = task.assignee
            task.assignee, task.assignee_id = person, person.id
            task.on_behalf_of, task.reason = None, None
            db.session.flush()
            log_activity(request, None, "task.delegation_ended",
                         f"{person.display_name} is back: their task at level {level.level_number} returns "
                         f"from {stand_in.display_name}",
                         **_task_details(level, task), assigneeId=str(person.id), assigneeEmail=person.email,
                         formerHolderEmail=stand_in.email)
    absence.returned_at = now


# --- people who leave ---------------------------------------------------------------


def person_left(person, actor, now):
    """Route a deactivated person's undecided tasks to their delegate, else their manager,
    else alert the organisation's admins (the task waits for one to reassign it)."""
    for task, level, request in open_tasks(ApprovalTask.assignee_id == person.id,
                                            lambda task: task.assignee_id == person.id):
        if not request.is_pending:
            continue
        original = db.session.get(User, task.on_behalf_of_id) if task.reason == TaskReason.OUT_OF_OFFICE else None
        if original is not None and _may_hold(request, level, original, now):
            to = original  # the stand-in left: the person they stood in for is back at work
        else:
            to = _successor(request, level, person, now)
        if to is None:
            _needs_new_approver(request, level, task, person)
            continue
        new = tasks.hand_over(request, task, to, TaskReason.DEACTIVATED, actor, now, on_behalf_of=person)
        make_approver(request, to, actor)
        if level.status == LevelStatus.IN_PROGRESS:
            route_task(request, level, new, now)
        log_moved(request, level, new, actor, "task.reassigned",
                   f"{person.display_name} left: their task at level {level.level_number} moved to "
                   f"{new.assignee.display_name}", fromEmail=person.email, reason="deactivated")
    for task, _, _ in open_tasks(ApprovalTask.escalated_to_id == person.id,
                                  lambda task: task.escalated_to_id == person.id):
        task.escalated_to_id = None


def _successor(request, level, person, now):
    """Who takes over from someone who left: the delegate they named (for an absence now
    or to come), else their manager; each, if away, through their own stand-ins."""
    absence = absences.absence_of(person, now)
    named = [absence.delegate] if absence is not None else []
    if person.manager_id:
        named.append(db.session.get(User, person.manager_id))
    for candidate in named:
        if _may_hold(request, level, candidate, now):
            return candidate
        if candidate is not None and absences.is_absent(candidate, now):
            stand_in = _stand_in(request, level, candidate, now, with_manager=False)
            if stand_in is not None:
                return stand_in
    return None


def _needs_new_approver(request, level, task, person):
    log_activity(request, None, "task.needs_approver",
                 f"{person.display_name} left and nobody stands in for them: level {level.level_number} "
                 "needs a new approver",
                 **_task_details(level, task), formerEmail=person.email, formerName=person.display_name)


def open_tasks(condition, keep, *, running_only=False):
    """``[(task, level, request)]`` for the undecided tasks matching ``condition`` (SQL)
    and ``keep`` (the same test on a loaded task), with their requests locked (the lock
    decisions take) and every level's tasks loaded: two queries whatever the number."""
    statement = sa.select(ApprovalTask.request_id).where(ApprovalTask.status == TaskStatus.PENDING, condition)
    if running_only:
        statement = statement.where(ApprovalTask.due_at.is_not(None))
    request_ids = set(db.session.scalars(statement))
    if not request_ids:
        return []
    requests = db.session.scalars(
        sa.select(WorkflowRequest).where(WorkflowRequest.id.in_(request_ids)).order_by(WorkflowRequest.id)
        .with_for_update(of=WorkflowRequest).options(levels_with_tasks())
        .execution_options(populate_existing=True)).all()
    return [(task, level, request) for request in requests for level in request.levels
            for task in tasks.undecided(level)
            if keep(task) and (not running_only or task.due_at is not None)]


def person(user_id):
    return db.session.get(User, user_id) if user_id else None


def log_moved(request, level, task, actor, action, summary, **extra):
    db.session.flush()
    log_activity(request, actor, action, summary, **_task_details(level, task), assigneeId=str(task.assignee_id),
                 assigneeEmail=task.assignee.email, toEmail=task.assignee.email, **extra)


def _task_details(level, task):
    return {"levelId": str(level.id), "levelNumber": level.level_number, "levelName": level.level_name,
            "taskId": str(task.id)}


# --- escalation on breach ---------------------------------------------------------------


def escalate(request, level, now):
    """Offer each undecided task of a breached ESCALATE level to its holder's manager, once."""
    for task in tasks.undecided(level):
        if task.escalated_at is not None:
            continue
        task.escalated_at = now
        holder = task.assignee
        manager = person(holder.manager_id)
        if not _may_hold(request, level, manager, now):
            continue
        task.escalated_to_id = manager.id
        make_approver(request, manager, None)
        db.session.flush()
        log_activity(request, None, "task.escalated",
                     f"Level {level.level_number} breached its TAT: {manager.display_name} may now decide "
                     f"for {holder.display_name}",
                     **_task_details(level, task), assigneeId=str(manager.id), assigneeEmail=manager.email,
                     onBehalfOf=tasks.who(holder), reason="escalated")

