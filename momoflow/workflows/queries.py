"""Reading requests: the lists (keyset-paginated), the inbox and the detail view.

Every function here runs a fixed number of queries, whatever the number of rows,
levels or participants, and each list reads an index in its own order (see
``models``): no OFFSET, and no exact count over a large inbox.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defaultload, joinedload, lazyload

from momoflow import fields
from momoflow.accounts.models import User
from momoflow.errors import Forbidden, ValidationFailed
from momoflow.extensions import db
from momoflow.pagination import encode_cursor
from momoflow.workflows.access import load_access
from momoflow.workflows.models import (
    Activity,
    ApprovalLevel,
    Comment,
    LevelStatus,
    Participant,
    ParticipantType,
    Priority,
    RequestStatus,
    WorkflowRequest,
)

VIEWS = ("mine", "approve", "watching", "all")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
INBOX_COUNT_CAP = 99
ACTIVITY_LIMIT = 200  # the most recent; older lines stay in the database
COMMENT_LIMIT = 200
VIEW_PROBLEM = f"View must be one of {', '.join(VIEWS)}"
ONLY_ADMINS_SEE_ALL = "Only administrators can list every request"


@dataclass
class ListQuery:
    view: str = "mine"
    status: RequestStatus | None = None
    priority: Priority | None = None
    cursor: tuple | None = None
    limit: int = DEFAULT_LIMIT


@dataclass
class ListItem:
    request: WorkflowRequest
    current_level: ApprovalLevel | None  # the level the request waits on, with its approver


@dataclass
class Page:
    items: list[ListItem]
    next_cursor: str | None
    query: ListQuery


@dataclass
class Detail:
    access: object
    comments: list[Comment]
    activities: list[Activity]


def parse_list_query(args):
    """A ListQuery from query-string arguments; ValidationFailed names each bad one."""
    problems = fields.Problems()
    view = args.get("view") or "mine"
    if view not in VIEWS:
        problems.append(("view", VIEW_PROBLEM))
    status = _enum_arg(args, "status", RequestStatus, problems)
    priority = _enum_arg(args, "priority", Priority, problems)
    cursor = fields.cursor(args.get("cursor"), problems,
                           message="Cursor is not valid (use nextCursor from the previous page)")
    limit = fields.page_limit(args.get("limit"), problems, default=DEFAULT_LIMIT, maximum=MAX_LIMIT,
                              message=f"Limit must be a whole number from 1 to {MAX_LIMIT}")
    if problems:
        raise ValidationFailed(problems)
    return ListQuery(view, status, priority, cursor, limit)


def _enum_arg(args, name, enum, problems):
    value = args.get(name)
    if not value:
        return None
    try:
        return enum(value.upper())
    except ValueError:
        problems.append((name, f"{name.capitalize()} must be one of {', '.join(enum)}"))


def list_requests(user, query):
    """One page of the chosen view, in one query."""
    if query.view == "all" and not user.is_admin:
        raise Forbidden(ONLY_ADMINS_SEE_ALL)
    current = aliased(ApprovalLevel)
    approver = aliased(User)
    statement = (
        db.select(WorkflowRequest, current, approver)
        .outerjoin(current, _current_level_join(query.view, current))
        .outerjoin(approver, approver.id == current.approver_id)
        # Lists show people's names, never their organisation: skip those joins (planning
        # time on this query is otherwise more than its execution time).
        .options(defaultload(WorkflowRequest.initiator).lazyload(User.organization),
                 lazyload(approver.organization))
    )
    sort_columns, ascending = _sort_columns(query.view, current)
    statement = _VIEW_BUILDERS[query.view](statement, user, current)
    if query.status:
        statement = statement.where(WorkflowRequest.status == query.status)
    if query.priority:
        statement = statement.where(WorkflowRequest.priority == query.priority)
    if query.cursor:
        position = sa.tuple_(*sort_columns)
        bound = sa.tuple_(*(sa.literal(value, column.type) for value, column in zip(query.cursor, sort_columns)))
        statement = statement.where(position > bound if ascending else position < bound)
    order = [column.asc() if ascending else column.desc() for column in sort_columns]
    rows = db.session.execute(statement.order_by(*order).limit(query.limit + 1)).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = []
    for row in rows:
        level = row[1]
        if level is not None:
            sa.orm.attributes.set_committed_value(level, "approver", row[2])
        items.append(ListItem(row[0], level))
    next_cursor = encode_cursor(_sort_values(rows[-1], query.view)) if more and rows else None
    return Page(items, next_cursor, query)


def _current_level_join(view, current):
    if view == "approve":
        # The inbox filters on IN_PROGRESS, which is always the current level. Saying
        # "= current_level" as well would hide that from the planner, which then sorts a
        # heavy approver's whole inbox instead of reading the first rows of its index.
        return current.request_id == WorkflowRequest.id
    return sa.and_(current.request_id == WorkflowRequest.id, current.level_number == WorkflowRequest.current_level)


def _sort_columns(view, current):
    if view == "approve":
        return (current.tat_deadline, current.id), True
    if view == "watching":
        return (Participant.created_at, Participant.id), False
    return (WorkflowRequest.created_at, WorkflowRequest.id), False


def _sort_values(row, view):
    request, level = row[0], row[1]
    if view == "approve":
        return level.tat_deadline, level.id
    if view == "watching":
        return row[3], row[4]
    return request.created_at, request.id


def _mine(statement, user, current):
    return statement.where(WorkflowRequest.initiator_id == user.id)


def _approve(statement, user, current):
    # The current level is by definition the one IN_PROGRESS; filtering on it lets
    # the planner walk the partial inbox index in deadline order.
    return statement.where(current.approver_id == user.id, current.status == LevelStatus.IN_PROGRESS)


def _watching(statement, user, current):
    return statement.add_columns(Participant.created_at, Participant.id).join(
        Participant, sa.and_(Participant.request_id == WorkflowRequest.id, Participant.user_id == user.id,
                             Participant.participant_type == ParticipantType.SPECTATOR))


def _all(statement, user, current):
    return statement.where(WorkflowRequest.organization_id == user.organization_id)


_VIEW_BUILDERS = {"mine": _mine, "approve": _approve, "watching": _watching, "all": _all}


def inbox_count(user):
    """How many levels wait for ``user``, counted no further than INBOX_COUNT_CAP + 1."""
    waiting = (db.select(sa.literal(1)).select_from(ApprovalLevel)
               .where(ApprovalLevel.approver_id == user.id, ApprovalLevel.status == LevelStatus.IN_PROGRESS)
               .limit(INBOX_COUNT_CAP + 1).subquery())
    return db.session.scalar(db.select(sa.func.count()).select_from(waiting))


def request_detail(user, request_id):
    """The request with levels, participants, documents, comments and recent activity."""
    access = load_access(user, request_id, with_details=True)
    latest_comments = db.session.scalars(
        db.select(Comment).where(Comment.request_id == access.request.id)
        .options(joinedload(Comment.author)).order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(COMMENT_LIMIT)).all()
    comments = latest_comments[::-1]  # oldest first, as a conversation reads
    activities = db.session.scalars(
        db.select(Activity).where(Activity.request_id == access.request.id)
        .options(joinedload(Activity.actor)).order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(ACTIVITY_LIMIT)).all()
    return Detail(access, comments, activities)
