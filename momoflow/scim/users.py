"""SCIM Users read from MomoFlow's people: one person as a SCIM resource (scim2-models'
``User`` with the enterprise extension), and the organisation's people found by a filter,
one page at a time."""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_models import Context, Email, EnterpriseUser, Manager, Meta, Name, ResponseParameters
from scim2_models import User as ScimUser

from momoflow import fields
from momoflow.accounts.models import User
from momoflow.errors import DomainError, NotFound
from momoflow.extensions import db
from momoflow.scim.errors import ScimError

DEFAULT_COUNT = 100
MAX_COUNT = 200  # announced in ServiceProviderConfig's filter.maxResults
MAX_FILTER_LENGTH = 1000
USER_NOT_FOUND = "User {} not found"


class InvalidFilter(DomainError):
    """A filter this service cannot read, or one it does not support (RFC 7644 §3.4.2.2)."""

    status = 400
    code = "invalid_filter"
    title = "Invalid filter"

    def __init__(self, message):
        super().__init__(message)
        self.extra = {"scimType": "invalidFilter"}


@dataclass
class Page:
    people: list
    total: int
    start_index: int


def resource(user, managers=None, shown=None):
    """``user`` as a SCIM User (a dict, as RFC 7643 shows it). ``managers``: ``{user id:
    manager}`` read for a page at once; without it the manager is read here. ``shown``: the
    request's attributes / excludedAttributes (``shown_attributes``)."""
    person = ScimUser[EnterpriseUser](
        id=str(user.id), external_id=user.external_id, user_name=user.scim_user_name or user.email,
        display_name=user.display_name, active=user.active, title=user.designation,
        name=Name(given_name=user.given_name, family_name=user.family_name)
        if user.given_name or user.family_name else None,
        emails=[Email(value=user.email, type="work")],
        meta=Meta(resource_type="User", created=user.created_at, last_modified=user.updated_at,
                  location=url_for("scim.get_user", user_id=user.id, _external=True),
                  version=version_of(user)))
    manager = (managers or {}).get(user.manager_id) if managers is not None else (
        db.session.get(User, user.manager_id) if user.manager_id else None)
    person[EnterpriseUser] = EnterpriseUser(
        department=user.department,
        manager=Manager(value=str(manager.id), ref=url_for("scim.get_user", user_id=manager.id, _external=True))
        if manager else None)
    return person.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=shown)


def version_of(row):
    """A User's or Group's version (``meta.version`` and its ETag): weak, from its last change."""
    return f'W/"{int(row.updated_at.timestamp() * 1000)}"'


MAX_SHOWN = 50  # attribute names in attributes / excludedAttributes


def shown_attributes(attributes, excluded):
    """ResponseParameters for ``attributes`` and ``excludedAttributes`` (comma-separated
    text from a query, or lists from a SearchRequest body); None when neither is given."""
    lists = {}
    for key, value in (("attributes", attributes), ("excluded_attributes", excluded)):
        names = value.split(",") if isinstance(value, str) else value
        if names in (None, ""):
            continue
        if (not isinstance(names, list) or len(names) > MAX_SHOWN or not all(
                isinstance(name, str) and fields.is_valid_text(name) and 0 < len(name.strip()) <= 200
                and "\x00" not in name for name in names)):
            raise ScimError(f"{key} must name at most {MAX_SHOWN} attributes", "invalidValue")
        lists[key] = [name.strip() for name in names]
    if not lists:
        return None
    try:
        return ResponseParameters(**lists)
    except ValueError:
        raise ScimError("attributes and excludedAttributes cannot both be given", "invalidValue") from None


def find_user(organization, user_id):
    """The organisation's person with SCIM id ``user_id``; NotFound for anyone else's, and
    for someone a DELETE removed."""
    try:
        ident = uuid.UUID(str(user_id))
    except ValueError:
        ident = None
    user = db.session.get(User, ident) if ident else None
    if user is None or user.organization_id != organization.id or user.scim_removed_at is not None:
        raise NotFound(USER_NOT_FOUND.format(str(user_id)[:60]))
    return user


def search(organization, args):
    """A page of the organisation's people that ``filter`` selects (all of them without
    one), oldest first, from ``startIndex`` (1-based) for ``count``."""
    condition = _condition(args.get("filter"))
    start, count = paging(args)
    selected = sa.select(User).where(User.organization_id == organization.id, User.scim_removed_at.is_(None),
                                     *condition)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(selected.subquery()))
    people = db.session.scalars(selected.order_by(User.created_at, User.id).offset(start - 1).limit(count)).all() \
        if count else []
    return Page(list(people), total, start)


