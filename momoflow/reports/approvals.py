"""Approval analytics: how long requests take, where they wait, and who is the bottleneck.

Definitions (the page says them too):

- **Requests** are those raised in the date range (whole days in the organisation's time
  zone), of the template, initiator's department and priority chosen. *Cycle time* runs from
  raising to closing (approved, rejected or withdrawn), in calendar time; the part spent back
  with the initiator for rework (``rework_seconds``) is shown apart from the part waiting on
  approvers. *Returned* means sent back at least once.
- **Decisions** are approvals, rejections and returns taken in the date range on such
  requests. *Time to decide* is what the TAT clock counts (working hours for STANDARD,
  calendar hours for EXPRESS) from the level's start in that round, or from when the task was
  handed to its holder; *on time* is by the level's deadline, otherwise a *breach*. *By a
  delegate*: decided by a stand-in or an escalation manager for the person named.
- **Queue now**: tasks waiting on someone right now, oldest first, whatever the dates.
- **Bottlenecks**: approvers ranked by p90 time to decide × decisions.

Both are kept when they happen: each decision as an ``ApprovalDecision`` row written with it
(``tasks.record_decision``: its wait by ``tat.waited``, the level's name and TAT then, who and
for whom), ``rework_seconds`` at each resubmission. So reading them is aggregation over
covering indexes of one narrow table, never calendar arithmetic and no joins for the
organisation's view.
Admins see the organisation; managers the requests raised by people below them in the
management chain and those they hold or held a task in.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from momoflow import fields
from momoflow.accounts.models import Role, User
from momoflow.database import seconds_between, session_dialect, utcnow
from momoflow.errors import Forbidden
from momoflow.extensions import db
from momoflow.reports.filters import QueryArgs, parse_day, people_of_department
from momoflow.reports.percentiles import grouped_percentiles
from momoflow.request_templates.models import RequestTemplate
from momoflow.workflows.models import ApprovalDecision as Decision
from momoflow.workflows.models import (
    ApprovalLevel,
    ApprovalTask,
    Priority,
    RequestStatus,
    TaskStatus,
    WorkflowRequest,
)
from momoflow.workflows.tat import calendar_for

DEFAULT_DAYS = 90
MAX_DEPARTMENT_LENGTH = 200
TOP_APPROVERS = 25
TOP_BOTTLENECKS = 10
QUEUE_ROWS = 50
CLOSED = (RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.CANCELLED)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ONLY_ADMINS_AND_MANAGERS = "Approval analytics are for administrators and managers."


# --- filters ------------------------------------------------------------------------------


@dataclass
class Filters(QueryArgs):
    start: str = ""  # YYYY-MM-DD as typed; blank: DEFAULT_DAYS ago
    end: str = ""  # blank: today
    template: str = ""  # a template's public id
    department: str = ""
    priority: str = ""


def parse_filters(args, *, strict=False):
    """``(Filters, {field: problem})``; a bad field is dropped and named. ``strict``: raise
    ValidationFailed instead (the JSON API)."""
    problems = fields.Problems()
    values = {name: args.get(name) or "" for name in ("start", "end", "template", "department", "priority")}
    for name in values:
        values[name] = fields.text(values[name], name, problems, label=name, max_length=MAX_DEPARTMENT_LENGTH) or ""
    for name in ("start", "end"):
        if values[name] and parse_day(values[name]) is None:
            problems.add(name, f"{name} must be a date like 2024-10-31")
            values[name] = ""
    if values["start"] and values["end"] and parse_day(values["end"]) < parse_day(values["start"]):
        problems.add("end", "end must be on or after start")
        values["end"] = ""
    if values["priority"] and values["priority"] not in {priority.value for priority in Priority}:
        problems.add("priority", f"priority must be one of {', '.join(priority.value for priority in Priority)}")
        values["priority"] = ""
    if strict:
        problems.raise_if_any()
    return Filters(**values), dict(problems)


@dataclass
class Window:
    """The moments the filters' days cover, in the organisation's zone."""

    start: datetime
    end: datetime  # exclusive
    zone: object


def window(organization, filters, now=None):
    zone = calendar_for(organization).zone
    today = (now or utcnow()).astimezone(zone).date()
    last = parse_day(filters.end) or today
    first = parse_day(filters.start) or (last - timedelta(days=DEFAULT_DAYS - 1))
    return Window(datetime.combine(first, time.min, zone), datetime.combine(last + timedelta(days=1), time.min, zone),
                  zone)


# --- who sees what ------------------------------------------------------------------------


def require_viewer(person):
    if person.role not in (Role.ADMIN, Role.MANAGER):
        raise Forbidden(ONLY_ADMINS_AND_MANAGERS)


def _scope(person):
    """Conditions on WorkflowRequest for the requests ``person`` may analyse."""
    require_viewer(person)
    mine = [WorkflowRequest.organization_id == person.organization_id]
    if person.role == Role.ADMIN:
        return mine
    below = sa.select(User.id.label("id")).where(User.manager_id == person.id).cte("below", recursive=True)
    below = below.union_all(sa.select(User.id).join(below, User.manager_id == below.c.id))
    took_part = sa.select(ApprovalTask.request_id).where(
        sa.or_(ApprovalTask.assignee_id == person.id, ApprovalTask.acted_by_id == person.id))
    return mine + [sa.or_(WorkflowRequest.initiator_id.in_(sa.select(below.c.id)), WorkflowRequest.id.in_(took_part))]


def _request_filters(person, filters):
    conditions = _scope(person)
    if filters.template:
        conditions.append(WorkflowRequest.template_id.in_(
            sa.select(RequestTemplate.id).where(RequestTemplate.public_id == filters.template,
                                                RequestTemplate.organization_id == person.organization_id)))
    if filters.priority:
        conditions.append(WorkflowRequest.priority == Priority(filters.priority))
    if filters.department:
        conditions.append(WorkflowRequest.initiator_id.in_(people_of_department(person.organization_id,
                                                                                filters.department)))
    return conditions


# --- the sections -----------------------------------------------------------------------------


@dataclass
class Summary:
    raised: int = 0
    approved: int = 0
    rejected: int = 0
    withdrawn: int = 0
    open: int = 0
    returned: int = 0  # sent back at least once
    closed: int = 0
    cycle_p50: float | None = None
    cycle_p90: float | None = None
    average_rework: float | None = None  # of the closed ones
    average_waiting: float | None = None  # the rest of their cycle

    def share(self, count):
        """``count`` out of the requests raised, in per cent with one decimal."""
        return round(100 * count / self.raised, 1) if self.raised else 0.0


def summary(person, filters, now=None):
    organization = person.organization
    span = window(organization, filters, now)
    raised = [*_request_filters(person, filters), WorkflowRequest.created_at >= span.start,
              WorkflowRequest.created_at < span.end]
    status, closed = WorkflowRequest.status, WorkflowRequest.status.in_(CLOSED)
    cycle = seconds_between(WorkflowRequest.created_at, WorkflowRequest.closed_at)
    row = db.session.execute(sa.select(
        sa.func.count(), sa.func.count().filter(status == RequestStatus.APPROVED),
        sa.func.count().filter(status == RequestStatus.REJECTED),
        sa.func.count().filter(status == RequestStatus.CANCELLED),
        sa.func.count().filter(status.in_((RequestStatus.PENDING, RequestStatus.RETURNED))),
        sa.func.count().filter((WorkflowRequest.round > 1) | (status == RequestStatus.RETURNED)),
        sa.func.count().filter(closed), sa.func.avg(WorkflowRequest.rework_seconds).filter(closed),
        sa.func.avg(cycle).filter(closed)).where(*raised)).one()
    result = Summary(*row[:7])
    if result.closed:
        result.average_rework = float(row[7])
        result.average_waiting = float(row[8]) - result.average_rework
        [result.cycle_p50, result.cycle_p90] = grouped_percentiles(
            [], cycle, [*raised, closed, WorkflowRequest.closed_at.is_not(None)],
            select_from=WorkflowRequest).get((), [None, None])
    return result


@dataclass
class TrendPoint:
    week: str
    raised: int
    closed: int
    average_cycle: float | None


def trend(person, filters, now=None):
    """Requests raised per ISO week (of their day in UTC) and the average cycle of those closed."""
    span = window(person.organization, filters, now)
    day = _utc_day(WorkflowRequest.created_at)
    closed = WorkflowRequest.status.in_(CLOSED)
    rows = db.session.execute(
        sa.select(day, sa.func.count(), sa.func.count().filter(closed),
                  sa.func.sum(seconds_between(WorkflowRequest.created_at, WorkflowRequest.closed_at)).filter(closed))
        .where(*_request_filters(person, filters), WorkflowRequest.created_at >= span.start,
               WorkflowRequest.created_at < span.end).group_by(day)).all()
    weeks = defaultdict(lambda: [0, 0, 0.0])
    for when, raised, done, seconds in rows:
        when = when if not isinstance(when, str) else datetime.strptime(when, "%Y-%m-%d").date()
        year, week, _ = when.isocalendar()
        totals = weeks[f"{year}-W{week:02d}"]
        totals[0] += raised
        totals[1] += done
        totals[2] += float(seconds or 0)
    return [TrendPoint(week, raised, done, seconds / done if done else None)
            for week, (raised, done, seconds) in sorted(weeks.items())]


def _utc_day(column):
    if session_dialect() == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.func.date(column)


@dataclass
class Timing:
    """Decisions of one level or approver in the range."""

    key: object
    label: str
    decisions: int
    on_time: int
    by_delegate: int
    wait_p50: float | None = None
    wait_p90: float | None = None
    tat_hours: float | None = None
    email: str | None = None  # an approver's

    @property
    def breaches(self):
        return self.decisions - self.on_time

    @property
    def on_time_rate(self):
        return round(100 * self.on_time / self.decisions, 1) if self.decisions else 0.0

    @property
    def delegate_share(self):
        return round(100 * self.by_delegate / self.decisions, 1) if self.decisions else 0.0

    @property
    def bottleneck_score(self):
        """p90 time to decide (hours) × decisions: slow *and* busy ranks first."""
        return (self.wait_p90 or 0) / 3600 * self.decisions


def _decided(person, filters, now):
    """Conditions on ApprovalDecision: the organisation's decisions in the range, and only on
    the requests the filters and ``person``'s view select when those narrow anything."""
    span = window(person.organization, filters, now)
    conditions = [Decision.organization_id == person.organization_id, Decision.decided_at >= span.start,
                  Decision.decided_at < span.end]
    requests = _request_filters(person, filters)
    if len(requests) > 1:  # beyond the organisation
        conditions.append(Decision.request_id.in_(sa.select(WorkflowRequest.id).where(*requests)))
    return conditions


