"""Who may see and do what with flows and assignments: the one place for these rules.

Flows and assignments belong to an organisation: another organisation's do not exist
(404). Admins define flows and set up schedules; admins and managers assign flows, and
so does an integrator's API key, for its own organisation. An assignment is changed
(cancelled, re-dated, reminded about, reassigned) by admins, by whoever assigned it
(unless it is their own: assignees never excuse themselves) and by the organisation's
API keys; other managers may look at it (403 when they try). It is worked through only
by its assignee: to anyone else that page does not exist (404, never 403, so ids reveal
nothing, as with requests).
"""

from momoflow.accounts.models import Role
from momoflow.auth.roles import roles_required
from momoflow.errors import Forbidden, NotFound
from momoflow.extensions import db
from momoflow.flows.models import Assignment, Flow

NUL = "\x00"
ASSIGNERS = (Role.ADMIN, Role.MANAGER)
ONLY_ASSIGNERS = "Only administrators and managers can assign flows."
ONLY_MANAGERS_OF_IT = "Only administrators and the person who assigned this flow can change this assignment."

assigner_required = roles_required(*ASSIGNERS, message=ONLY_ASSIGNERS)


def can_assign(user):
    return user.is_authenticated and user.role in ASSIGNERS


def check_may_assign(assigner):
    """A person assigns as an admin or manager; an API key as its organisation."""
    if assigner.person is not None and assigner.person.role not in ASSIGNERS:
        raise Forbidden(ONLY_ASSIGNERS)


def may_manage(person, assignment):
    """Whether ``person`` may change ``assignment`` (the pages ask before offering it)."""
    if person.role == Role.ADMIN:
        return True
    return (person.role in ASSIGNERS and assignment.assigned_by_user_id == person.id
            and assignment.user_id != person.id)


def check_may_manage(assigner, assignment):
    """A person must be allowed by ``may_manage``; an API key or the system acts for the
    whole organisation (the assignment was found within it)."""
    if assigner.person is not None and not may_manage(assigner.person, assignment):
        raise Forbidden(ONLY_MANAGERS_OF_IT)


def not_found(kind, public_id):
    """NotFound in the API's words: "<kind> with ID '<id>' does not exist" (NUL left out)."""
    return NotFound(f"{kind} with ID '{public_id.replace(NUL, '')}' does not exist")


def flow_not_found(flow_id):
    return not_found("Flow", flow_id)


def assignment_not_found(assignment_id):
    return not_found("Assignment", assignment_id)


def can_name_a_row(public_id):
    """PostgreSQL cannot even compare text holding NUL, so such an id names nothing."""
    return NUL not in public_id


def find_flow(organization, flow_id, for_update=False):
    """The organisation's flow with public id ``flow_id`` (locked: its edits take turns)."""
    flow = _by_public_id(Flow, flow_id, Flow.organization_id == organization.id, for_update=for_update)
    if flow is None:
        raise flow_not_found(flow_id)
    return flow


def find_assignment(organization, assignment_id, for_update=False):
    """The organisation's assignment with public id ``assignment_id``."""
    assignment = _by_public_id(Assignment, assignment_id, Assignment.organization_id == organization.id,
                               for_update=for_update)
    if assignment is None:
        raise assignment_not_found(assignment_id)
    return assignment


def own_assignment(user, assignment_id, for_update=True):
    """``user``'s own assignment, locked for the change they are making (unless the caller
    locks it itself, after what must be locked first)."""
    assignment = _by_public_id(Assignment, assignment_id, Assignment.user_id == user.id, for_update=for_update)
    if assignment is None:
        raise assignment_not_found(assignment_id)
    return assignment


def _by_public_id(model, public_id, *conditions, for_update=False):
    """The row of ``model`` with this public id (and ``conditions``), or None."""
    if not can_name_a_row(public_id):
        return None
    statement = db.select(model).where(model.public_id == public_id, *conditions)
    return db.session.scalar(statement.with_for_update() if for_update else statement)
