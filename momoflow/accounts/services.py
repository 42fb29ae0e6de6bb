"""Finding, provisioning and signing in people. Callers own the transaction."""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import Organization, Source, User
from momoflow.accounts.passwords import check_password
from momoflow.database import utcnow
from momoflow.directory import DirectoryUnavailable, get_directory
from momoflow.errors import ServiceUnavailable, Unauthorized
from momoflow.extensions import db

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = "Invalid email or password"
INVALID_CREDENTIALS_TITLE = "Invalid credentials"


def find_user(email):
    email = normalize_email(email)
    return db.session.scalar(db.select(User).where(User.email == email)) if email else None


def find_organization(slug):
    return db.session.scalar(db.select(Organization).where(Organization.slug == slug))


def provision_user(email, organization=None):
    """The active user for ``email`` in ``organization``, or None.

    Looks in our database first, then in the directory, creating the record for a
    person who exists there but not here and refreshing details that changed. A person
    of another organisation is None: organisations never see each other's people.
    """
    email = normalize_email(email)
    if not email:
        return None
    user = find_user(email)
    if user and user.source == Source.DIRECTORY and _is_stale(user):
        user = _refresh_from_directory(user)
    elif user is None:
        person = get_directory().lookup(email)
        user = _upsert_person(person) if person else None
    if user is None or not user.active:
        return None
    if organization is not None and user.organization_id != organization.id:
        return None
    return user


def needs_provisioning(user, organization_id):
    """Whether ``user``, read by a caller's own lean query, cannot be used as it is (of
    another organisation, inactive, or with directory details due a refresh): then
    ``provision_user`` has the last word."""
    return (not user.active or user.organization_id != organization_id
            or (user.source == Source.DIRECTORY and _is_stale(user)))


def sign_in(email, password):
    """The user these credentials belong to, with ``last_login_at`` set; else Unauthorized.

    Local accounts are checked against their Argon2id hash; everyone else against the
    directory (LDAP bind), which provisions them on first sign-in. An organisation that
    signs in only through its identity provider refuses passwords (but an admin's).
    """
    from momoflow.sso.services import password_refusal  # sso.services needs this package
    email = normalize_email(email)
    user = find_user(email) if email else None
    if user is not None and user.password_hash:
        user = user if check_password(user, password) else None
    elif email and (user is None or user.source == Source.DIRECTORY):
        person = get_directory().authenticate(email, password or "")
        user = _upsert_person(person) if person else None
    else:
        check_password(None, password)  # same cost as a real check
        user = None
    if user is None or not user.active:
        raise Unauthorized(INVALID_CREDENTIALS, title=INVALID_CREDENTIALS_TITLE)
    # Told only once the password is right: nobody learns how an address signs in by guessing.
    refusal = password_refusal(user)
    if refusal:
        raise Unauthorized(refusal, title="Use single sign-on")
    user.last_login_at = utcnow()
    return user


def _is_stale(user):
    max_age = timedelta(seconds=current_app.config["DIRECTORY_REFRESH_SECONDS"])
    return user.synced_at is None or utcnow() - user.synced_at > max_age


SWEEP_BATCH = 50  # people per tick: each costs a directory lookup


def refresh_approvers(now):
    """The tick's duty: look up again, in the directory, people who hold undecided approval
    tasks and were last read longer ago than ``DIRECTORY_REFRESH_SECONDS``. Someone who
    left is deactivated and their tasks move on; otherwise nobody would notice until they
    were next looked up, and their requests would wait. Returns how many were read."""
    from momoflow.workflows.models import ApprovalTask, TaskStatus

    stale_before = now - timedelta(seconds=current_app.config["DIRECTORY_REFRESH_SECONDS"])
    holding = sa.exists().where(ApprovalTask.assignee_id == User.id, ApprovalTask.status == TaskStatus.PENDING)
    people = db.session.scalars(
        sa.select(User).where(User.source == Source.DIRECTORY, User.active,
                              sa.or_(User.synced_at.is_(None), User.synced_at < stale_before), holding)
        .order_by(User.synced_at.nulls_first()).limit(SWEEP_BATCH).with_for_update(of=User, skip_locked=True)).all()
    for user in people:
        try:
            _reread(user)
        except DirectoryUnavailable as exc:  # the next tick tries again; no use asking 49 more times
            log.warning("directory down; approvers' details not refreshed (%s)", exc.detail)
            break
    return len(people)


def _refresh_from_directory(user):
    try:
        return _reread(user)
    except DirectoryUnavailable as exc:
        log.warning("directory down; using stored details for %s (%s)", user.email, exc.detail)
        return user


def _reread(user):
    """``user`` as the directory has them now (DirectoryUnavailable if it cannot say)."""
    person = get_directory().lookup(user.email)
    if person is None:
        log.info("%s left the directory; deactivating", user.email)
        # Imported here: admin.py reaches the workflows package, which needs this module.
        from momoflow.accounts.admin import person_left_directory

        person_left_directory(user)
        return user
    return _upsert_person(person)


def _upsert_person(person, with_manager=True):
    """Create or update the directory person's record in the directory's organisation.

    ``with_manager``: link their manager too, provisioning that manager if need be (whose
    own manager is then left for their next refresh: never a walk up the whole chain).
    """
    user = find_user(person.email)
    if user is None:
        user = User(email=person.email, source=Source.DIRECTORY, organization=_directory_organization())
        db.session.add(user)
    user.display_name = person.display_name
    user.designation = person.designation
    user.department = person.department
    # Read without their own manager: not fully read, so the next lookup (or a template's
    # walk up the chain, ``request_templates.resolution``) reads them again and links it.
    user.synced_at = utcnow() if with_manager else None
    db.session.flush()  # a new record gets its ids now, for the organisation check
    if with_manager:
        manager = _manager_of(user, person.manager_email)
        user.manager_id = manager.id if manager else None
    return user


def _manager_of(user, email):
    """The active user of ``user``'s organisation the directory names as their manager, or
    None (none named, themself, unknown, elsewhere, or the directory cannot say)."""
    email = normalize_email(email)
    if not email or email == user.email:
        return None
    manager = find_user(email)
    if manager is None:
        try:
            person = get_directory().lookup(email)
        except DirectoryUnavailable as exc:
            log.warning("directory down; %s's manager %s left unset (%s)", user.email, email, exc.detail)
            return None
        manager = _upsert_person(person, with_manager=False) if person else None
    if manager is None or not manager.active or manager.organization_id != user.organization_id:
        return None
    return manager


def _directory_organization():
    slug = current_app.config["DIRECTORY_ORG"]
    organization = find_organization(slug)
    if organization is None:
        raise ServiceUnavailable(
            f"The directory's organisation '{slug}' does not exist yet. "
            "Create it (flask --app wsgi create-org) or set DIRECTORY_ORG."
        )
    return organization
