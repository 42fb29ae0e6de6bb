"""Reading flows and assignments: fixed query counts, keyset pages, indexed filters."""

from dataclasses import dataclass

import sqlalchemy as sa

from momoflow import fields
from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import User
from momoflow.apikeys.models import ApiKey
from momoflow.database import utcnow
from momoflow.errors import ValidationFailed
from momoflow.extensions import db
from momoflow.flows import history
from momoflow.flows.models import OPEN_STATUSES, Assignment, AssignmentStatus, Flow, Module
from momoflow.flows.access import assignment_not_found, can_name_a_row
from momoflow.pagination import encode_cursor
from momoflow.search import contains, like_pattern
from momoflow.workflows.models import WorkflowRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
STATUS_PROBLEM = f"status must be one of {', '.join(s.value for s in AssignmentStatus)}"


@dataclass
class AssignmentQuery:
    user_email: str | None = None
    flow_id: str | None = None
    status: AssignmentStatus | None = None
    cursor: tuple | None = None
    limit: int = DEFAULT_LIMIT
    q: str | None = None  # part of the person's name or email (momoflow.search)


@dataclass
class AssignmentPage:
    rows: list  # (assignment, flow, user)
    next_cursor: str | None


def with_source_request():
    """Load each assignment's source request (its id and number) in the same query."""
    return sa.orm.joinedload(Assignment.source_request).options(
        sa.orm.load_only(WorkflowRequest.id, WorkflowRequest.request_number), sa.orm.lazyload(WorkflowRequest.initiator))


def parse_assignment_query(args):
    problems = fields.Problems()
    email = args.get("userEmail")
    if email and not normalize_email(email):
        problems.append(("userEmail", "userEmail must be a valid email address"))
    if "\x00" in (args.get("flowId") or ""):
        problems.append(("flowId", "flowId is not a valid id"))
    status = args.get("status")
    if status and status not in {s.value for s in AssignmentStatus}:
        problems.append(("status", STATUS_PROBLEM))
    cursor = fields.cursor(args.get("cursor"), problems,
                           message="cursor is not valid (use nextCursor from the previous page)")
    limit = fields.page_limit(args.get("limit"), problems, default=DEFAULT_LIMIT, maximum=MAX_LIMIT,
                              message=f"limit must be a whole number from 1 to {MAX_LIMIT}")
    q = fields.search_text(args.get("q"), problems)
    if problems:
        raise ValidationFailed(problems)
    return AssignmentQuery(normalize_email(email) if email else None, args.get("flowId") or None,
                           AssignmentStatus(status) if status else None, cursor, limit, q)


def list_assignments(organization, query):
    """Newest first, one query; ``status=overdue`` means open and past due."""
    return AssignmentPage(*assigned_page(_assignments(organization.id, query), query.cursor, query.limit))


def newest_assigned_first(statement):
    return statement.order_by(Assignment.assigned_at.desc(), Assignment.id.desc())


def assigned_page(statement, cursor, limit):
    """One keyset page of ``statement`` (ordered by ``newest_assigned_first``, each row an
    assignment first): ``(rows, the cursor of the next page or None)``, in one query."""
    if cursor:
        bound = sa.tuple_(sa.literal(cursor[0], Assignment.assigned_at.type), sa.literal(cursor[1]))
        statement = statement.where(sa.tuple_(Assignment.assigned_at, Assignment.id) < bound)
    rows = db.session.execute(statement.limit(limit + 1)).all()
    page = [tuple(row) for row in rows[:limit]]
    return page, (encode_cursor((page[-1][0].assigned_at, page[-1][0].id)) if len(rows) > limit else None)


def every_assignment(organization_id, query, batch=1000):
    """Every row ``list_assignments`` would page through, read ``batch`` at a time (a CSV
    download: never all of them in memory). Takes the organisation's id: a streamed answer
    reads after the request's commit, in a session of its own."""
    for row in db.session.execute(_assignments(organization_id, query).execution_options(yield_per=batch)):
        yield tuple(row)
        db.session.expunge(row[0])  # the identity map would otherwise keep every row


def _assignments(organization_id, query):
    """``(assignment, flow, user)`` rows the filters of ``query`` select, newest first."""
    statement = (db.select(Assignment, Flow, User).join(Flow, Flow.id == Assignment.flow_id)
                 .join(User, User.id == Assignment.user_id)
                 .options(sa.orm.lazyload(User.organization), with_source_request())
                 .where(Assignment.organization_id == organization_id))
    if query.user_email:
        statement = statement.where(User.email == query.user_email)
    if query.q:
        statement = statement.where(Assignment.user_id.in_(_people_named(organization_id, query.q)))
    if query.flow_id:
        statement = statement.where(Flow.public_id == query.flow_id)
    if query.status:
        statement = statement.where(status_condition(query.status, utcnow()))
    return newest_assigned_first(statement)


