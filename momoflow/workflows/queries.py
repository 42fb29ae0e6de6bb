"""Reading requests: the lists (keyset-paginated), the inbox and the detail view.

Every function here runs a fixed number of queries, whatever the number of rows,
levels or participants, and each list reads an index in its own order (see
``models``): no OFFSET, and no exact count over a large inbox.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defaultload, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from momoflow import fields
from momoflow.accounts.models import User
from momoflow.errors import Forbidden, ValidationFailed
from momoflow.extensions import db
from momoflow.pagination import encode_cursor
from momoflow.request_templates.reading import filled_form
from momoflow.workflows import search
from momoflow.workflows.access import load_access
from momoflow.workflows.models import (
    Activity,
    ApprovalLevel,
    ApprovalTask,
    Comment,
    Participant,
    ParticipantType,
    Priority,
    RequestStatus,
    TaskStatus,
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
    q: str | None = None  # the search box (momoflow.workflows.search)


@dataclass
class ListItem:
    request: WorkflowRequest
    current_level: ApprovalLevel | None  # the level the request waits on, with its tasks
    task: ApprovalTask | None = None  # in the inbox: the task that is mine to decide


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
    form: object = None  # request_templates.reading.FilledForm of a request raised from a template


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
    q = fields.search_text(args.get("q"), problems)
    if problems:
        raise ValidationFailed(problems)
    return ListQuery(view, status, priority, cursor, limit, q)


def _enum_arg(args, name, enum, problems):
    value = args.get(name)
    if not value:
        return None
    try:
        return enum(value.upper())
    except ValueError:
        problems.append((name, f"{name.capitalize()} must be one of {', '.join(enum)}"))


def list_requests(user, query):
    """One page of the chosen view: one query, and one more for the current levels' approvers."""
    if query.view == "all" and not user.is_admin:
        raise Forbidden(ONLY_ADMINS_SEE_ALL)
    if query.view == "approve":
        return _inbox_page(user, query)
    current = aliased(ApprovalLevel)
    statement = (
        db.select(WorkflowRequest, current)
        .outerjoin(current, sa.and_(current.request_id == WorkflowRequest.id,
                                    current.level_number == WorkflowRequest.current_level))
        # Lists show people's names, never their organisation: skip that join (planning
        # time on this query is otherwise more than its execution time).
        .options(defaultload(WorkflowRequest.initiator).lazyload(User.organization))
    )
    sort_columns = (Participant.created_at, Participant.id) if query.view == "watching" else (
        WorkflowRequest.created_at, WorkflowRequest.id)
    statement = _VIEW_BUILDERS[query.view](statement, user)
    statement = _filtered(statement, query)
    if query.cursor:
        statement = statement.where(_after(sort_columns, query.cursor, ascending=False))
    rows = db.session.execute(statement.order_by(*(column.desc() for column in sort_columns))
                              .limit(query.limit + 1)).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    attach_tasks([row[1] for row in rows if row[1] is not None])
    items = [ListItem(row[0], row[1]) for row in rows]
    next_cursor = encode_cursor(_sort_values(rows[-1], query.view)) if more and rows else None
    return Page(items, next_cursor, query)


def _inbox_page(user, query):
    """The tasks ``user`` may act on, nearest deadline first. Two index walks (tasks they
    hold, tasks escalated to them), each stopping after a page, merged: no sort of the
    whole inbox however long it is."""
    if query.status not in (None, RequestStatus.PENDING):
        return Page([], None, query)  # only pending requests wait for anyone
    task = ApprovalTask
    matches = search.matcher(query.q) if query.q else None
    arms = [_inbox_arm(whose, query, matches) for whose in (task.assignee_id == user.id, task.escalated_to_id == user.id)]
    page = sa.union_all(*arms).subquery()
    statement = (
        db.select(WorkflowRequest, ApprovalLevel, task)
        .select_from(page)
        .join(task, task.id == page.c.id)
        .join(ApprovalLevel, ApprovalLevel.id == task.level_id)
        .join(WorkflowRequest, WorkflowRequest.id == task.request_id)
        .options(defaultload(WorkflowRequest.initiator).lazyload(User.organization))
        .order_by(page.c.due_at, page.c.id).limit(query.limit + 1)
    )
    rows = db.session.execute(statement).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    attach_tasks([row[1] for row in rows])
    items = [ListItem(row[0], row[1], row[2]) for row in rows]
    next_cursor = encode_cursor((rows[-1][2].due_at, rows[-1][2].id)) if more and rows else None
    return Page(items, next_cursor, query)


def _inbox_arm(whose, query, matches):
    task = ApprovalTask
    # Literal predicates, so a generic plan still sees they imply the partial indexes'.
    arm = (sa.select(task.id, task.due_at)
           .where(whose, task.status == sa.literal_column("'PENDING'"), task.due_at.is_not(None)))
    if query.priority:
        arm = arm.join(WorkflowRequest, WorkflowRequest.id == task.request_id).where(
            WorkflowRequest.priority == query.priority)
    if matches:
        arm = arm.where(matches(task.request_id))
    if query.cursor:
        arm = arm.where(_after((task.due_at, task.id), query.cursor, ascending=True))
    return union_arm(arm.order_by(task.due_at, task.id).limit(query.limit + 1))


