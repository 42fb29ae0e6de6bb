"""Reading an organisation's people for its admins (Settings → People and ``/api/v1/users``).

A page is alphabetical (name, then id: the ``ix_users_org_name`` index) and costs two
queries whatever its size: the people with their manager and current-or-next absence
(and its stand-in) joined in, then one grouped count of the undecided tasks they hold.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, lazyload

from momoflow import fields
from momoflow.accounts.models import Absence, Role, User
from momoflow.accounts.search import LIKE_ESCAPE, MAX_QUERY_LENGTH, escape_like
from momoflow.database import utcnow
from momoflow.errors import ValidationFailed
from momoflow.extensions import db
from momoflow.pagination import encode_name_cursor
from momoflow.sso.models import SsoIdentity
from momoflow.workflows.models import ApprovalLevel, ApprovalTask, TaskStatus, WorkflowRequest

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
STATUSES = ("active", "deactivated")
STATUS_PROBLEM = f"status must be one of {', '.join(STATUSES)}"
ROLE_PROBLEM = f"role must be one of {', '.join(role.value for role in Role)}"
CURSOR_PROBLEM = "cursor is not valid (use nextCursor from the previous page)"
LIMIT_PROBLEM = f"limit must be a whole number from 1 to {MAX_LIMIT}"


@dataclass
class PeopleQuery:
    text: str | None = None
    status: str | None = None  # "active", "deactivated" or None for everyone
    role: Role | None = None
    cursor: tuple | None = None  # (name, id) the previous page ended at
    limit: int = DEFAULT_LIMIT


@dataclass
class PersonRow:
    person: User
    manager: User | None
    absence: Absence | None  # the current one, else the next; None when none is ahead
    delegate: User | None
    undecided: int  # PENDING approval tasks they hold
    identity: SsoIdentity | None = None  # their link to the organisation's identity provider

    @property
    def away_now(self):
        return self.absence is not None and self.absence.starts_at <= utcnow()


@dataclass
class PeoplePage:
    rows: list
    next_cursor: str | None


def parse_people_query(args, default_limit=DEFAULT_LIMIT):
    """A PeopleQuery from query-string ``args``, or ValidationFailed naming each bad one."""
    problems = fields.Problems()
    text = fields.text(args.get("q"), "q", problems, label="q", max_length=MAX_QUERY_LENGTH)
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        problems.add("status", STATUS_PROBLEM)
    role = fields.choice(args.get("role"), Role, "role", problems, ROLE_PROBLEM) if args.get("role") else None
    cursor = fields.name_cursor(args.get("cursor"), problems, message=CURSOR_PROBLEM)
    limit = fields.page_limit(args.get("limit"), problems, default=default_limit, maximum=MAX_LIMIT,
                              message=LIMIT_PROBLEM)
    if problems:
        raise ValidationFailed(problems)
    return PeopleQuery(text.lower() if text else None, status, role, cursor, limit)


def list_people(organization, query):
    statement = _rows().where(User.organization_id == organization.id)
    if query.text:
        pattern = f"%{escape_like(query.text)}%"
        statement = statement.where(sa.or_(sa.func.lower(User.display_name).like(pattern, escape=LIKE_ESCAPE),
                                           User.email.like(pattern, escape=LIKE_ESCAPE)))
    if query.status:
        statement = statement.where(User.active.is_(query.status == "active"))
    if query.role:
        statement = statement.where(User.role == query.role)
    if query.cursor:
        name, identifier = query.cursor
        statement = statement.where(sa.tuple_(User.display_name, User.id)
                                    > sa.tuple_(sa.literal(name, User.display_name.type),
                                                sa.literal(identifier, User.id.type)))
    found = db.session.execute(statement.order_by(User.display_name, User.id).limit(query.limit + 1)).all()
    rows = _with_counts(found[: query.limit])
    last = rows[-1].person if rows else None
    return PeoplePage(rows, encode_name_cursor(last.display_name, last.id) if len(found) > query.limit else None)


def person_row(person):
    """One person's row as the list shows it (after a change, to redraw it)."""
    [row] = _with_counts(db.session.execute(_rows().where(User.id == person.id)).all())
    return row


def waiting_tasks(person):
    """``[(task, level, request)]``: the undecided tasks ``person`` holds, soonest due first
    (tasks of levels not started yet have no due time and come last), in one query."""
    statement = (sa.select(ApprovalTask, ApprovalLevel, WorkflowRequest)
                 .join(ApprovalLevel, ApprovalLevel.id == ApprovalTask.level_id)
                 .join(WorkflowRequest, WorkflowRequest.id == ApprovalTask.request_id)
                 .options(lazyload(WorkflowRequest.initiator))
                 .where(ApprovalTask.assignee_id == person.id, ApprovalTask.status == TaskStatus.PENDING)
                 .order_by(ApprovalTask.due_at.asc().nulls_last(), WorkflowRequest.request_number,
                           ApprovalLevel.level_number))
    return [tuple(row) for row in db.session.execute(statement).all()]


def _rows():
    manager, delegate = aliased(User), aliased(User)
    # Absences that have not ended; one per person (absences.user_id is unique).
    upcoming = sa.and_(Absence.user_id == User.id, Absence.ends_at > utcnow())
    # At most one link each: one provider per organisation, one link per person and provider.
    return (sa.select(User, manager, Absence, delegate, SsoIdentity)
            .outerjoin(manager, manager.id == User.manager_id)
            .outerjoin(Absence, upcoming)
            .outerjoin(delegate, delegate.id == Absence.delegate_id)
            .outerjoin(SsoIdentity, SsoIdentity.user_id == User.id)
            .options(lazyload(User.organization), lazyload(manager.organization), lazyload(delegate.organization)))


def _with_counts(found):
    ids = [person.id for person, *_ in found]
    counts = dict(db.session.execute(
        sa.select(ApprovalTask.assignee_id, sa.func.count())
        .where(ApprovalTask.status == TaskStatus.PENDING, ApprovalTask.assignee_id.in_(ids))
        .group_by(ApprovalTask.assignee_id)).all()) if ids else {}
    return [PersonRow(person, manager, absence, delegate, counts.get(person.id, 0), identity)
            for person, manager, absence, delegate, identity in found]
