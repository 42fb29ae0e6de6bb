"""SCIM Groups: groups the identity provider pushes, stored as MomoFlow groups (source
``scim``) so request templates' approver rules and flow audiences read them like any other
(``groups.services.members_of``). Members are the organisation's people by SCIM id.
Membership changes come as PATCH in Okta's form (``add``/``remove`` on ``members``,
``members[value eq "id"]``) or Entra ID's (``Add``/``Remove`` with a list of values).
Callers own the transaction."""

import re
import uuid

import sqlalchemy as sa
from flask import url_for
from scim2_models import Context, GroupMember as ScimMember, Meta
from scim2_models import Group as ScimGroup

from momoflow import fields
from momoflow.accounts.models import User
from momoflow.errors import NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.groups.models import Group, GroupMember, GroupSource, name_key
from momoflow.groups.services import MAX_NAME_LENGTH, set_members
from momoflow.scim.errors import ScimError, invalid
from momoflow.scim.provisioning import MAX_OPERATIONS, assign_by_rules, log_change
from momoflow.scim.users import InvalidFilter, paging, parse_filter, version_of

MAX_MEMBERS = 5000
MEMBER_PATH = re.compile(r'members\[\s*value\s+eq\s+"([^"]{1,100})"\s*\]', re.IGNORECASE)
GROUP_NOT_FOUND = "Group {} not found"


def resource(group, members, shown=None):
    """``group`` as a SCIM Group; ``shown``: the request's attributes / excludedAttributes."""
    document = ScimGroup(
        id=str(group.id), display_name=group.name, external_id=group.external_id,
        members=[ScimMember(value=str(user.id), type="User", ref=url_for("scim.get_user", user_id=user.id,
                                                                         _external=True)) for user in members],
        meta=Meta(resource_type="Group", created=group.created_at, last_modified=group.updated_at,
                  location=url_for("scim.get_group", group_id=group.id, _external=True), version=version_of(group)))
    return document.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=shown)


def members_of(groups):
    """``{group id: [people by name]}`` for a page of groups, in one query."""
    found = {group.id: [] for group in groups}
    if found:
        for group_id, user in db.session.execute(
                sa.select(GroupMember.group_id, User).join(User, User.id == GroupMember.user_id)
                .where(GroupMember.group_id.in_(list(found))).order_by(User.display_name, User.id)):
            found[group_id].append(user)
    return found


def find_group(organization, group_id):
    try:
        ident = uuid.UUID(str(group_id))
    except ValueError:
        ident = None
    group = db.session.get(Group, ident) if ident else None
    if group is None or group.organization_id != organization.id or group.source != GroupSource.SCIM:
        raise NotFound(GROUP_NOT_FOUND.format(str(group_id)[:60]))
    return group


def search(organization, args):
    """The provider's groups (``displayName eq "…"`` or all), oldest first, paged."""
    selected = sa.select(Group).where(Group.organization_id == organization.id, Group.source == GroupSource.SCIM)
    text = args.get("filter")
    if text:
        name = _display_name_filter(text)
        selected = selected.where(Group.name_key == name_key(name))
    start, count = paging(args)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(selected.subquery()))
    groups = db.session.scalars(selected.order_by(Group.created_at, Group.id).offset(start - 1).limit(count)).all() \
        if count else []
    return list(groups), total, start


def _display_name_filter(text):
    node = parse_filter(text).expr
    if (type(node).__name__ == "AttrExpr" and node.value.lower() == "eq"
            and str(node.attr_path.attr_name).lower() == "displayname" and isinstance(node.comp_value.value, str)):
        return node.comp_value.value
    raise InvalidFilter('Groups can be filtered by displayName eq "…" only')


# --- writes ------------------------------------------------------------------------------------


def create(token, body):
    organization = token.organization
    name = _name(organization, _object(body).get("displayName"))
    group = Group(organization_id=organization.id, name=name, name_key=name_key(name), source=GroupSource.SCIM,
                  external_id=_external_id(body.get("externalId")))
    db.session.add(group)
    db.session.flush()
    set_members(group, _people(organization, _member_ids(body.get("members") or [])))
    log_change(token, "group.created", group, f"Created group {group.name}")
    assign_by_rules(token)
    return group


def replace(token, group_id, body):
    group = find_group(token.organization, group_id)
    body = _object(body)
    _rename(token, group, body.get("displayName"))
    group.external_id = _external_id(body.get("externalId"))
    set_members(group, _people(token.organization, _member_ids(body.get("members") or [])))
    log_change(token, "group.updated", group, f"Replaced group {group.name}")
    assign_by_rules(token)
    return group


