"""Groups of people. Callers own the transaction.

``members_of`` answers "who is in the group called X" for request templates: a local
group from our tables, a directory group from the directory, mirrored here so a group
used again within ``DIRECTORY_REFRESH_SECONDS`` (or while the directory is down) costs no
directory round trip. The rest is admins managing local groups (Settings → Groups).
"""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from momoflow import fields
from momoflow.accounts import admin
from momoflow.accounts.models import User
from momoflow.accounts.services import needs_provisioning, provision_user
from momoflow.database import utcnow
from momoflow.directory import DirectoryUnavailable, get_directory
from momoflow.errors import Conflict, DomainError, NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.groups.models import Group, GroupMember, GroupSource, name_key
from momoflow.search import ESCAPE, like_pattern

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 1000
ONLY_ADMINS = "Only administrators can manage groups."
NOT_FOUND = "No such group in your organisation"
FROM_DIRECTORY = "This group comes from the company directory: change it there."
FROM_PROVIDER = "This group comes from your identity provider (provisioning): change it there."
NAME_REQUIRED = "Name is required"


# --- who is in a group ------------------------------------------------------------


def members_of(organization, name):
    """The active members of ``organization``'s group called ``name`` (any case), ordered
    by display name, or None when there is no such group. DirectoryUnavailable when the
    directory would have to answer and cannot, with no mirror to fall back on."""
    key = _usable_key(name)
    if key is None:
        return None
    group = _group_by_key(organization.id, key)
    if group is not None and (group.is_stored or _is_fresh(group)):
        return _active_members(group)
    if not _directory_serves(organization):
        return _active_members(group) if group is not None else None
    try:
        emails = get_directory().group_members(name.strip())
    except DirectoryUnavailable as exc:
        if group is None:
            raise
        log.warning("directory down; using the stored members of group %s (%s)", group.name, exc.detail)
        return _active_members(group)
    if emails is None:
        if group is not None:  # gone from the directory: so is its mirror
            _drop(group)
        return None
    group = _mirror(organization, group, name.strip(), _directory_people(organization, emails))
    return _active_members(group)


def is_kept_here(organization, name):
    """Whether ``organization``'s group ``name`` is one MomoFlow keeps (local, or pushed by
    SCIM), so reading its members never asks the directory."""
    key = _usable_key(name)
    group = _group_by_key(organization.id, key) if key else None
    return group is not None and group.is_stored


def _active_members(group):
    return list(db.session.scalars(
        sa.select(User).join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id, User.active, User.organization_id == group.organization_id)
        .order_by(User.display_name, User.email)))


def _is_fresh(group):
    max_age = timedelta(seconds=current_app.config["DIRECTORY_REFRESH_SECONDS"])
    return group.synced_at is not None and utcnow() - group.synced_at <= max_age


def _directory_serves(organization):
    """Only the directory's own organisation sees its groups (its people are theirs alone)."""
    return organization.slug == current_app.config["DIRECTORY_ORG"]


def _directory_people(organization, emails):
    """The users for the directory's ``emails``: known ones in one query, the rest (and
    known ones due a refresh) through ``provision_user``. Unknown, inactive or other
    organisations' people are left out."""
    known = {user.email: user for user in db.session.scalars(sa.select(User).where(User.email.in_(emails)))}
    people = []
    for email in emails:
        user = known.get(email)
        if user is None or needs_provisioning(user, organization.id):
            user = provision_user(email, organization)
        if user is not None and user.active and user.organization_id == organization.id:
            people.append(user)
    return people


def _mirror(organization, group, name, people):
    """Store the directory's answer as the group's mirror (created if need be)."""
    if group is None:
        group = Group(organization_id=organization.id, name=name[:MAX_NAME_LENGTH], name_key=name_key(name),
                      source=GroupSource.DIRECTORY)
        try:
            with db.session.begin_nested():  # someone else may be mirroring it at this moment
                db.session.add(group)
        except sa.exc.IntegrityError:
            group = _group_by_key(organization.id, name_key(name))
    group.synced_at = utcnow()
    set_members(group, people)
    return group


def set_members(group, people):
    """Make ``people`` the group's members: the others' rows go, the new ones' are added."""
    wanted = {user.id for user in people}
    stored = set(db.session.scalars(sa.select(GroupMember.user_id).where(GroupMember.group_id == group.id)))
    if stored - wanted:
        db.session.execute(sa.delete(GroupMember).where(GroupMember.group_id == group.id,
                                                        GroupMember.user_id.in_(stored - wanted)))
    db.session.add_all(GroupMember(group_id=group.id, user_id=user_id) for user_id in wanted - stored)
    if wanted != stored:
        group.updated_at = utcnow()  # a new membership is a new version of the group (SCIM's ETag)
    db.session.flush()


def _usable_key(text):
    """``name_key(text)``, or None for what no group can be called (blank, too long, not text)."""
    if not isinstance(text, str) or not fields.is_valid_text(text) or "\x00" in text:
        return None
    key = name_key(text)
    return key if key and len(key) <= MAX_NAME_LENGTH else None


def _drop(group):
    # Memberships first: SQLite enforces no ON DELETE CASCADE unless asked to.
    db.session.execute(sa.delete(GroupMember).where(GroupMember.group_id == group.id))
    db.session.delete(group)
    db.session.flush()


def _group_by_key(organization_id, key):
    return db.session.scalar(sa.select(Group).where(Group.organization_id == organization_id,
                                                    Group.name_key == key))


# --- finding and listing -------------------------------------------------------------