def _decision_counts():
    """Decisions, those on time, those by a delegate: a Timing's counts, in that order."""
    return (sa.func.count(), sa.func.count().filter(Decision.on_time.is_(True)),
            sa.func.count().filter(Decision.by_delegate.is_(True)))


def _timing_rows(key, extras, conditions):
    """Per group of ``key``: decisions, on time, by a delegate, ``extras``, then time to
    decide p50 and p90. One grouped query on PostgreSQL; SQLite reads the waits once more."""
    postgres = session_dialect() == "postgresql"
    waits = [sa.func.percentile_cont(fraction).within_group(Decision.wait_seconds) for fraction in (0.5, 0.9)]
    rows = db.session.execute(sa.select(key, *_decision_counts(), *extras, *(waits if postgres else ()))
                              .where(*conditions).group_by(key)).all()
    if postgres:
        return [(*row[:-2], float(row[-2]), float(row[-1])) for row in rows]
    percentiles = grouped_percentiles([key], Decision.wait_seconds, conditions, select_from=Decision)
    return [(*row, *percentiles.get((row[0],), [None, None])) for row in rows]


def levels(person, filters, now=None):
    """Per level (by name, any letter case), busiest first."""
    rows = _timing_rows(Decision.level_key, (sa.func.min(Decision.level_name), sa.func.avg(Decision.tat_hours)),
                        _decided(person, filters, now))
    timings = [Timing(name_key, name, decisions, on_time, delegated, p50, p90, float(tat) if tat is not None else None)
               for name_key, decisions, on_time, delegated, name, tat, p50, p90 in rows]
    return sorted(timings, key=lambda timing: (-timing.decisions, timing.label.casefold()))


