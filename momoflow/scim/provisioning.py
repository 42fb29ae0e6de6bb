"""People written by an identity provider through SCIM: created, replaced (PUT), patched
(PATCH, in the forms Okta and Entra ID send) and deactivated (``active: false`` or DELETE).

Every write goes through one path: the person's attributes as a flat dict (``Attributes``),
changed by the request, checked, then applied. A PATCH is a list of changes to that dict
(``apply_patch``), so Entra ID's ``"op": "Replace"`` with a path-less value object and
Okta's ``{"op": "replace", "value": {"active": false}}`` need no code of their own.
Deactivation runs the same continuity rules as an admin's (``accounts.admin``): waiting
approval tasks move to a delegate or the manager, and admins hear of it. Each change is
kept in ``scim_changes``. Callers own the transaction.
"""

import sqlalchemy as sa

from momoflow import fields
from momoflow.accounts import admin
from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import Role, Source, User
from momoflow.database import utcnow
from momoflow.errors import NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.scim import users
from momoflow.scim.errors import ScimError, invalid
from momoflow.scim.models import ScimChange
from momoflow.scim.users import find_user

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
MAX_TEXT = 200
MAX_OPERATIONS = 100
LAST_ADMIN = "The organisation's last active administrator cannot be deactivated through provisioning"


# --- a person's attributes as a flat dict ----------------------------------------------------

FLAT = ("userName", "email", "displayName", "givenName", "familyName", "title", "active", "externalId",
        "department", "manager")
NEEDS_EMAIL = ("A work email is required: send userName as the email address, "
               "or emails with a work (or primary) address")


def from_body(body):
    """The flat attributes of a POST or PUT body (anything not understood is ignored, as
    RFC 7644 lets a service do with attributes it does not keep)."""
    if not isinstance(body, dict):
        raise ScimError("The body must be a JSON object", "invalidSyntax")
    name = body.get("name") if isinstance(body.get("name"), dict) else {}
    enterprise = body.get(ENTERPRISE) if isinstance(body.get(ENTERPRISE), dict) else {}
    return {"userName": body.get("userName"), "email": _work_email(body.get("emails")),
            "displayName": body.get("displayName") or name.get("formatted"),
            "givenName": name.get("givenName"), "familyName": name.get("familyName"), "title": body.get("title"),
            "active": body.get("active", True), "externalId": body.get("externalId"),
            "department": enterprise.get("department"), "manager": _manager_id(enterprise.get("manager"))}


def from_user(user):
    return {"userName": user.scim_user_name or user.email, "email": user.email, "displayName": user.display_name, "givenName": None, "familyName": None,
            "title": user.designation, "active": user.active, "externalId": user.external_id,
            "department": user.department, "manager": str(user.manager_id) if user.manager_id else None}


def _manager_id(value):
    return value.get("value") if isinstance(value, dict) else value


def _work_email(emails):
    """The address of a SCIM ``emails`` list MomoFlow keeps: the work one, else the primary
    one, else the first; None without any."""
    if not isinstance(emails, list):
        return None
    entries = [entry for entry in emails if isinstance(entry, dict) and entry.get("value") not in (None, "")]
    chosen = (next((entry for entry in entries if entry.get("type") == "work"), None)
              or next((entry for entry in entries if entry.get("primary") is True), None)
              or (entries[0] if entries else None))
    return chosen and chosen["value"]


# Paths a PATCH may name, lowercased, with the flat attribute each sets.
PATHS = {
    "username": "userName", "displayname": "displayName", "name.formatted": "displayName",
    "name.givenname": "givenName", "name.familyname": "familyName", "title": "title", "active": "active",
    "externalid": "externalId", 'emails[type eq "work"].value': "email", "emails": "email",
    f"{ENTERPRISE}:department".lower(): "department", f"{ENTERPRISE}:manager".lower(): "manager",
    f"{ENTERPRISE}:manager.value".lower(): "manager",
}


# Complex attributes a PATCH may name whole, with the flat attributes they hold.
COMPLEX = {"name": ("givenName", "familyName"), ENTERPRISE.lower(): ("department", "manager")}
# Attributes every person has here (the Schemas endpoint says so): never removed.
REQUIRED = {"userName": "userName", "email": "emails", "displayName": "displayName", "active": "active"}