def search_groups(organization, text, limit=8):
    """Up to ``limit`` of the organisation's groups (local and mirrored from the directory)
    whose name holds ``text``, names starting with it first: the autocomplete."""
    key = _usable_key(text)
    if key is None:
        return []
    starts = Group.name_key.like(f"{like_pattern(key)[1:]}", escape=ESCAPE)
    return list(db.session.scalars(
        sa.select(Group).where(Group.organization_id == organization.id,
                               Group.name_key.like(like_pattern(key), escape=ESCAPE))
        .order_by(sa.case((starts, 0), else_=1), Group.name_key).limit(max(1, min(int(limit), 50)))))


def group_names(organization):
    """Every group name the organisation can use, by name: its own groups and those mirrored
    from the directory, and the directory's groups nobody has used yet, as one list. A
    directory that does not answer leaves just the stored ones."""
    names = {group_name: None for group_name in db.session.scalars(
        sa.select(Group.name).where(Group.organization_id == organization.id).order_by(Group.name_key))}
    keys = {name_key(name) for name in names}
    return sorted([*names, *(name for name in directory_group_names(organization) if name_key(name) not in keys)],
                  key=name_key)


def directory_group_names(organization):
    """The directory's group names for its own organisation; [] elsewhere or when it is down."""
    if not _directory_serves(organization):
        return []
    try:
        return get_directory().group_names()
    except DirectoryUnavailable as exc:
        log.warning("directory down; listing stored groups only (%s)", exc.detail)
        return []


def list_groups(organization):
    """Every group of the organisation by name, each with its active member count:
    ``[(group, count)]``, in one query."""
    count = (sa.select(sa.func.count()).select_from(GroupMember)
             .join(User, User.id == GroupMember.user_id)
             .where(GroupMember.group_id == Group.id, User.active, User.organization_id == Group.organization_id)
             .correlate(Group).scalar_subquery())
    rows = db.session.execute(sa.select(Group, count).where(Group.organization_id == organization.id)
                              .order_by(Group.name_key))
    return [(group, members) for group, members in rows]


def find_group(actor, group_id):
    """The actor's organisation's group ``group_id`` (admins only); 404 for any other."""
    require_admin(actor)
    group = db.session.get(Group, group_id) if group_id else None
    if group is None or group.organization_id != actor.organization_id:
        raise NotFound(NOT_FOUND)
    return group


def group_members(group):
    """Every member of ``group`` as stored, inactive ones too (the group's page shows them)."""
    return list(db.session.scalars(
        sa.select(User).join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id).order_by(User.display_name, User.email)))


def require_admin(actor):
    admin.require_admin(actor, ONLY_ADMINS)


# --- admins managing local groups ----------------------------------------------------


def create_group(actor, name, description=None):
    require_admin(actor)
    name, description = _parse_details(actor.organization_id, None, name, description)
    group = Group(organization_id=actor.organization_id, name=name, name_key=name_key(name),
                  description=description, source=GroupSource.LOCAL)
    db.session.add(group)
    _flush_named(group)
    return group


def edit_group(actor, group_id, name, description):
    """Rename a local group and set its description in one go."""
    group = _local_group(actor, group_id)
    name, description = _parse_details(group.organization_id, group, name, description)
    group.name, group.name_key, group.description = name, name_key(name), description
    _flush_named(group)
    return group


def delete_group(actor, group_id):
    group = _local_group(actor, group_id)
    _drop(group)
    return group


def add_member(actor, group_id, email):
    """Add the person with ``email`` (provisioned from the directory if need be)."""
    group = _local_group(actor, group_id)
    address = _parse_email(email)
    user = provision_user(address, actor.organization)
    if user is None:
        raise DomainError(f"No active person with email {address} in your organisation", field="email")
    if db.session.get(GroupMember, (group.id, user.id)) is not None:
        raise Conflict(f"{user.display_name} is already in {group.name}", field="email")
    db.session.add(GroupMember(group_id=group.id, user_id=user.id))
    group.updated_at = utcnow()
    db.session.flush()
    return user


def remove_member(actor, group_id, email):
    group = _local_group(actor, group_id)
    address = _parse_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == address))
    membership = db.session.get(GroupMember, (group.id, user.id)) if user else None
    if membership is None:
        raise Conflict(f"{address} is not in {group.name}", field="email")
    db.session.delete(membership)
    group.updated_at = utcnow()
    db.session.flush()
    return user


def _local_group(actor, group_id):
    group = find_group(actor, group_id)
    if not group.is_local:
        raise Conflict(FROM_PROVIDER if group.source == GroupSource.SCIM else FROM_DIRECTORY)
    return group


def _parse_details(organization_id, group, name, description):
    """The name and description, every problem found at once (a name another group of the
    organisation has, in any case, is one)."""
    problems = fields.Problems()
    name = fields.text(name, "name", problems, label="Name", max_length=MAX_NAME_LENGTH, required=NAME_REQUIRED)
    description = fields.text(description, "description", problems, label="Description",
                              max_length=MAX_DESCRIPTION_LENGTH)
    if name and len(name_key(name)) > MAX_NAME_LENGTH:  # a few letters grow when case is folded
        problems.add("name", fields.too_long("Name", MAX_NAME_LENGTH))
    elif name:
        taken = _group_by_key(organization_id, name_key(name))
        if taken is not None and taken is not group:
            where = {GroupSource.DIRECTORY: " (from the directory)",
                     GroupSource.SCIM: " (from your identity provider)"}.get(taken.source, "")
            problems.add("name", f"A group called {taken.name}{where} already exists")
    problems.raise_if_any()
    return " ".join(name.split()), description


def _flush_named(group):
    """Flush, turning a name someone else took a moment ago into the form's message."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ValidationFailed([("name", f"A group called {group.name} already exists")]) from None


def _parse_email(email):
    problems = fields.Problems()
    address = fields.email(email, "email", problems)
    problems.raise_if_any()
    return address