def approvers(person, filters, now=None):
    """Per person who decided, busiest first, every one of them with their times (the CSV
    and the API): one grouped query, and their names."""
    rows = _timing_rows(Decision.approver_id, (), _decided(person, filters, now))
    return _named(sorted((Timing(person_id, "", decisions, on_time, delegated, p50, p90)
                          for person_id, decisions, on_time, delegated, p50, p90 in rows),
                         key=lambda timing: -timing.decisions))


def busiest_and_bottlenecks(person, filters, now=None):
    """``(the TOP_APPROVERS busiest, the TOP_BOTTLENECKS bottlenecks)`` for the page.

    Exact: the ranking needs every approver's p90, so PostgreSQL computes everyone's in one
    grouped pass and hands back only the rows the page shows (ties by id, as ``bottlenecks``).
    SQLite (development data) ranks ``approvers`` here."""
    if session_dialect() != "postgresql":
        everyone = approvers(person, filters, now)
        return everyone[:TOP_APPROVERS], bottlenecks(everyone)
    waits = [sa.func.percentile_cont(fraction).within_group(Decision.wait_seconds) for fraction in (0.5, 0.9)]
    per = (sa.select(Decision.approver_id.label("key"), *_decision_counts(), *waits)
           .where(*_decided(person, filters, now)).group_by(Decision.approver_id).cte("per_approver"))
    key, decisions, p90 = per.c[0], per.c[1], per.c[5]
    busiest = sa.select(per, sa.literal(True)).order_by(decisions.desc(), key).limit(TOP_APPROVERS).subquery()
    ranked = (sa.select(per, sa.literal(False)).where(p90 > 0).order_by((p90 * decisions).desc(), key)
              .limit(TOP_BOTTLENECKS).subquery())
    found = {True: [], False: []}
    for key, decisions, on_time, delegated, p50, p90, busy in db.session.execute(
            sa.union_all(sa.select(busiest), sa.select(ranked))):
        found[busy].append(Timing(key, "", decisions, on_time, delegated, float(p50), float(p90)))
    _named(found[True] + found[False])
    return (sorted(found[True], key=lambda timing: (-timing.decisions, timing.label.casefold())),
            bottlenecks(found[False]))


