"""Who may see and do what with flows and assignments: the one place for these rules.

Flows and assignments belong to an organisation: another organisation's do not exist
(404). Admins define flows and set up schedules; admins and managers assign flows and
cancel assignments, and so does an integrator's API key, for its own organisation.
An assignment is worked through only by its assignee: to anyone else it does not
exist (404, never 403, so ids reveal nothing, as with requests).
"""

from momoflow.accounts.models import Role
from momoflow.auth.roles import roles_required
from momoflow.errors import Forbidden, NotFound
from momoflow.extensions import db
from momoflow.flows.models import Assignment, Flow

NUL = "\x00"
ASSIGNERS = (Role.ADMIN, Role.MANAGER)
ONLY_ASSIGNERS = "Only administrators and managers can assign flows."

assigner_required = roles_required(*ASSIGNERS, message=ONLY_ASSIGNERS)


def can_assign(user):
    return user.is_authenticated and user.role in ASSIGNERS


def check_may_assign(assigner):
    """A person assigns or cancels as an admin or manager; an API key as its organisation."""
    if assigner.person is not None and assigner.person.role not in ASSIGNERS:
        raise Forbidden(ONLY_ASSIGNERS)


def flow_not_found(flow_id):
    return NotFound(f"Flow with ID '{flow_id.replace(NUL, '')}' does not exist")


def assignment_not_found(assignment_id):
    return NotFound(f"Assignment with ID '{assignment_id.replace(NUL, '')}' does not exist")


def can_name_a_row(public_id):
    """PostgreSQL cannot even compare text holding NUL, so such an id names nothing."""
    return NUL not in public_id


def find_flow(organization, flow_id):
    """The organisation's flow with public id ``flow_id``."""
    flow = _by_public_id(Flow, flow_id, Flow.organization_id == organization.id)
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


def own_assignment(user, assignment_id):
    """``user``'s own assignment, locked for the change they are making."""
    assignment = _by_public_id(Assignment, assignment_id, Assignment.user_id == user.id, for_update=True)
    if assignment is None:
        raise assignment_not_found(assignment_id)
    return assignment


def _by_public_id(model, public_id, *conditions, for_update=False):
    """The row of ``model`` with this public id (and ``conditions``), or None."""
    if not can_name_a_row(public_id):
        return None
    statement = db.select(model).where(model.public_id == public_id, *conditions)
    return db.session.scalar(statement.with_for_update() if for_update else statement)
