"""Flows that an approved request assigns (issue 14's templates: a new hire's
onboarding starts when the hire's request is approved).

The assignment goes through ``services``, the integrator API's path (same checks, same
``flow.assigned`` event and payload), with the request as the assigner: the assignment
keeps ``source_request_id`` and shows "assigned because REQ-… was approved".

Handling an approval twice must not assign twice: an assignment this request already
made is returned and nothing is recorded; the unique index
``uq_assignments_source_request`` settles a race between two handlers. Nothing here
raises for what can simply go wrong with a template (an archived or unknown flow, a
person who left, an assignment already open from elsewhere): the ``Outcome`` says so,
and the request's activity log tells its people. Nothing here commits.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

import psycopg
from sqlalchemy.exc import IntegrityError

from momoflow.extensions import db
from momoflow.flows import access, services
from momoflow.flows.models import Assignment, Flow, FlowStatus, Priority
from momoflow.flows.validation import MAX_FLOW_ID_LENGTH, AssignSpec
from momoflow.workflows.access import visible_request_ids
from momoflow.workflows.activity import log_activity
from momoflow.workflows.models import Activity

ACTION = "flow.assigned_on_approval"


class Result(enum.StrEnum):
    ASSIGNED = "assigned"
    ALREADY_DONE = "already_done"  # this request assigned it before (the approval handled again)
    ALREADY_OPEN = "already_open"  # the person has it open from elsewhere
    FLOW_NOT_FOUND = "flow_not_found"
    FLOW_ARCHIVED = "flow_archived"
    PERSON_INACTIVE = "person_inactive"


@dataclass(frozen=True)
class Outcome:
    result: Result
    # ASSIGNED: the new one (transient: inserted with Core, as services answer it);
    # ALREADY_DONE: this request's earlier one; ALREADY_OPEN: the open one. Else None.
    assignment: Assignment | None
    message: str  # the activity line, e.g. "Customer Onboarding was assigned to Sam Lee, due 2026-12-18"

    @property
    def assigned(self):
        return self.result == Result.ASSIGNED


def assign_on_approval(request, flow_public_id, user, due_date: datetime | None, *,
                       priority=Priority.MEDIUM, notes=None):
    """Assign the organisation's flow ``flow_public_id`` to ``user`` (a User of the
    request's organisation) because ``request`` was approved; an Outcome, never a
    refusal. Each outcome but ALREADY_DONE writes a line in the request's activity log,
    once: the approval handled again repeats none of them."""
    if user.organization_id != request.organization_id:
        raise ValueError("a request assigns flows only to people of its own organisation")
    flow = _flow(request, flow_public_id)
    earlier = _from_this_request(request, flow, user) if flow else None
    if earlier is not None:
        return Outcome(Result.ALREADY_DONE, earlier, f"{flow.name} was already assigned to {user.display_name}")
    outcome = _assign(request, flow, flow_public_id, user, AssignSpec(flow_public_id, user.email, due_date,
                                                                         priority, notes))
    if outcome.result != Result.ALREADY_DONE and not _logged_before(request, outcome.message):
        log_activity(request, None, ACTION, outcome.message, result=outcome.result.value,
                     flowId=flow.public_id if flow else _printable(flow_public_id), userEmail=user.email,
                     assignmentId=outcome.assignment.public_id if outcome.assignment else None)
        db.session.flush()
    return outcome


def _assign(request, flow, flow_public_id, user, spec):
    if flow is None:
        return Outcome(Result.FLOW_NOT_FOUND, None,
                       f"Flow {_printable(flow_public_id)} was not assigned: it does not exist")
    not_assigned = f"{flow.name} was not assigned to {user.display_name}"
    if flow.status != FlowStatus.ACTIVE:
        return Outcome(Result.FLOW_ARCHIVED, None, f"{not_assigned}: the flow is archived")
    if not user.active:
        return Outcome(Result.PERSON_INACTIVE, None, f"{not_assigned}: their account is deactivated")
    try:
        with db.session.begin_nested():
            assigned = services.assign_to(services.Assigner.on_approval(request), flow, user, spec)
    except (services.AlreadyAssigned, IntegrityError, psycopg.IntegrityError):  # psycopg's: the lean INSERT
        return _refused(request, flow, user, not_assigned)
    return Outcome(Result.ASSIGNED, assigned.assignment, _assigned_line(flow, user, spec.due_date))


def _refused(request, flow, user, not_assigned):
    """Either another handler of this approval got there first, or the person has the
    flow open from elsewhere (the open-assignment index)."""
    earlier = _from_this_request(request, flow, user)
    if earlier is not None:
        return Outcome(Result.ALREADY_DONE, earlier, f"{flow.name} was already assigned to {user.display_name}")
    return Outcome(Result.ALREADY_OPEN, services.open_assignment(flow, user),
                   f"{not_assigned}: {user.display_name} already has it open")


def _logged_before(request, summary):
    return db.session.scalar(db.select(Activity.id).where(
        Activity.request_id == request.id, Activity.action == ACTION, Activity.summary == summary).limit(1)) is not None


def _printable(flow_public_id):
    """A template's flow id as the log can keep it (PostgreSQL text holds no NUL)."""
    return flow_public_id.replace("\x00", "")[:MAX_FLOW_ID_LENGTH]


def _assigned_line(flow, user, due_date):
    due = f", due {due_date.date().isoformat()}" if due_date else ""
    return f"{flow.name} was assigned to {user.display_name}{due}"


def _flow(request, flow_public_id):
    if not access.can_name_a_row(flow_public_id):
        return None
    return db.session.scalar(db.select(Flow).where(Flow.public_id == flow_public_id,
                                                   Flow.organization_id == request.organization_id))


def _from_this_request(request, flow, user):
    return db.session.scalar(db.select(Assignment).where(
        Assignment.source_request_id == request.id, Assignment.flow_id == flow.id, Assignment.user_id == user.id))


def visible_sources(viewer, assignments):
    """The ids of these assignments' source requests that ``viewer`` may open: the pages
    link "REQ-… was approved" to those and show the others as plain text."""
    return visible_request_ids(viewer, [assignment.source_request_id for assignment in assignments])