def _named(timings):
    """The approvers' names and emails, read in bounded batches."""
    names = {}
    for start in range(0, len(timings), 5000):
        names.update((row.id, row) for row in db.session.execute(
            sa.select(User.id, User.display_name, User.email)
            .where(User.id.in_([timing.key for timing in timings[start:start + 5000]]))))
    for timing in timings:
        found = names.get(timing.key)
        timing.label, timing.email = (found.display_name, found.email) if found else ("Someone who left", None)
    return sorted(timings, key=lambda timing: (-timing.decisions, timing.label.casefold()))


def bottlenecks(approver_timings):
    """Slowest × busiest first; ties in id order, as the database breaks them."""
    return sorted((timing for timing in approver_timings if timing.wait_p90),
                  key=lambda timing: (-timing.bottleneck_score, str(timing.key)))[:TOP_BOTTLENECKS]


@dataclass
class HeatMap:
    """Decisions by weekday (0 = Monday) and hour of the day, in the organisation's zone."""

    cells: dict = field(default_factory=dict)  # (weekday, hour) -> [decisions, on time]

    def cell(self, weekday, hour):
        return self.cells.get((weekday, hour), [0, 0])

    @property
    def busiest(self):
        return max((count for count, _ in self.cells.values()), default=0)


def heat_map(person, filters, now=None):
    """Decisions are counted per hour in UTC by the database (each UTC hour is exactly one
    local hour, daylight saving or not), and placed on the local weekday and hour here."""
    zone = window(person.organization, filters, now).zone
    hour = _utc_hour(Decision.decided_at)
    cells = {}
    for moment, count, on_time in db.session.execute(
            sa.select(hour, sa.func.count(), sa.func.count().filter(Decision.on_time.is_(True)))
            .where(*_decided(person, filters, now)).group_by(hour)):
        if isinstance(moment, str):  # SQLite's strftime
            moment = datetime.strptime(moment, "%Y-%m-%d %H").replace(tzinfo=timezone.utc)
        local = moment.replace(tzinfo=timezone.utc).astimezone(zone)
        cell = cells.setdefault((local.weekday(), local.hour), [0, 0])
        cell[0] += count
        cell[1] += on_time
    return HeatMap(cells)


