"""Everything that changes flows and assignments; the integrator API and the pages call these.

Like the workflow services: the acting user (or API key) is explicit, events are
recorded in the caller's transaction, and nothing here commits.
"""

import uuid
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import Organization, Source, User
from momoflow.accounts.services import needs_provisioning, provision_user
from momoflow.database import built_per_dialect, dialect_insert, execute_lean, utcnow
from momoflow.errors import Conflict, DomainError, NotFound, ValidationFailed
from momoflow.events import record_event, record_events
from momoflow.extensions import db
from momoflow.flows import rules
from momoflow.flows.models import (
    OPEN_PREDICATE,
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Flow,
    FlowStatus,
    Module,
    ModuleProgress,
)
from momoflow.flows.schemas import assignment_event_payload
from momoflow.flows.validation import parse_assignment
from momoflow.publicids import public_id

NUL = "\x00"


class AlreadyAssigned(Conflict):
    code = "already_assigned"
    title = "Already assigned"

    def __init__(self, assignment_id, email):
        super().__init__(f"This flow is already assigned to {email} (assignment {assignment_id})")
        self.extra = {"assignmentId": assignment_id}


def flow_not_found(flow_id):
    return NotFound(f"Flow with ID '{flow_id.replace(NUL, '')}' does not exist")


def assignment_not_found(assignment_id):
    return NotFound(f"Assignment with ID '{assignment_id.replace(NUL, '')}' does not exist")


def can_name_a_row(public_id):
    """PostgreSQL cannot even compare text holding NUL, so such an id names nothing."""
    return NUL not in public_id


def _by_public_id(model, public_id, *conditions, for_update=False):
    """The row of ``model`` with this public id (and ``conditions``), or None."""
    if not can_name_a_row(public_id):
        return None
    statement = db.select(model).where(model.public_id == public_id, *conditions)
    return db.session.scalar(statement.with_for_update() if for_update else statement)


def user_not_found(email):
    return NotFound(f"User with email '{email}' does not exist in your organization")


def archived(flow_id, verb):
    return f"Flow with ID '{flow_id}' is archived and cannot be {verb}"


def not_cancellable(assignment_id, status):
    return f"Assignment {assignment_id} is {status.value} and cannot be cancelled"


# --- flows --------------------------------------------------------------------------


def find_flow(organization, flow_id):
    """The organisation's flow with public id ``flow_id``; other organisations' do not exist."""
    flow = _by_public_id(Flow, flow_id, Flow.organization_id == organization.id)
    if flow is None:
        raise flow_not_found(flow_id)
    return flow