def patch(token, group_id, body):
    group = find_group(token.organization, group_id)
    operations = _object(body).get("Operations")
    if not isinstance(operations, list) or not 1 <= len(operations) <= MAX_OPERATIONS:
        raise ScimError(f"Operations must list 1 to {MAX_OPERATIONS} operations", "invalidSyntax")
    members = {user.id: user for user in members_of([group])[group.id]}
    for operation in operations:
        op, path, value = _operation(operation)
        target = path.lower() if isinstance(path, str) else None
        if target is None and op != "remove" and isinstance(value, dict):  # Entra: {"displayName": …, "members": …}
            if "displayName" in value:
                _rename(token, group, value["displayName"])
            if "externalId" in value:
                group.external_id = _external_id(value["externalId"])
            if "members" in value:
                members = _changed(token, members, op, value["members"])
        elif target == "displayname" and op != "remove":
            _rename(token, group, value)
        elif target == "externalid":
            group.external_id = None if op == "remove" else _external_id(value)
        elif target == "members" and op == "remove" and value is None:
            members = {}  # every member
        elif target == "members":
            members = _changed(token, members, op, value)
        elif target and target.startswith("members[") and op == "remove":
            members = _changed(token, members, "remove", [{"value": _member_in_path(path)}])
        else:
            raise ScimError(f"Cannot {op} {str(path)[:80]}", "invalidPath")
    set_members(group, list(members.values()))
    log_change(token, "group.updated", group, f"Changed group {group.name}")
    assign_by_rules(token)
    return group


def delete(token, group_id):
    group = find_group(token.organization, group_id)
    log_change(token, "group.deleted", group, f"Deleted group {group.name}")
    db.session.execute(sa.delete(GroupMember).where(GroupMember.group_id == group.id))
    db.session.delete(group)


def _operation(operation):
    if not isinstance(operation, dict) or str(operation.get("op", "")).lower() not in ("add", "replace", "remove"):
        raise ScimError("Each operation's op is add, replace or remove", "invalidSyntax")
    return operation["op"].lower(), operation.get("path"), operation.get("value")


def _changed(token, members, op, value):
    people = _people(token.organization, _member_ids(value if isinstance(value, list) else [value]))
    if op == "replace":
        return {user.id: user for user in people}
    if op == "add":
        return {**members, **{user.id: user for user in people}}
    gone = {user.id for user in people}
    return {ident: user for ident, user in members.items() if ident not in gone}


def _member_in_path(path):
    """``members[value eq "id"]`` (Okta's removal): the id."""
    match = MEMBER_PATH.fullmatch(path.strip())
    if match is None:
        raise ScimError(f"Cannot remove {str(path)[:80]}", "invalidPath")
    return match.group(1)


def _member_ids(values):
    if not isinstance(values, list) or len(values) > MAX_MEMBERS:
        raise invalid(f"members must list at most {MAX_MEMBERS} members")
    ids = []
    for value in values:
        ident = value.get("value") if isinstance(value, dict) else None
        if not isinstance(ident, str):
            raise invalid("Each member needs a value: a user's id")
        ids.append(ident)
    return ids


def _people(organization, ids):
    """The organisation's people with these SCIM ids; an id of nobody here is refused."""
    wanted = {}
    for ident in ids:
        try:
            wanted[uuid.UUID(ident)] = ident
        except ValueError:
            raise invalid(f"No user {ident[:60]} in this organisation") from None
    people = db.session.scalars(sa.select(User).where(User.id.in_(list(wanted)),
                                                      User.organization_id == organization.id)).all() if wanted else []
    missing = set(wanted) - {user.id for user in people}
    if missing:
        raise invalid(f"No user {wanted[next(iter(missing))][:60]} in this organisation")
    return list(people)


def _rename(token, group, value):
    name = _name(token.organization, value, group)
    group.name, group.name_key = name, name_key(name)


def _name(organization, value, group=None):
    problems = fields.Problems()
    name = fields.text(value, "displayName", problems, label="displayName", max_length=MAX_NAME_LENGTH,
                       required="displayName is required")
    try:
        problems.raise_if_any()
    except ValidationFailed as error:
        raise invalid(error.message) from None
    name = " ".join(name.split())
    taken = db.session.scalar(sa.select(Group).where(Group.organization_id == organization.id,
                                                     Group.name_key == name_key(name)))
    if taken is not None and taken is not group:
        raise ScimError(f"A group called {taken.name} exists already", "uniqueness", status=409)
    return name


def _external_id(value):
    return value[:1000] if isinstance(value, str) and fields.is_valid_text(value) and "\x00" not in value else None


def _object(body):
    if not isinstance(body, dict):
        raise ScimError("The body must be a JSON object", "invalidSyntax")
    return body