def _utc_hour(column):
    if session_dialect() == "postgresql":
        return sa.func.date_trunc("hour", sa.func.timezone("UTC", column))
    return sa.func.strftime("%Y-%m-%d %H", column)


@dataclass
class Waiting:
    task: object
    request: object
    level: object
    holder: object
    since: datetime


def queue(person, filters, now=None):
    """What waits on someone now (``QUEUE_ROWS`` oldest first) and ``(holder, waiting,
    overdue)`` per person holding any, most first. The dates do not apply: it is now."""
    now = now or utcnow()
    holder = aliased(User)
    waiting = [*_request_filters(person, filters), ApprovalTask.status == TaskStatus.PENDING,
               ApprovalTask.due_at.is_not(None)]
    since = sa.func.coalesce(ApprovalLevel.started_at, ApprovalTask.created_at)
    rows = db.session.execute(
        sa.select(ApprovalTask, WorkflowRequest, ApprovalLevel, holder, since)
        .join(WorkflowRequest, WorkflowRequest.id == ApprovalTask.request_id)
        .join(ApprovalLevel, ApprovalLevel.id == ApprovalTask.level_id)
        .join(holder, holder.id == ApprovalTask.assignee_id)
        .options(sa.orm.lazyload(WorkflowRequest.initiator), sa.orm.lazyload(holder.organization))
        .where(*waiting).order_by(since, ApprovalTask.id).limit(QUEUE_ROWS)).all()
    # Counted per holder id first, then only the few people shown are read.
    counts = (sa.select(ApprovalTask.assignee_id.label("holder_id"), sa.func.count().label("waiting"),
                        sa.func.count().filter(ApprovalTask.due_at < now).label("overdue"))
              .join(WorkflowRequest, WorkflowRequest.id == ApprovalTask.request_id).where(*waiting)
              .group_by(ApprovalTask.assignee_id).order_by(sa.text("waiting DESC"), ApprovalTask.assignee_id)
              .limit(TOP_APPROVERS).subquery())
    per_holder = db.session.execute(
        sa.select(holder, counts.c.waiting, counts.c.overdue).join(counts, counts.c.holder_id == holder.id)
        .options(sa.orm.lazyload(holder.organization)).order_by(counts.c.waiting.desc(), holder.id)).all()
    return [Waiting(*row) for row in rows], [tuple(row) for row in per_holder]


def templates(person):
    """The organisation's templates, for the filter."""
    return db.session.execute(sa.select(RequestTemplate.public_id, RequestTemplate.name).where(
        RequestTemplate.organization_id == person.organization_id).order_by(RequestTemplate.name)).all()