def managers_of(people):
    """``{user id: manager}`` of a page of people, in one query."""
    ids = {person.manager_id for person in people if person.manager_id}
    return {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}


def paging(args):
    problems = fields.Problems()
    start = _number(args.get("startIndex"), "startIndex", 1, problems)
    count = _number(args.get("count"), "count", DEFAULT_COUNT, problems)
    problems.raise_if_any()
    # RFC 7644 §3.4.2.4: a startIndex below 1 means 1; a count above the maximum, the maximum.
    return max(start, 1), min(max(count, 0), MAX_COUNT)


def _number(value, path, default, problems):
    if value in (None, ""):
        return default
    if isinstance(value, int) and not isinstance(value, bool):  # from a SearchRequest body
        value = str(value)
    if not isinstance(value, str):
        problems.add(path, f"{path} must be a whole number")
        return default
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        problems.add(path, f"{path} must be a whole number")
        return default
    return int(text)


# --- filters ---------------------------------------------------------------------------------

# The attributes a filter may compare with "eq", and how (RFC 7643: userName and emails
# ignore case, as addresses are stored lowercased).
def user_name_is(value):
    """SCIM's userName is the one the provider sent, else the email; either ignores case."""
    value = value.strip().lower()
    return sa.or_(sa.func.lower(User.scim_user_name) == value,
                  sa.and_(User.scim_user_name.is_(None), User.email == value))


EQUALS = {
    ("username", None): user_name_is,
    ("externalid", None): lambda value: User.external_id == value,
    ("emails", "value"): lambda value: User.email == value.strip().lower(),
    ("displayname", None): lambda value: User.display_name == value,
}


def _condition(text):
    """WHERE conditions for a filter: ``attr eq "value"``, or ``emails[type eq "work"].value
    eq "value"`` (what Okta and Entra ID send), joined by ``and``."""
    if text in (None, ""):
        return []
    return _expression(parse_filter(text))


def parse_filter(text):
    """The filter's syntax tree (scim2-filter-parser), or InvalidFilter."""
    if len(text) > MAX_FILTER_LENGTH or not fields.is_valid_text(text) or "\x00" in text:
        raise InvalidFilter("The filter is too long or not text")
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception:  # the parser's own errors (and the lexer's) are many kinds
        raise InvalidFilter(f"Cannot read the filter {text[:100]!r}") from None


def _expression(node):
    kind = type(node).__name__
    if kind == "Filter" and not node.negated and node.namespace is None:
        return _expression(node.expr)
    if kind == "LogExpr" and node.op.lower() == "and":
        return [*_expression(node.expr1), *_expression(node.expr2)]
    if kind == "AttrExpr" and node.value.lower() == "eq" and node.comp_value is not None:
        key = _attribute(node.attr_path)
        value = node.comp_value.value
        if key in EQUALS and isinstance(value, str):
            return [EQUALS[key](value)]
    raise InvalidFilter("Filters may compare userName, externalId, emails.value or displayName with eq, "
                        "joined by and")


def _attribute(path):
    """``(attribute, sub-attribute)`` named by a filter's path, lowercased; a value filter
    on emails (``emails[type eq "work"].value``) counts as ``emails.value``."""
    name = path.attr_name
    if isinstance(name, str):
        sub = getattr(path.sub_attr, "value", None) if path.sub_attr is not None else None
        return _without_urn(name).lower(), sub.lower() if isinstance(sub, str) else None
    outer = name.namespace  # emails[type eq "work"].value: every address here is a work one
    if outer is None or not isinstance(outer.attr_name, str) or not _is_work(name.expr):
        return None, None
    sub = getattr(outer.sub_attr, "value", None)
    return outer.attr_name.lower(), sub.lower() if isinstance(sub, str) else None


def _is_work(node):
    inner = getattr(node, "expr", None)
    return (type(inner).__name__ == "AttrExpr" and inner.value.lower() == "eq"
            and str(inner.attr_path.attr_name).lower() == "type" and inner.comp_value is not None
            and str(inner.comp_value.value).lower() == "work")


def _without_urn(name):
    return name.rsplit(":", 1)[-1]