def create_flow(organization, name, description="", modules=(), public_id=None):
    """A flow with ``modules`` given as ``(title, content, estimated_minutes)``."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed([("name", "Name is required (at most 200 characters)")])
    flow = Flow(organization_id=organization.id, name=name, description=(description or "").strip())
    if public_id:
        flow.public_id = public_id
    db.session.add(flow)
    if len(modules) > rules.MAX_MODULES:
        raise ValidationFailed([("modules", f"A flow can have at most {rules.MAX_MODULES} modules")])
    flow.modules = [Module(position=position, title=title, content=content or "", estimated_minutes=int(minutes))
                    for position, (title, content, minutes) in enumerate(modules, start=1)]
    flow.module_count = len(modules)
    flow.estimated_minutes = sum(int(minutes) for _, _, minutes in modules)
    db.session.flush()
    return flow  # editing an existing flow's modules (keeping progress) is flows.editing's


def archive_flow(flow):
    flow.status = FlowStatus.ARCHIVED


def list_flows(organization, include_archived=False):
    statement = db.select(Flow).where(Flow.organization_id == organization.id)
    if not include_archived:
        statement = statement.where(Flow.status == FlowStatus.ACTIVE)
    return db.session.scalars(statement.order_by(Flow.name, Flow.id)).all()


# --- assigning ----------------------------------------------------------------------


class Assigned(NamedTuple):
    """A new assignment with the flow and person it joins, as answers and events need them."""

    assignment: Assignment  # transient: inserted with Core, never in the session
    flow: object  # a Flow, or a row with its columns
    user: object  # a User, or a row with its columns


_flows, _users, _assignments = Flow.__table__, User.__table__, Assignment.__table__
# The integrator API's hot path reads the flow and the person in one statement.
_FLOW_AND_PERSON = (
    sa.select(_flows.c.id, _flows.c.public_id, _flows.c.name, _flows.c.status, _flows.c.module_count,
              _flows.c.estimated_minutes, _users.c.id.label("user_id"), _users.c.email, _users.c.display_name,
              _users.c.organization_id, _users.c.active, _users.c.source, _users.c.synced_at)
    .select_from(_flows.outerjoin(_users, _users.c.email == sa.bindparam("email")))
    .where(_flows.c.public_id == sa.bindparam("flow_id"), _flows.c.organization_id == sa.bindparam("organization_id")))


class _Person(NamedTuple):
    """The person's columns of a _FLOW_AND_PERSON row, under a User's attribute names."""

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


def assign_flow(organization_id, spec, *, api_key=None, assigned_by=None):
    """Assign ``spec.flow_id`` to ``spec.user_email``; returns what was Assigned.

    Three statements when the person is known: flow and person, the INSERT, the event."""
    flow, person = _flow_and_person(organization_id, spec) if can_name_a_row(spec.flow_id) else (None, None)
    if flow is None:
        raise flow_not_found(spec.flow_id)
    _check_assignable(flow, spec)
    if person is None or needs_provisioning(person, organization_id):
        person = provision_user(spec.user_email, db.session.get(Organization, organization_id))
    if person is None:
        raise user_not_found(spec.user_email)
    return _assign(organization_id, flow, person, spec, api_key, assigned_by)


def _flow_and_person(organization_id, spec):
    row = execute_lean(_FLOW_AND_PERSON, {"flow_id": spec.flow_id, "organization_id": organization_id,
                                          "email": normalize_email(spec.user_email)}).fetchone()
    if row is None:
        return None, None
    return row, (_Person.of(row) if row.user_id else None)


def _check_assignable(flow, spec):
    if flow.status != FlowStatus.ACTIVE:
        raise Conflict(archived(spec.flow_id, "assigned"))


@built_per_dialect
def _insert_if_not_open():
    """One INSERT that the open-assignment index refuses for a duplicate (however two
    requests race): no check-first SELECT, no savepoint."""
    return (dialect_insert(_assignments)
            .on_conflict_do_nothing(index_elements=["flow_id", "user_id"], index_where=OPEN_PREDICATE)
            .returning(_assignments.c.id))


def _assign(organization_id, flow, user, spec, api_key, assigned_by):
    """Only a refusal costs a SELECT (for the open assignment's id)."""
    assignment = _new_assignment(organization_id, flow, user, spec, api_key, assigned_by)
    values = {column.key: getattr(assignment, column.key) for column in _assignments.columns}
    if execute_lean(_insert_if_not_open(), values).fetchone() is None:
        raise AlreadyAssigned(open_assignment(flow, user).public_id, user.email)
    record_events("flow.assigned", [(organization_id, assignment.id,
                                     assignment_event_payload(assignment, flow, user, api_key))],
                  actor=assigned_by)
    return Assigned(assignment, flow, user)


def _new_assignment(organization_id, flow, user, spec, api_key, assigned_by):
    # Every column is set here: the row is inserted with Core, without the ORM's defaults.
    return Assignment(id=uuid.uuid4(), public_id=public_id("asgn"), organization_id=organization_id,
                      flow_id=flow.id, user_id=user.id, due_date=spec.due_date, priority=spec.priority,
                      notes=spec.notes, status=AssignmentStatus.ASSIGNED, modules_completed=0,
                      assigned_at=utcnow(), started_at=None, completed_at=None, cancelled_at=None,
                      assigned_by_api_key_id=api_key.id if api_key else None,
                      assigned_by_user_id=assigned_by.id if assigned_by else None)


def assign_many(api_key, items, *, organization=None, assigned_by=None):
    """A result per item; one bad item does not sink the rest.

    ``api_key`` is the integrator behind the batch; recurring schedules pass the
    ``organization`` and, when a person set them up, ``assigned_by`` (and no key).

    Everything is checked up front with a handful of queries (flows, people, open
    assignments), then all new assignments go in as one batch. Only if a concurrent
    request slips in a duplicate meanwhile does it fall back to one savepoint per item.
    """
    organization = organization or api_key.organization
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
            assignment = _new_assignment(organization.id, flow, user, spec, api_key, assigned_by)
            taken[flow.id, user.id] = assignment.public_id
            planned.append((assignment, flow, user))
            results.append(_succeeded(index, assignment, flow, user))
        except DomainError as error:
            results.append(_failed(index, error))
    try:
        with db.session.begin_nested():
            _insert_all(planned, api_key, assigned_by)
    except IntegrityError:
        return [_assign_one(index, spec, organization, flows, users, api_key, assigned_by)
                for index, spec in enumerate(specs)]
    return results


def _insert_all(planned, api_key, assigned_by=None):
    """The batch as two multi-row INSERTs (assignments, then their events): a thousand
    ORM objects through the unit of work would cost seconds."""
    if not planned:
        return
    columns = Assignment.__table__.columns
    db.session.execute(sa.insert(Assignment.__table__),
                       [{column.key: getattr(assignment, column.key) for column in columns}
                        for assignment, _, _ in planned])
    record_events("flow.assigned", [
        (assignment.organization_id, assignment.id, assignment_event_payload(assignment, flow, user, api_key))
        for assignment, flow, user in planned], actor=assigned_by)


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


def _assign_one(index, spec, organization, flows, users, api_key, assigned_by=None):
    try:
        flow, user = _resolve(spec, organization, flows, users)
        with db.session.begin_nested():
            assignment = _assign(organization.id, flow, user, spec, api_key, assigned_by).assignment
        return _succeeded(index, assignment, flow, user)
    except DomainError as error:
        return _failed(index, error)


def _succeeded(index, assignment, flow, user):
    return {"index": index, "success": True, "assignmentId": assignment.public_id, "userEmail": user.email,
            "flowId": flow.public_id}


def _failed(index, error):
    return {"index": index, "success": False, "error": error.code, "message": error.message, **error.extra}


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


def cancel_assignment(organization, assignment_id, *, api_key=None, actor=None):
    assignment = find_assignment(organization, assignment_id)
    if not assignment.is_open:
        raise Conflict(not_cancellable(assignment.public_id, assignment.status))
    assignment.status = AssignmentStatus.CANCELLED
    assignment.cancelled_at = utcnow()
    return assignment


def find_assignment(organization, assignment_id):
    assignment = _by_public_id(Assignment, assignment_id, Assignment.organization_id == organization.id)
    if assignment is None:
        raise assignment_not_found(assignment_id)
    return assignment


# --- working through a flow ---------------------------------------------------------


def start_assignment(user, assignment_id):
    assignment = _own_assignment(user, assignment_id)
    if assignment.status == AssignmentStatus.ASSIGNED:
        assignment.status = AssignmentStatus.IN_PROGRESS
        assignment.started_at = utcnow()
        _record(assignment, "flow.started", db.session.get(Flow, assignment.flow_id), user, actor=user)
    elif assignment.status != AssignmentStatus.IN_PROGRESS:
        raise Conflict(f"This flow is {assignment.status.value}")
    return assignment


def complete_module(user, assignment_id, module_id):
    """Mark the next module done (modules are done in order); the last one completes the flow."""
    assignment = start_assignment(user, assignment_id)
    modules = db.session.scalars(db.select(Module).where(Module.flow_id == assignment.flow_id)
                                 .order_by(Module.position)).all()
    done = assignment.modules_completed
    if done >= len(modules) or str(modules[done].id) != str(module_id):
        if any(str(module.id) == str(module_id) for module in modules[:done]):
            raise Conflict("This module is already done")
        raise Conflict("Modules are done in order: finish the current one first")
    db.session.add(ModuleProgress(assignment_id=assignment.id, module_id=modules[done].id))
    assignment.modules_completed = done + 1
    if assignment.modules_completed == len(modules):
        assignment.status = AssignmentStatus.COMPLETED
        assignment.completed_at = utcnow()
        _record(assignment, "flow.completed", db.session.get(Flow, assignment.flow_id), user, actor=user)
    return assignment


def _own_assignment(user, assignment_id):
    assignment = _by_public_id(Assignment, assignment_id, for_update=True)
    # Someone else's assignment does not exist for you, as with requests you cannot see.
    if assignment is None or assignment.user_id != user.id:
        raise assignment_not_found(assignment_id)
    return assignment


def _record(assignment, event_type, flow, user, api_key=None, actor=None):
    record_event(event_type, organization_id=assignment.organization_id, subject_id=assignment.id,
                 actor=actor, payload=assignment_event_payload(assignment, flow, user, api_key))

