"""Who hears about each event: the whole "who hears what" table, in one place.

Each rule gives SQL conditions on ``User``; the handler ORs them into the one query
that loads the audience, and adds what holds for every event: same organisation as
the event, active, and never the person who acted.

    event type                     who hears
    level.started, tat_reminder    whoever may decide the level now (each undecided task's holder)
    level.tat_breached             those, and the initiator
    level.approved                 the initiator and the spectators, while the request goes on
    level.superseded               the approvers whose tasks closed undecided
    task.approved / rejected       the initiator, while the request goes on
    task.delegated, escalated      the task's new holder
    task.delegation_ended          the person the task came back to
    task.reassigned                the new holder, and the one it was taken from
    task.needs_approver            the organisation's admins
    workflow.approved / rejected   the initiator and the spectators
    workflow.returned              the initiator, the spectators, the approvers whose tasks closed
    workflow.resubmitted           the spectators, and the approver who returned it
    level.rejected                 nobody: it always ends the request (workflow.rejected tells)
    workflow.created               the spectators named in the new request
    approver.added                 the new approver
    spectator.added                the new spectator
    comment.added                  the initiator, the approvers reached so far, the spectators
    flow.assigned                  the assignee
    flow.overdue                   the assignee and the person who assigned it
    flow.completed                 the person who assigned it
    flow.cancelled                 the assignee
    flow.due_date_changed          the assignee
    flow.reminded                  the assignee
    webhook.disabled               the organisation's admins
    absence.set                    the delegate who stands in for the absent person
    person.deactivated/reactivated the organisation's admins
"""

import uuid

import sqlalchemy as sa

from momoflow.accounts.models import Role, User
from momoflow.flows.models import Assignment
from momoflow.workflows.models import (
    ApprovalLevel,
    ApprovalTask,
    LevelStatus,
    Participant,
    ParticipantType,
    RequestStatus,
    WorkflowRequest,
)


def conditions(event):
    """``[condition on User]`` for ``event``'s audience; empty when nobody hears of it."""
    found = (rule(event) for rule in RULES.get(event.type, ()))
    return [condition for condition in found if condition is not None]


# --- approval requests -----------------------------------------------------------------


def level_approver(event):
    """Everyone who may decide the level (``approverIds``; older events name one ``approverId``)."""
    payload = _payload(event)
    ids = payload.get("approverIds")
    if not isinstance(ids, list):
        return _person(payload.get("approverId"))
    people = [condition for condition in map(_person, ids) if condition is not None]
    return sa.or_(*people) if people else None


def superseded(event):
    ids = _payload(event).get("supersededIds")
    people = [condition for condition in map(_person, ids)] if isinstance(ids, list) else []
    people = [condition for condition in people if condition is not None]
    return sa.or_(*people) if people else None


def returned_by(event):
    return _person(_payload(event).get("returnedById"))


def task_holder(event):
    """Whoever the task went to."""
    return _person(_payload(event).get("assigneeId"))


def former_holder(event):
    email = _payload(event).get("fromEmail")
    return User.email == email.lower() if isinstance(email, str) else None


def initiator(event):
    return _participants(event, ParticipantType.INITIATOR)


def spectators(event):
    return _participants(event, ParticipantType.SPECTATOR)


def named_spectators(event):
    """The spectators a new request names (its payload lists their emails)."""
    emails = [email for email in _payload(event).get("spectators") or () if isinstance(email, str)]
    return User.email.in_([email.lower() for email in emails]) if emails else None


def added_person(event):
    """The approver or spectator just added (``approverEmail`` at a level, else ``userEmail``)."""
    email = _payload(event).get("approverEmail") or _payload(event).get("userEmail")
    return User.email == email.lower() if isinstance(email, str) else None


def everyone_who_has_seen_it(event):
    """The initiator, spectators and approvers so far: general approvers (no task) and
    those with a task in a level that has been reached. Approvers of levels still ahead
    (or skipped) have not been shown the request yet, so a comment would be news from nowhere."""
    task, level = ApprovalTask, ApprovalLevel
    mine = sa.and_(task.request_id == event.subject_id, task.assignee_id == Participant.user_id)
    reached = sa.exists().where(mine, level.id == task.level_id,
                                level.status.not_in([LevelStatus.PENDING, LevelStatus.SKIPPED]))
    return User.id.in_(
        sa.select(Participant.user_id)
        .where(Participant.request_id == event.subject_id, sa.or_(~sa.exists().where(mine), reached)))


def while_request_open(rule):
    """A level decision that ended the request is told once, by the request's own event
    (``workflow.approved``), not twice."""

    def condition(event):
        found = rule(event)
        still_open = sa.exists().where(WorkflowRequest.id == event.subject_id,
                                       WorkflowRequest.status == RequestStatus.PENDING)
        return None if found is None else sa.and_(found, still_open)

    return condition


def _participants(event, kind):
    return User.id.in_(sa.select(Participant.user_id).where(Participant.request_id == event.subject_id,
                                                            Participant.participant_type == kind))


# --- flows -----------------------------------------------------------------------------


def assignee(event):
    return User.id.in_(sa.select(Assignment.user_id).where(Assignment.id == event.subject_id))


def assigner(event):
    """The person who assigned the flow; nobody when an API key (an HR system) did."""
    return User.id.in_(sa.select(Assignment.assigned_by_user_id).where(Assignment.id == event.subject_id,
                                                                     Assignment.assigned_by_user_id.is_not(None)))


# --- administration --------------------------------------------------------------------


def admins(event):
    return User.role == Role.ADMIN


# --- out of office ---------------------------------------------------------------------


def delegate(event):
    return _person(_payload(event).get("delegateId"))


def _payload(event):
    return event.payload or {}


def _person(value):
    if value is None:
        return None
    try:
        return User.id == uuid.UUID(str(value))
    except ValueError:
        return None


DECISION = (initiator, spectators)
RULES = {
    "level.started": (level_approver,),
    "level.tat_reminder": (level_approver,),
    "level.tat_breached": (level_approver, initiator),
    "level.approved": tuple(while_request_open(rule) for rule in DECISION),
    "level.superseded": (superseded,),
    "task.approved": (while_request_open(initiator),),
    "task.rejected": (while_request_open(initiator),),
    "task.delegated": (task_holder,),
    "task.delegation_ended": (task_holder,),
    "task.reassigned": (task_holder, former_holder),
    "task.escalated": (task_holder,),
    "task.needs_approver": (admins,),
    "workflow.approved": DECISION,
    "workflow.rejected": DECISION,
    "workflow.created": (named_spectators,),
    "workflow.returned": (initiator, spectators, superseded),
    "workflow.resubmitted": (spectators, returned_by),
    "approver.added": (added_person,),
    "spectator.added": (added_person,),
    "comment.added": (everyone_who_has_seen_it,),
    "flow.assigned": (assignee,),
    "flow.overdue": (assignee, assigner),
    "flow.completed": (assigner,),
    "flow.cancelled": (assignee,),
    "flow.due_date_changed": (assignee,),
    "flow.reminded": (assignee,),
    "webhook.disabled": (admins,),
    "absence.set": (delegate,),
    "person.deactivated": (admins,),
    "person.reactivated": (admins,),
}
