"""Admins deactivating and reactivating people. Callers own the transaction.

Deactivating ends the person's sign-ins (the ``User.active`` listener) and hands their
undecided approvals on (``continuity.person_left``) in the same transaction, so no
request waits on someone who can no longer sign in. Leaving the company directory
does the same without an actor (``person_left_directory``).
"""

import sqlalchemy as sa

from momoflow.accounts.models import Role, User
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError, Forbidden, NotFound
from momoflow.events import record_event
from momoflow.extensions import db
from momoflow.fields import Problems, email as parse_email
from momoflow.workflows import continuity

ONLY_ADMINS = "Only administrators can manage people."
NOT_YOURSELF = "You cannot deactivate your own account"
LAST_ADMIN = "You cannot deactivate the last active administrator"
ALREADY_INACTIVE = "This account is already deactivated"
ALREADY_ACTIVE = "This account is already active"


def person_not_found(email):
    return NotFound(f"No person with email '{email}' in your organisation")


def require_admin(actor, refusal=ONLY_ADMINS):
    if not (actor.is_admin and actor.active):
        raise Forbidden(refusal)


def find_person(actor, email):
    """The person of the actor's organisation with ``email``; 404 for anyone else, so
    other organisations' people cannot be told from unknown addresses."""
    require_admin(actor)
    address = parse_email(email, "email", Problems())
    person = db.session.scalar(db.select(User).where(User.email == address)) if address else None
    if person is None or person.organization_id != actor.organization_id:
        raise person_not_found(address or (email[:254] if isinstance(email, str) else ""))
    return person


def deactivate(actor, person):
    require_admin(actor)
    if person.organization_id != actor.organization_id:
        raise person_not_found(person.email)
    if person.id == actor.id:
        raise DomainError(NOT_YOURSELF)
    if not person.active:
        raise Conflict(ALREADY_INACTIVE)
    if is_last_active_admin(person):
        raise Conflict(LAST_ADMIN)
    _leave(person, actor)
    return person


def is_last_active_admin(person):
    """Whether deactivating ``person`` would leave the organisation without an active admin."""
    return person.role == Role.ADMIN and not _other_active_admins(person)


def reactivate(actor, person):
    require_admin(actor)
    if person.organization_id != actor.organization_id:
        raise person_not_found(person.email)
    if person.active:
        raise Conflict(ALREADY_ACTIVE)
    person.active = True
    _record("person.reactivated", person, actor, {"reactivatedBy": _who(actor)})
    return person


def person_returned(person):
    """An identity provider brought ``person`` back (SCIM): reactivated by nobody, and told
    like any reactivation."""
    person.active = True
    _record("person.reactivated", person, None, {"reactivatedBy": None})


def person_left_directory(person):
    """The directory no longer has ``person``: deactivated as if by an admin, by nobody."""
    _leave(person, None)


def _leave(person, actor):
    person.active = False
    db.session.flush()
    continuity.person_left(person, actor, utcnow())
    _record("person.deactivated", person, actor, {"deactivatedBy": _who(actor)})


def _other_active_admins(person):
    """The organisation's other active admins, their rows locked until commit: two admins
    deactivating each other at once cannot both succeed (the second sees the first's
    change once it may go on)."""
    statement = (sa.select(User.id)
                 .where(User.organization_id == person.organization_id, User.role == Role.ADMIN, User.active)
                 .with_for_update())
    return [user_id for user_id in db.session.scalars(statement) if user_id != person.id]


def _record(event_type, person, actor, extra):
    record_event(event_type, organization_id=person.organization_id, subject_id=person.id, actor=actor,
                 payload={"email": person.email, "name": person.display_name, **extra})


def _who(actor):
    return {"email": actor.email, "name": actor.display_name} if actor else None
