"""Everything that changes assignments; the integrator API, the pages and the schedules
call these (flows themselves change in ``editing``).

Like the workflow services: who acts is explicit (an ``Assigner``: an integrator's
API key or a person), events are recorded in the caller's transaction, and nothing
here commits.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import Organization, Source, User
from momoflow.accounts.services import needs_provisioning, provision_user
from momoflow.database import execute_lean, utcnow
from momoflow.errors import Conflict, DomainError, NotFound, ValidationFailed
from momoflow.events import record_event, record_events
from momoflow.extensions import db
from momoflow import hot_path
from momoflow.flows.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Flow,
    FlowStatus,
    ModuleProgress,
)
from momoflow.flows import history, queries
from momoflow.flows.access import (
    can_name_a_row,
    check_may_assign,
    check_may_manage,
    find_assignment,
    flow_not_found,
    own_assignment,
)
from momoflow.flows import quizzes
from momoflow.flows.schemas import assignment_event_payload, request_as_assigner
from momoflow.flows.validation import parse_assignment, parse_cancel_reason

class AlreadyAssigned(Conflict):
    code = "already_assigned"
    title = "Already assigned"

    def __init__(self, assignment_id, email):
        super().__init__(f"This flow is already assigned to {email} (assignment {assignment_id})")
        self.extra = {"assignmentId": assignment_id}


def user_not_found(email):
    return NotFound(f"User with email '{email}' does not exist in your organization")


def archived(flow_id, verb):
    return f"Flow with ID '{flow_id}' is archived and cannot be {verb}"


def not_cancellable(assignment_id, status):
    return f"Assignment {assignment_id} is {status.value} and cannot be cancelled"


# --- flows --------------------------------------------------------------------------


def list_flows(organization, include_archived=False):
    statement = db.select(Flow).where(Flow.organization_id == organization.id)
    if not include_archived:
        statement = statement.where(Flow.status == FlowStatus.ACTIVE)
    return db.session.scalars(statement.order_by(Flow.name, Flow.id)).all()


# --- who assigns ---------------------------------------------------------------------


@dataclass(frozen=True)
class Assigner:
    """Who is assigning (or cancelling): an integrator's API key, a person, or both for
    a schedule (the key or person that set it up); or the system on behalf of an
    approved request (``from_requests``). Events name the person as their actor and the
    key (or the request) as ``assignedBy``."""

    organization_id: uuid.UUID
    api_key: object = None  # an ApiKey or the hot path's KeyHolder
    person: object = None  # a User
    request: object = None  # a WorkflowRequest: its assignments remember it

    @classmethod
    def integrator(cls, api_key):
        return cls(api_key.organization_id, api_key=api_key)

    @classmethod
    def signed_in(cls, user):
        return cls(user.organization_id, person=user)

    @classmethod
    def on_approval(cls, request):
        return cls(request.organization_id, request=request)

    @property
    def organization(self):
        return db.session.get(Organization, self.organization_id)

    @property
    def api_key_id(self):
        return self.api_key.id if self.api_key else None

    @property
    def person_id(self):
        return self.person.id if self.person else None

    @property
    def request_id(self):
        return self.request.id if self.request else None


# --- assigning ----------------------------------------------------------------------


class Assigned(NamedTuple):
    """A new assignment with the flow and person it joins, as answers and events need them."""

    assignment: Assignment  # transient: inserted with Core, never in the session
    flow: object  # a Flow, or a row with its columns
    user: object  # a User, or a row with its columns


class _Person(NamedTuple):
    """The person's columns of a FLOW_AND_PERSON row, under a User's attribute names."""

    id: uuid.UUID
    email: str
    display_name: str
    organization_id: uuid.UUID
    active: bool
    source: Source
    synced_at: datetime | None

    @classmethod
    def of(cls, row):
        return cls(row.user_id, row.email, row.display_name, row.organization_id, row.active, row.source,
                   row.synced_at)


def assign_flow(assigner, spec):
    """Assign ``spec.flow_id`` to ``spec.user_email``; returns what was Assigned.

    Three statements when the person is known: flow and person, the INSERT, the event."""
    check_may_assign(assigner)
    organization_id = assigner.organization_id
    flow, person = _flow_and_person(organization_id, spec) if can_name_a_row(spec.flow_id) else (None, None)
    if flow is None:
        raise flow_not_found(spec.flow_id)
    _check_assignable(flow, spec)
    if person is None or needs_provisioning(person, organization_id):
        person = provision_user(spec.user_email, assigner.organization)
    if person is None:
        raise user_not_found(spec.user_email)
    return _assign(assigner, flow, person, spec)


def assign_to(assigner, flow, person, spec):
    """Assign ``flow`` to ``person`` when the caller has already found both (the
    ``from_requests`` path): the checks, INSERT and event of ``assign_flow``."""
    check_may_assign(assigner)
    _check_assignable(flow, spec)
    return _assign(assigner, flow, person, spec)


def _flow_and_person(organization_id, spec):
    row = execute_lean(hot_path.FLOW_AND_PERSON, {"flow_id": spec.flow_id, "organization_id": organization_id,
                                          "email": normalize_email(spec.user_email)}).fetchone()
    if row is None:
        return None, None
    return row, (_Person.of(row) if row.user_id else None)


def _check_assignable(flow, spec):
    if flow.status != FlowStatus.ACTIVE:
        raise Conflict(archived(spec.flow_id, "assigned"))


def _assign(assigner, flow, user, spec):
    """Only a refusal costs a SELECT (for the open assignment's id)."""
    assignment = _new_assignment(assigner, flow, user, spec)
    if execute_lean(hot_path.insert_assignment_if_not_open(), hot_path.assignment_row(assignment)).fetchone() is None:
        raise AlreadyAssigned(open_assignment(flow, user).public_id, user.email)
    record_events("flow.assigned", [(assigner.organization_id, assignment.id,
                                     assignment_event_payload(assignment, flow, user, assigner.api_key))],
                  actor=assigner.person)
    return Assigned(assignment, flow, user)


def _new_assignment(assigner, flow, user, spec):
    return hot_path.new_assignment(assigner.organization_id, flow, user.id, spec, api_key_id=assigner.api_key_id,
                                   assigned_by_id=assigner.person_id, source_request_id=assigner.request_id)


class ItemResult(NamedTuple):
    """One item of a batch: what was Assigned, or the DomainError that refused it."""

    index: int
    assigned: Assigned | None = None
    error: DomainError | None = None


def assign_many(assigner, items):
    """An ItemResult per item (JSON-shaped dicts, as the bulk API takes them); one bad
    item does not sink the rest.

    Everything is checked up front with a handful of queries (flows, people, open
    assignments), then all new assignments go in as one batch. Only if a concurrent
    request slips in a duplicate meanwhile does it fall back to one savepoint per item.
    """
    check_may_assign(assigner)
    organization = assigner.organization
    specs = [_parse_item(item) for item in items]
    valid = [spec for spec in specs if not isinstance(spec, DomainError)]
    flows = _flows_by_public_id(organization, {spec.flow_id for spec in valid})
    users = _users_by_email(organization, {spec.user_email for spec in valid})
    taken = _open_assignment_ids(organization, flows.values(), users.values())
    results, planned = [], []
    for index, spec in enumerate(specs):
        try:
            flow, user = _resolve(spec, organization, flows, users)
            if (flow.id, user.id) in taken:
                raise AlreadyAssigned(taken[flow.id, user.id], user.email)
            assignment = _new_assignment(assigner, flow, user, spec)
            taken[flow.id, user.id] = assignment.public_id
            planned.append((assignment, flow, user))
            results.append(ItemResult(index, assigned=Assigned(assignment, flow, user)))
        except DomainError as error:
            results.append(ItemResult(index, error=error))
    try:
        with db.session.begin_nested():
            _insert_all(planned, assigner)
    except IntegrityError:
        return [_assign_one(index, spec, organization, flows, users, assigner) for index, spec in enumerate(specs)]
    return results


def _insert_all(planned, assigner):
    """The batch as two multi-row INSERTs (assignments, then their events): a thousand
    ORM objects through the unit of work would cost seconds."""
    if not planned:
        return
    db.session.execute(sa.insert(Assignment.__table__),
                       [hot_path.assignment_row(assignment) for assignment, _, _ in planned])
    record_events("flow.assigned", [
        (assignment.organization_id, assignment.id, assignment_event_payload(assignment, flow, user, assigner.api_key))
        for assignment, flow, user in planned], actor=assigner.person)


def _parse_item(item):
    try:
        return parse_assignment(item if isinstance(item, dict) else {})
    except ValidationFailed as error:
        return error


def _resolve(spec, organization, flows, users):
    if isinstance(spec, DomainError):
        raise spec
    flow = flows.get(spec.flow_id)
    if flow is None:
        raise flow_not_found(spec.flow_id)
    _check_assignable(flow, spec)
    user = users.get(spec.user_email) or provision_user(spec.user_email, organization)
    if user is None:
        raise user_not_found(spec.user_email)
    users[user.email] = user
    return flow, user


def _assign_one(index, spec, organization, flows, users, assigner):
    try:
        flow, user = _resolve(spec, organization, flows, users)
        with db.session.begin_nested():
            return ItemResult(index, assigned=_assign(assigner, flow, user, spec))
    except DomainError as error:
        return ItemResult(index, error=error)


def _open_assignment_ids(organization, flows, users):
    """``{(flow id, user id): assignment public id}`` of the open assignments among these."""
    flow_ids, user_ids = [flow.id for flow in flows], [user.id for user in users]
    if not flow_ids or not user_ids:
        return {}
    rows = db.session.execute(db.select(Assignment.flow_id, Assignment.user_id, Assignment.public_id).where(
        Assignment.organization_id == organization.id, Assignment.status.in_(OPEN_STATUSES),
        Assignment.flow_id.in_(flow_ids), Assignment.user_id.in_(user_ids)))
    return {(flow_id, user_id): public_id for flow_id, user_id, public_id in rows}


def _flows_by_public_id(organization, public_ids):
    flows = db.session.scalars(db.select(Flow).where(Flow.organization_id == organization.id,
                                                     Flow.public_id.in_(public_ids)))
    return {flow.public_id: flow for flow in flows}


def _users_by_email(organization, emails):
    users = db.session.scalars(db.select(User).where(User.organization_id == organization.id, User.active,
                                                     User.email.in_(emails)))
    return {user.email: user for user in users}


def open_assignment(flow, user):
    return db.session.scalar(db.select(Assignment).where(
        Assignment.flow_id == flow.id, Assignment.user_id == user.id, Assignment.status.in_(OPEN_STATUSES)))


def cancel_assignment(assigner, assignment_id, reason=None):
    """Cancel an open assignment, recording who did and why (a history line and a
    ``flow.cancelled`` event). A person must give a reason; an integrator may (its
    endpoint took no body at first)."""
    reason = parse_cancel_reason(reason, required=assigner.person is not None and assigner.api_key is None)
    assignment = find_assignment(assigner.organization, assignment_id, for_update=True)
    check_may_manage(assigner, assignment)
    return close_as_cancelled(assigner, assignment, reason)


def close_as_cancelled(assigner, assignment, reason, **extra):
    """Cancel ``assignment``, found and allowed by the caller; ``extra`` joins the event's payload."""
    if not assignment.is_open:
        raise Conflict(not_cancellable(assignment.public_id, assignment.status))
    assignment.status = AssignmentStatus.CANCELLED
    assignment.cancelled_at = utcnow()
    assignment.cancelled_by_api_key_id, assignment.cancelled_by_user_id = assigner.api_key_id, assigner.person_id
    flow, user = db.session.get(Flow, assignment.flow_id), db.session.get(User, assignment.user_id)
    payload = {**assignment_event_payload(assignment, flow, user), "cancelledBy": acted_by(assigner),
               "reason": reason, **extra}
    history.add_line(assigner, assignment, "cancelled", f"Cancelled: {reason}" if reason else "Cancelled",
                     reason=reason)
    record_event("flow.cancelled", organization_id=assignment.organization_id, subject_id=assignment.id,
                 actor=assigner.person, payload=payload)
    return assignment


def acted_by(assigner):
    """Who changed an assignment, as events name them (``cancelledBy``, ``changedBy``…)."""
    if assigner.person:
        return {"type": "user", "email": assigner.person.email, "name": assigner.person.display_name}
    if assigner.api_key:
        return {"type": "api_key", "name": assigner.api_key.name}
    if assigner.request:
        return request_as_assigner(assigner.request)
    return None  # the system itself


# --- working through a flow ---------------------------------------------------------


def start_assignment(user, assignment_id):
    assignment = own_assignment(user, assignment_id, for_update=False)
    _hold_flow(assignment)
    if assignment.status == AssignmentStatus.ASSIGNED:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.started_at = utcnow()
        _record(assignment, "flow.started", db.session.get(Flow, assignment.flow_id), user, actor=user)
    elif assignment.status != AssignmentStatus.IN_PROGRESS:
        raise Conflict(f"This flow is {assignment.status.value}")
    return assignment


def _hold_flow(assignment):
    """Take turns with edits of the flow's modules (``editing.update_flow`` locks the flow
    FOR UPDATE): an edit never restructures in place under someone starting, and the
    assignment, read again (and locked) once the edit is done, walks the version the edit
    left it on. The flow is locked before the assignment, the order an edit takes them
    (flow, then its assignments), so the two can never deadlock."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Flow.id).where(Flow.id == assignment.flow_id).with_for_update(read=True))
    db.session.refresh(assignment, with_for_update=True)


def complete_module(user, assignment_id, module_id):
    """Mark the next module done (modules are done in order); the last one completes the flow."""
    assignment = start_assignment(user, assignment_id)
    modules = queries.modules_of_version(assignment.flow_id, assignment.flow_version)
    done = assignment.modules_completed
    if done >= len(modules) or str(modules[done].id) != str(module_id):
        if any(str(module.id) == str(module_id) for module in modules[:done]):
            raise Conflict("This module is already done")
        raise Conflict("Modules are done in order: finish the current one first")
    left = quizzes.requirements_left(assignment, modules[done])
    if left:
        raise Conflict(left[0])
    db.session.add(ModuleProgress(assignment_id=assignment.id, module_id=modules[done].id))
    assignment.modules_completed = done + 1
    if assignment.modules_completed == len(modules):
        assignment.status = AssignmentStatus.COMPLETED
        assignment.completed_at = utcnow()
        _record(assignment, "flow.completed", db.session.get(Flow, assignment.flow_id), user, actor=user)
    return assignment


def _record(assignment, event_type, flow, user, api_key=None, actor=None):
    record_event(event_type, organization_id=assignment.organization_id, subject_id=assignment.id,
                 actor=actor, payload=assignment_event_payload(assignment, flow, user, api_key))