def union_arm(select):
    """``select`` (with its own ORDER BY / LIMIT) fit to go in a UNION ALL: as a subquery,
    which every database takes (SQLite refuses a LIMITed SELECT there)."""
    return sa.select(select.subquery())


def attach_tasks(levels):
    """Load ``levels``' tasks, each with every person it names (holder, for whom, escalated
    to, who acted): one query."""
    if not levels:
        return
    found = {level.id: [] for level in levels}
    holder = aliased(User)
    named = [(name, aliased(User)) for name in _TASK_PEOPLE]
    users = [holder, *(alias for _, alias in named)]
    statement = db.select(ApprovalTask, *users).join(holder, holder.id == ApprovalTask.assignee_id)
    for name, alias in named:
        statement = statement.outerjoin(alias, alias.id == getattr(ApprovalTask, f"{name}_id"))
    rows = db.session.execute(
        statement.options(*(lazyload(user.organization) for user in users))
        .where(ApprovalTask.level_id.in_(found)).order_by(ApprovalTask.position, ApprovalTask.created_at)).all()
    for task, assignee, *people in rows:
        set_committed_value(task, "assignee", assignee)
        for (name, _), person in zip(named, people):
            set_committed_value(task, name, person)
        found[task.level_id].append(task)
    for level in levels:
        set_committed_value(level, "all_tasks", found[level.id])


_TASK_PEOPLE = ("on_behalf_of", "escalated_to", "acted_by")  # besides the holder, who a task may name


def _filtered(statement, query):
    if query.status:
        statement = statement.where(WorkflowRequest.status == query.status)
    if query.priority:
        statement = statement.where(WorkflowRequest.priority == query.priority)
    if query.q:
        statement = statement.where(search.matcher(query.q)(WorkflowRequest.id))
    return statement


def _after(columns, cursor, *, ascending):
    position = sa.tuple_(*columns)
    bound = sa.tuple_(*(sa.literal(value, column.type) for value, column in zip(cursor, columns)))
    return position > bound if ascending else position < bound


def _sort_values(row, view):
    if view == "watching":
        return row[2], row[3]
    return row[0].created_at, row[0].id


def _mine(statement, user):
    return statement.where(WorkflowRequest.initiator_id == user.id)


def _watching(statement, user):
    return statement.add_columns(Participant.created_at, Participant.id).join(
        Participant, sa.and_(Participant.request_id == WorkflowRequest.id, Participant.user_id == user.id,
                             Participant.participant_type == ParticipantType.SPECTATOR))


def _all(statement, user):
    return statement.where(WorkflowRequest.organization_id == user.organization_id)


_VIEW_BUILDERS = {"mine": _mine, "watching": _watching, "all": _all}


def inbox_count(user):
    """How many tasks wait for ``user``, counted no further than INBOX_COUNT_CAP + 1."""
    task = ApprovalTask
    arms = [union_arm(sa.select(sa.literal(1).label("one")).select_from(task)
                      .where(whose, task.status == sa.literal_column("'PENDING'"), task.due_at.is_not(None))
                      .limit(INBOX_COUNT_CAP + 1))
            for whose in (task.assignee_id == user.id, task.escalated_to_id == user.id)]
    # The outer LIMIT too: the escalated arm is not read once the first arm filled the cap.
    waiting = sa.union_all(*arms).limit(INBOX_COUNT_CAP + 1).subquery()
    return db.session.scalar(db.select(sa.func.count()).select_from(waiting))


def tasks_needing_an_approver(admin, limit):
    """The undecided tasks of ``admin``'s organisation whose holder has left (nobody stood
    in: see ``continuity.person_left``), oldest request first, as ListItems: one query."""
    rows = db.session.execute(
        db.select(ApprovalTask, User, ApprovalLevel, WorkflowRequest)
        .join(User, User.id == ApprovalTask.assignee_id)
        .join(ApprovalLevel, ApprovalLevel.id == ApprovalTask.level_id)
        .join(WorkflowRequest, WorkflowRequest.id == ApprovalTask.request_id)
        .where(ApprovalTask.status == TaskStatus.PENDING, User.active.is_(False),
               WorkflowRequest.organization_id == admin.organization_id,
               WorkflowRequest.status == RequestStatus.PENDING)
        .options(lazyload(User.organization), defaultload(WorkflowRequest.initiator).lazyload(User.organization))
        .order_by(WorkflowRequest.created_at, ApprovalLevel.level_number, ApprovalTask.position)
        .limit(limit)).all()
    for task, holder, _, _ in rows:
        set_committed_value(task, "assignee", holder)
    return [ListItem(request, level, task) for task, _, level, request in rows]


def last_return(request):
    """The activity line of the request's latest return (who, when, their comment): what a
    RETURNED request waits on. None for a request that is not returned."""
    if not request.is_returned:
        return None
    return db.session.scalar(
        db.select(Activity).where(Activity.request_id == request.id, Activity.action == "workflow.returned")
        .options(joinedload(Activity.actor)).order_by(Activity.created_at.desc(), Activity.id.desc()).limit(1))


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
    return Detail(access, comments, activities, filled_form(access.request))
