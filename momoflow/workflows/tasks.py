"""Approvers' tasks: who may act on a level, and what happens to the tasks as it runs.

A level holds one task per approver. A task is actionable while it is PENDING and its
level runs: then ``due_at`` carries the level's deadline (the inbox reads it). Deciding
the level closes the others as SUPERSEDED; handing a task to someone else closes it as
REASSIGNED and opens its replacement at the same position, with the same deadline.
"""

from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError
from momoflow.extensions import db
from momoflow.workflows.models import (
    ApprovalDecision,
    ApprovalTask,
    LevelStatus,
    TaskReason,
    TaskStatus,
    WorkflowRequest,
)
from momoflow.workflows.refusals import OWN_REQUEST, already_in_level


def counted(level):
    """The level's tasks that count towards its rule (a REASSIGNED one is replaced)."""
    return [task for task in level.tasks if task.status != TaskStatus.REASSIGNED]


def in_order(level_tasks):
    """By place in the level; a replacement after the task it replaced."""
    return sorted(level_tasks, key=lambda task: (task.position, task.created_at or utcnow()))


def undecided(level):
    return [task for task in level.tasks if task.status == TaskStatus.PENDING]


def new_task(request, level, assignee, position, *, reason=None, on_behalf_of=None, replaces=None):
    task = ApprovalTask(request_id=request.id, level=level, position=position, assignee=assignee,
                        assignee_id=assignee.id, on_behalf_of=on_behalf_of, reason=reason,
                        status=TaskStatus.PENDING, replaces_id=replaces.id if replaces else None,
                        round=level.round)
    if level.status == LevelStatus.IN_PROGRESS:
        task.due_at = level.tat_deadline
    db.session.add(task)
    return task


def open_for(level, user):
    """The undecided task ``user`` may act on in ``level``: theirs, or one escalated to them."""
    mine = [task for task in level.tasks if task.status == TaskStatus.PENDING]
    return (next((task for task in mine if task.assignee_id == user.id), None)
            or next((task for task in mine if task.escalated_to_id == user.id), None))


def decided_by(level, user):
    """The decision ``user`` already took in ``level``, if any."""
    return next((task for task in level.tasks if task.status.is_decision and task.acted_by_id == user.id), None)


def has_part_in(level, user):
    """Whether ``user`` holds, held or decided a task of ``level`` (not counting handed-over ones)."""
    return any(user.id in (task.assignee_id, task.acted_by_id) for task in counted(level))


def first_approver(level):
    """The seed's single approver: whoever holds the level's first place now."""
    tasks = counted(level) or level.tasks
    return min(tasks, key=lambda task: task.position).assignee if tasks else None


def named(task):
    """Who the task is for: the absent person a stand-in holds it for, else its holder
    (a reassignment or a successor makes the new holder the one named)."""
    if task.reason == TaskReason.OUT_OF_OFFICE and task.on_behalf_of is not None:
        return task.on_behalf_of
    return task.assignee


def check_can_hold(request, level, person):
    """A task of ``level`` may go to ``person``: never the initiator, never twice in a level."""
    if person.id == request.initiator_id:
        raise DomainError(OWN_REQUEST, field="email")
    if has_part_in(level, person):
        raise Conflict(already_in_level(person.display_name, level.level_number), field="email")


def record_decision(task, actor, status, comments, now):
    """``actor`` decides ``task``; through an escalation the manager acts for its holder."""
    through_escalation = task.assignee_id != actor.id and task.escalated_to_id == actor.id
    if through_escalation:
        task.on_behalf_of = task.on_behalf_of or task.assignee
        task.reason = TaskReason.ESCALATED
    task.status = status
    task.acted_at = now
    task.acted_by = actor
    task.acted_by_id = actor.id
    task.comments = comments
    task.due_at = None
    db.session.add(decision_fact(task, by_delegate=through_escalation or task.on_behalf_of_id is not None))


def decision_fact(task, *, by_delegate):
    """What approval analytics keep of ``task``'s decision (``ApprovalDecision``), its wait
    counted as the level's TAT counts; ``task`` is decided (``acted_at``, ``acted_by_id``)."""
    from momoflow.workflows import tat  # here: tat imports continuity, which imports this module

    if task.id is None:
        db.session.flush([task])  # a task made and decided in one go has no id yet
    wait_seconds, on_time = tat.waited(task, task.acted_at)
    level = task.level
    return ApprovalDecision(
        task_id=task.id, organization_id=db.session.get(WorkflowRequest, task.request_id).organization_id,
        request_id=task.request_id, decided_at=task.acted_at, approver_id=task.acted_by_id, by_delegate=by_delegate,
        level_key=level.level_name.lower(), level_name=level.level_name, tat_hours=level.tat_hours,
        wait_seconds=wait_seconds, on_time=on_time)


def start(level):
    """The level began: its undecided tasks become actionable until its deadline."""
    for task in undecided(level):
        task.due_at = level.tat_deadline


def pause(level):
    """The level waits again (an approver was inserted before it)."""
    for task in undecided(level):
        task.due_at = None


def supersede(level):
    """Close the level's undecided tasks: decided without them. Returns who held them."""
    closed = undecided(level)
    for task in closed:
        task.status = TaskStatus.SUPERSEDED
        task.due_at = None
    return closed


def hand_over(request, task, to, reason, actor, now, *, comments=None, on_behalf_of=None):
    """Close ``task`` as REASSIGNED and open its replacement for ``to`` in the same place."""
    task.status = TaskStatus.REASSIGNED
    task.acted_at = now
    task.acted_by_id = actor.id if actor else None
    task.comments = comments
    task.due_at = None
    db.session.flush()  # the replacement points at it
    return new_task(request, task.level, to, task.position, reason=reason, on_behalf_of=on_behalf_of,
                    replaces=task)


def acting(task, actor):
    """``{"actedBy", "onBehalfOf", "reason"}`` for activity lines and event payloads."""
    return {"actedBy": who(actor), "onBehalfOf": who(task.on_behalf_of),
            "reason": task.reason.value if task.reason else None}


def who(user):
    """``{"email", "name"}`` of a person in payloads and JSON; None for nobody."""
    return {"email": user.email, "name": user.display_name} if user is not None else None


def as_whom(task, actor):
    """``Jane Doe for John Doe (out of office)``, or just ``Jane Doe``."""
    details = acting(task, actor)
    if details["onBehalfOf"] is None:
        return actor.display_name
    why = f" ({REASON_WORDS[task.reason]})" if task.reason in REASON_WORDS else ""
    return f"{actor.display_name} for {details['onBehalfOf']['name']}{why}"


REASON_WORDS = {
    TaskReason.OUT_OF_OFFICE: "out of office",
    TaskReason.DEACTIVATED: "who left",
    TaskReason.ESCALATED: "escalated",
    TaskReason.REASSIGNED: "reassigned",
}