def apply_patch(attributes, body):
    """``attributes`` changed by a PatchOp body's Operations (op names in any case; a
    path-less value is an object of attributes, Entra ID's and Okta's way)."""
    operations = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(operations, list) or not 1 <= len(operations) <= MAX_OPERATIONS:
        raise ScimError(f"Operations must list 1 to {MAX_OPERATIONS} operations", "invalidSyntax")
    changed = dict(attributes)
    for operation in operations:
        if not isinstance(operation, dict) or str(operation.get("op", "")).lower() not in ("add", "replace", "remove"):
            raise ScimError("Each operation's op is add, replace or remove", "invalidSyntax")
        op, path, value = operation["op"].lower(), operation.get("path"), operation.get("value")
        if path is None:
            if op == "remove" or not isinstance(value, dict):
                raise ScimError("An operation without a path needs an object of attributes", "noTarget")
            changed.update({key: item for key, item in _flat_value(value).items()})
        elif isinstance(path, str) and path.strip().lower() in COMPLEX:
            parts = COMPLEX[path.strip().lower()]
            if op == "remove":
                changed.update(dict.fromkeys(parts))
            elif isinstance(value, dict):
                changed.update(_flat_value({path.strip(): value}))
            else:
                raise invalid(f"{path.strip()[:80]} takes an object")
        else:
            key = PATHS.get(str(path).strip().lower()) if isinstance(path, str) else None
            if key is None:
                raise ScimError(f"Cannot change {str(path)[:80]}", "invalidPath")
            if op == "remove" and key in REQUIRED:
                raise invalid(f"{REQUIRED[key]} is required and cannot be removed")
            changed[key] = None if op == "remove" else _path_value(key, path, value)
    return changed


def _path_value(key, path, value):
    if key == "manager":
        return _manager_id(value)
    if key == "email" and path.strip().lower() == "emails":
        return _work_email(value if isinstance(value, list) else [value])
    return value


def _flat_value(value):
    """A path-less PATCH value as flat attributes: ``{"active": false}``, Entra ID's
    ``{"name.givenName": "…"}`` keys, or nested ``name`` and enterprise objects."""
    flat = {}
    for key, item in value.items():
        if key == "name" and isinstance(item, dict):
            names = {"formatted": "displayName", "givenName": "givenName", "familyName": "familyName"}
            flat.update({names[part]: text for part, text in item.items() if part in names})
        elif key == "emails":
            flat["email"] = _work_email(item if isinstance(item, list) else [item])
        elif key.lower() == ENTERPRISE.lower() and isinstance(item, dict):
            flat.update({part: _manager_id(text) if part == "manager" else text
                         for part, text in item.items() if part in ("department", "manager")})
        elif (target := PATHS.get(str(key).strip().lower())) is not None:
            flat[target] = _manager_id(item) if target == "manager" else item
    return flat


# --- checked and applied ------------------------------------------------------------------------


def _checked(organization, attributes, user=None):
    problems = fields.Problems()
    user_name = fields.text(attributes["userName"], "userName", problems, label="userName", max_length=255,
                            required="userName is required")
    email_given = _email_given(attributes["email"], user_name)
    email = fields.email(email_given, "emails", problems, NEEDS_EMAIL) if email_given is not None else None
    if email_given is None and user_name is not None:
        problems.add("emails", NEEDS_EMAIL)
    texts = {key: fields.text(attributes[key], key, problems, label=key, max_length=MAX_TEXT)
             for key in ("displayName", "givenName", "familyName", "title", "department")}
    external = fields.text(attributes["externalId"], "externalId", problems, label="externalId", max_length=255)
    try:
        problems.raise_if_any()
    except ValidationFailed as error:
        raise invalid(error.message) from None
    if not isinstance(attributes["active"], bool):
        raise invalid("active must be true or false")
    name = texts["displayName"] or " ".join(filter(None, (texts["givenName"], texts["familyName"]))) or email
    _require_unique(organization, user, user_name, email)
    manager = _manager(organization, attributes["manager"])
    if manager is not None and user is not None and manager.id == user.id:
        raise invalid("A person cannot be their own manager")
    return {"email": email, "user_name": None if user_name.lower() == email else user_name,
            "display_name": name, "given_name": texts["givenName"], "family_name": texts["familyName"],
            "designation": texts["title"], "department": texts["department"],
            "external_id": external, "active": attributes["active"], "manager": manager}


def _email_given(email, user_name):
    """The address a request names: its emails' one, else its userName (when that is one)."""
    return email if email not in (None, "") else user_name