def status_condition(status, now):
    """SQL for assignments whose ``effective_status(now)`` is ``status``: overdue is open and
    past due, so an open status holds only while the due date has not passed."""
    if status == AssignmentStatus.OVERDUE:
        return sa.and_(Assignment.status.in_(OPEN_STATUSES), Assignment.due_date < now)
    if status in OPEN_STATUSES:
        return sa.and_(Assignment.status == status, sa.or_(Assignment.due_date.is_(None), Assignment.due_date >= now))
    return Assignment.status == status


def _people_named(organization_id, text):
    """The people of the organisation whose name or email holds ``text``: a subquery the
    planner can walk each one's assignments from (``ix_assignments_user_assigned``)."""
    return sa.select(User.id).where(User.organization_id == organization_id,
                                    contains(like_pattern(text), User.display_name, User.email))


def assignment_row(organization, assignment_id):
    if not can_name_a_row(assignment_id):
        raise assignment_not_found(assignment_id)
    row = db.session.execute(
        db.select(Assignment, Flow, User).join(Flow, Flow.id == Assignment.flow_id)
        .join(User, User.id == Assignment.user_id).options(sa.orm.lazyload(User.organization), with_source_request())
        .where(Assignment.public_id == assignment_id, Assignment.organization_id == organization.id)).first()
    if row is None:
        raise assignment_not_found(assignment_id)
    return tuple(row)


@dataclass
class AssignmentDetail:
    """One assignment as its page shows it: who has it, who assigned it, and its history."""

    assignment: Assignment
    flow: Flow
    person: User
    assigned_by: User | None  # the person who assigned it, if one did
    api_key: ApiKey | None  # the integrator's key that assigned it, if one did
    history: list  # history.Line, newest first


def assignment_detail(organization, assignment_id):
    """The organisation's assignment ``assignment_id`` for its page: two queries."""
    assigned_by = sa.orm.aliased(User)
    row = None
    if can_name_a_row(assignment_id):
        row = db.session.execute(
            db.select(Assignment, Flow, User, assigned_by, ApiKey).join(Flow, Flow.id == Assignment.flow_id)
            .join(User, User.id == Assignment.user_id)
            .outerjoin(assigned_by, assigned_by.id == Assignment.assigned_by_user_id)
            .outerjoin(ApiKey, ApiKey.id == Assignment.assigned_by_api_key_id)
            .options(sa.orm.lazyload(User.organization), sa.orm.lazyload(assigned_by.organization),
                     sa.orm.lazyload(ApiKey.organization), with_source_request())
            .where(Assignment.public_id == assignment_id, Assignment.organization_id == organization.id)).first()
    if row is None:
        raise assignment_not_found(assignment_id)
    return AssignmentDetail(*row, history=history.lines_of(row[0]))


def assignment_rows(organization, assignment_ids):
    """``{public id: (assignment, flow, user)}`` of those among ``assignment_ids`` the
    organisation has, in one query (the overview's rows after a bulk change)."""
    ids = [ident for ident in assignment_ids if can_name_a_row(ident)]
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Assignment, Flow, User).join(Flow, Flow.id == Assignment.flow_id)
        .join(User, User.id == Assignment.user_id).options(sa.orm.lazyload(User.organization), with_source_request())
        .where(Assignment.organization_id == organization.id, Assignment.public_id.in_(ids)))
    return {row[0].public_id: tuple(row) for row in rows}


def modules_of(flow, version=None):
    """The modules of one version of ``flow`` (its current one unless said), in order."""
    return modules_of_version(flow.id, flow.version if version is None else version)


def modules_of_version(flow_id, version):
    return db.session.scalars(db.select(Module).where(Module.flow_id == flow_id, Module.version == version)
                              .order_by(Module.position)).all()


def modules_by_version(flow, versions):
    """``{version: [modules in order]}`` for these versions of ``flow``, in one query."""
    by_version = {version: [] for version in versions}
    if by_version:
        for module in db.session.scalars(db.select(Module).where(Module.flow_id == flow.id,
                                                                 Module.version.in_(list(by_version)))
                                         .order_by(Module.version, Module.position)):
            by_version[module.version].append(module)
    return by_version