def _require_unique(organization, user, user_name, email):
    taken = db.session.scalar(sa.select(User).where(User.email == email))
    if taken is not None and taken is not user:
        raise ScimError(f"The email {email} is taken", "uniqueness", status=409)
    clash = db.session.scalar(sa.select(User.id).where(
        User.organization_id == organization.id, users.user_name_is(user_name),
        User.id != user.id if user is not None else sa.true()))
    if clash is not None:
        raise ScimError(f"userName {user_name[:100]} is taken", "uniqueness", status=409)


def _manager(organization, manager_id):
    if manager_id in (None, ""):
        return None
    try:
        return find_user(organization, manager_id)
    except NotFound:
        raise invalid("manager must be the id of a person of this organisation") from None


def create(token, body):
    """POST: a new person, or one a DELETE removed coming back (same email, same organisation)."""
    organization = token.organization
    attributes = from_body(body)
    returning = _removed_person(organization, attributes)
    if returning is not None:
        returning.scim_removed_at = None
        user = _save(token, returning, attributes)
        log_change(token, "user.restored", user, f"Provisioned {user.email} again")
        assign_by_rules(token)
        return user
    values = _checked(organization, attributes)
    user = User(organization_id=organization.id, email=values["email"], role=Role.EMPLOYEE, source=Source.LOCAL,
                display_name=values["display_name"], active=True)
    db.session.add(user)
    _apply(token, user, values)
    db.session.flush()
    log_change(token, "user.created", user, f"Created {user.email}")
    assign_by_rules(token)
    return user


def _removed_person(organization, attributes):
    email = _email_given(attributes["email"], attributes["userName"])
    email = normalize_email(email) if isinstance(email, str) else None
    if not email:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email, User.organization_id == organization.id,
                                                   User.scim_removed_at.is_not(None)))


def replace(token, user_id, body):
    """PUT: the body's attributes replace the person's; leaving ``active`` out keeps it as it
    is (a deactivated person is never brought back by a profile update)."""
    user = find_user(token.organization, user_id)
    attributes = from_body(body)
    if "active" not in body:
        attributes["active"] = user.active
    _save(token, user, attributes)
    assign_by_rules(token)
    return user


def patch(token, user_id, body):
    user = find_user(token.organization, user_id)
    _save(token, user, apply_patch(from_user(user), body))
    assign_by_rules(token)
    return user


def remove(token, user_id):
    """DELETE: the person is deactivated, not erased (requests and history name them), and
    from now on unknown to SCIM (404), their userName free. POSTing them again brings them back."""
    user = find_user(token.organization, user_id)
    if user.active:
        _save(token, user, {**from_user(user), "active": False})
    user.scim_removed_at, user.scim_user_name = utcnow(), None
    log_change(token, "user.removed", user, f"Removed {user.email} from provisioning")
    return user


def _save(token, user, attributes):
    values = _checked(token.organization, attributes, user)
    before = from_user(user)
    _apply(token, user, values)
    after = from_user(user)
    changed = sorted(key for key in FLAT if before.get(key) != after.get(key) and key != "active")
    if changed:
        log_change(token, "user.updated", user, f"Changed {', '.join(changed)} of {user.email}")
    return user


def _apply(token, user, values):
    user.email, user.display_name, user.designation = values["email"], values["display_name"], values["designation"]
    user.scim_user_name, user.given_name, user.family_name = (values["user_name"], values["given_name"],
                                                               values["family_name"])
    user.department, user.external_id = values["department"], values["external_id"]
    user.manager_id = values["manager"].id if values["manager"] else None
    if user.active and not values["active"]:
        _deactivate(token, user)
    elif not user.active and values["active"]:
        admin.person_returned(user)
        log_change(token, "user.reactivated", user, f"Reactivated {user.email}")


def _deactivate(token, user):
    if admin.is_last_active_admin(user):
        raise ScimError(LAST_ADMIN, "mutability", status=409)
    admin.person_left_directory(user)  # the same continuity rules as any deactivation
    log_change(token, "user.deactivated", user, f"Deactivated {user.email}")


def assign_by_rules(token):
    """Flows the organisation keeps assigning to a department or group reach people as
    soon as provisioning puts them there (``flows.audiences.apply_rules_for``)."""
    from momoflow.flows.audiences import apply_rules_for  # the flows package reaches accounts and scim

    db.session.flush()
    apply_rules_for(token.organization, utcnow())


def log_change(token, action, user, summary):
    db.session.add(ScimChange(organization_id=token.organization_id, token_id=token.id, action=action,
                              resource_id=str(user.id), summary=summary[:500], occurred_at=utcnow()))

