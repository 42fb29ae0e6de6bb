"""The flow report (``POST /v1/flows/report``): how far the people given a flow are.

What a report covers: the flow's assignments (cancelled ones left out), optionally those
assigned between ``startDate`` and ``endDate`` and in one ``status``. Every number in it
describes exactly that selection:

- ``completionRate``: completed out of all, in per cent with one decimal;
- ``averageCompletionTime``: from being assigned to completing, over the completed ones
  (human text like the assign answer's ``estimatedDuration``; ``averageCompletionSeconds``
  is its machine-readable twin);
- ``pending`` means assigned and not started, ``overdue`` open and past its due date
  (``queries.status_condition``: the assignments list reads statuses the same way).

``schedules`` are the flow's upcoming scheduled runs, one entry per person, whatever the
filters (they have not assigned anything yet). ``assignments`` come newest first, a keyset
page at a time (``limit``, ``cursor`` → ``nextCursor``): the published reference has no
pagination, and a flow with 100k assignments would not fit one answer.

The metrics cost one aggregate query whatever the size (a range of
``ix_assignments_flow_assigned`` for most flows; a flow holding a large share of all
assignments is read with the same parallel scan its ``count(*)`` takes); a page costs one
more, and ``detailed`` two (the modules, and the page's progress).
"""

import enum
import math
from dataclasses import dataclass
from datetime import datetime, time, timezone
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from momoflow import fields
from momoflow.accounts.models import Organization, User
from momoflow.database import seconds_between, session_dialect, utcnow
from momoflow.errors import ValidationFailed
from momoflow.exports.models import ExportFormat
from momoflow.extensions import db
from momoflow.flows import access, queries, quizzes
from momoflow.flows.models import Assignment, AssignmentStatus, FlowSchedule, ModuleProgress, ScheduleUnit
from momoflow.flows.rules import duration_text
from momoflow.flows.schemas import iso
from momoflow.flows.validation import MAX_FLOW_ID_LENGTH
from momoflow.workflows.tat import calendar_for

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
ROWS_PER_REQUEST = 1000  # the rate limit counts a report once per started thousand assignments


class ReportStatus(enum.StrEnum):
    """The report's status words: the assignments' own, but "pending" for not started."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"


REPORT_STATUS = {AssignmentStatus.ASSIGNED: ReportStatus.PENDING, AssignmentStatus.IN_PROGRESS: ReportStatus.IN_PROGRESS,
                 AssignmentStatus.COMPLETED: ReportStatus.COMPLETED, AssignmentStatus.OVERDUE: ReportStatus.OVERDUE}
STATUS_FILTERS = {word: status for status, word in REPORT_STATUS.items()}
PERIODS = ("day", "week", "month", "quarter", "year")
AGGREGATE_METRICS = ("completion_rate", "average_duration")

DATE_PROBLEM = "{} must be ISO 8601, e.g. 2024-10-01T00:00:00Z or 2024-10-01"
ZONE_PROBLEM = "{} needs a time zone, e.g. 2024-10-01T00:00:00Z"
END_BEFORE_START = "End date must be after start date"
STATUS_PROBLEM = f"status must be one of {', '.join(ReportStatus)}"
LIMIT_PROBLEM = f"limit must be a whole number from 1 to {MAX_LIMIT}"
CURSOR_PROBLEM = "cursor is not valid (use nextCursor from the previous answer)"
FORMAT_PROBLEM = f"format must be one of {', '.join(ExportFormat)}"


@dataclass
class Aggregate:
    by: str
    metrics: tuple


@dataclass
class ReportSpec:
    flow_id: str
    start: datetime | None = None
    end: datetime | None = None
    status: AssignmentStatus | None = None
    detailed: bool = False
    limit: int = DEFAULT_LIMIT
    cursor: tuple | None = None
    format: ExportFormat | None = None
    aggregate: Aggregate | None = None

    def as_params(self):
        """What an export keeps to build the same report later (JSON)."""
        return {"flowId": self.flow_id, "startDate": iso_exact(self.start), "endDate": iso_exact(self.end),
                "status": REPORT_STATUS[self.status].value if self.status else None, "detailed": self.detailed,
                "aggregate": {"by": self.aggregate.by, "metrics": list(self.aggregate.metrics)}
                if self.aggregate else None}


# --- reading the request -------------------------------------------------------------


class InvalidReportRequest(ValidationFailed):
    """The report's 400, in the published reference's words: ``invalid_request`` and the
    problems' own sentences (each names its field), without the other routes' ``path:``."""

    code = "invalid_request"

    def __init__(self, problems):
        super().__init__(problems)
        self.message = "; ".join(text for _, text in self.problems)


def parse_report(data):
    """A ReportSpec from the request body, or ValidationFailed naming every bad field."""
    problems = fields.Problems()
    flow_id = fields.text(data.get("flowId"), "flowId", problems, label="flowId", max_length=MAX_FLOW_ID_LENGTH,
                          required="flowId is required", wrong_type="flowId is required", nul="flowId is required")
    start = _moment(data.get("startDate"), "startDate", problems, time.min)
    end = _moment(data.get("endDate"), "endDate", problems, time.max)
    status = fields.choice(data.get("status"), ReportStatus, "status", problems, STATUS_PROBLEM) \
        if data.get("status") is not None else None
    detailed = fields.flag(data.get("detailed"), "detailed", problems)
    limit = DEFAULT_LIMIT if data.get("limit") is None else fields.whole_number(
        data.get("limit"), "limit", problems, low=1, high=MAX_LIMIT, message=LIMIT_PROBLEM)
    cursor = _cursor(data.get("cursor"), problems)
    export_format = fields.choice(data.get("format"), ExportFormat, "format", problems, FORMAT_PROBLEM) \
        if data.get("format") is not None else None
    aggregate = _aggregate(data.get("aggregate"), problems)
    if start and end and end <= start:
        problems.add("endDate", END_BEFORE_START)
    if problems:
        raise InvalidReportRequest(problems)
    return ReportSpec(flow_id, start, end, STATUS_FILTERS[status] if status else None, detailed, limit,
                      cursor, export_format, aggregate)


def _moment(value, path, problems, date_means):
    return fields.iso_moment(value, path, problems, message=DATE_PROBLEM.format(path),
                             zone_message=ZONE_PROBLEM.format(path), date_means=date_means)


def _cursor(value, problems):
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add("cursor", CURSOR_PROBLEM)
        return None
    return fields.cursor(value, problems, message=CURSOR_PROBLEM)


def _aggregate(value, problems):
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add("aggregate", 'aggregate must be an object like {"by": "week", "metrics": ["completion_rate"]}')
        return None
    by = value.get("by")
    if not isinstance(by, str) or by not in PERIODS:
        problems.add("aggregate.by", f"aggregate.by must be one of {', '.join(PERIODS)}")
    metrics = value.get("metrics", list(AGGREGATE_METRICS))
    if not isinstance(metrics, list) or not metrics:
        problems.add("aggregate.metrics", f"aggregate.metrics must be a list of {', '.join(AGGREGATE_METRICS)}")
        return None
    for index, metric in enumerate(metrics):
        if not isinstance(metric, str) or metric not in AGGREGATE_METRICS:
            problems.add(f"aggregate.metrics.{index}",
                         f"aggregate.metrics.{index} must be one of {', '.join(AGGREGATE_METRICS)}")
    if problems:
        return None
    return Aggregate(by, tuple(dict.fromkeys(metrics)))


# --- the report --------------------------------------------------------------------------


@dataclass
class Metrics:
    total: int = 0
    completed: int = 0
    pending: int = 0
    in_progress: int = 0
    overdue: int = 0
    average_seconds: float | None = None

    @classmethod
    def from_row(cls, row):
        total, done, pending, in_progress, late, average = row
        return cls(total, done, pending, in_progress, late, float(average) if average is not None else None)

    @property
    def completion_rate(self):
        return completion_rate(self.completed, self.total)

    def as_json(self):
        return {"totalAssignments": self.total, "completedAssignments": self.completed,
                "averageCompletionTime": seconds_text(self.average_seconds),
                "completionRate": self.completion_rate,
                "averageCompletionSeconds": whole_seconds(self.average_seconds),
                "pendingAssignments": self.pending, "inProgressAssignments": self.in_progress,
                "overdueAssignments": self.overdue}


@dataclass
class Report:
    flow: object
    spec: ReportSpec
    now: datetime
    metrics: Metrics


def prepare(organization, spec, now=None):
    """The flow and its metrics: all the rate limit needs to weigh the report
    (``weight``) before its pages are read."""
    flow = access.find_flow(organization, spec.flow_id)
    now = now or utcnow()
    return Report(flow, spec, now, _metrics(flow, spec, now))


def weight(report):
    """How many requests the report counts as: one per started thousand assignments."""
    return max(1, math.ceil(report.metrics.total / ROWS_PER_REQUEST))


def answer(report):
    """The JSON answer: the documented fields, then the page's cursor and the aggregates."""
    flow, spec = report.flow, report.spec
    rows, next_cursor = assignment_page(report)
    detail = _module_progress(flow, rows) if spec.detailed else None
    data = {"flowId": flow.public_id, "flowName": flow.name, "metrics": report.metrics.as_json(),
            "schedules": schedule_entries(flow),
            "assignments": [assignment_entry(assignment, email, report.now, detail) for assignment, email in rows],
            "nextCursor": next_cursor}
    if spec.aggregate:
        data["aggregates"] = aggregates(report)
    return data


def _selection(flow, spec, now):
    """The assignments a report covers, as WHERE conditions."""
    conditions = [Assignment.flow_id == flow.id, Assignment.status != AssignmentStatus.CANCELLED]
    if spec.start:
        conditions.append(Assignment.assigned_at >= spec.start)
    if spec.end:
        conditions.append(Assignment.assigned_at <= spec.end)
    if spec.status:
        conditions.append(queries.status_condition(spec.status, now))
    return conditions


def _metrics(flow, spec, now):
    return Metrics.from_row(db.session.execute(sa.select(*metric_columns(now))
                                               .where(*_selection(flow, spec, now))).one())


def metric_columns(now):
    """The aggregates ``Metrics.from_row`` reads, for any selection of assignments (flow
    analytics group them by flow)."""
    completed = Assignment.status == AssignmentStatus.COMPLETED
    return (sa.func.count(), sa.func.count().filter(completed),
            sa.func.count().filter(queries.status_condition(AssignmentStatus.ASSIGNED, now)),
            sa.func.count().filter(queries.status_condition(AssignmentStatus.IN_PROGRESS, now)),
            sa.func.count().filter(queries.status_condition(AssignmentStatus.OVERDUE, now)),
            sa.func.avg(seconds_between(Assignment.assigned_at, Assignment.completed_at)).filter(completed))


def assignment_page(report):
    """One keyset page of the selection, newest first: ``([(assignment, email)], next cursor)``."""
    return queries.assigned_page(_rows(report), report.spec.cursor, report.spec.limit)


def all_assignments(report, batch=1000):
    """Every assignment of the selection, newest first, read ``batch`` rows at a time
    (exports: never all of them in memory)."""
    for assignment, email in db.session.execute(_rows(report).execution_options(yield_per=batch)):
        yield assignment, email
        db.session.expunge(assignment)  # keep the session (identity map) from growing with the export


def versions_in(report):
    """The flow's versions the selected assignments walk."""
    return set(db.session.scalars(sa.select(Assignment.flow_version).distinct()
                                  .where(*_selection(report.flow, report.spec, report.now))))


def _rows(report):
    """``(assignment, assignee's email)`` of the selection, newest first."""
    return queries.newest_assigned_first(sa.select(Assignment, User.email).join(User, User.id == Assignment.user_id)
                                         .where(*_selection(report.flow, report.spec, report.now)))


def assignment_entry(assignment, email, now, detail=None):
    entry = {"assignmentId": assignment.public_id, "assigneeEmail": email, "assignedAt": iso(assignment.assigned_at),
             "status": REPORT_STATUS[assignment.effective_status(now)].value, "flowVersion": assignment.flow_version,
             "completedModules": assignment.modules_completed, "totalModules": assignment.module_total,
             "dueDate": iso(assignment.due_date), "startedAt": iso(assignment.started_at),
             "completedAt": iso(assignment.completed_at)}
    if detail is not None:
        entry["moduleProgress"] = detail.of(assignment)
    return entry


@dataclass
class ModuleDetail:
    """What a page of assignments needs for each one's module progress: the modules of
    every version among them, and each one's completed modules and quiz outcomes."""

    modules: dict  # {version: [modules in order]}
    done: dict  # {assignment id: {module id: completed at}}
    outcomes: dict  # {assignment id: {module id: quizzes.Outcome}}

    def of(self, assignment):
        return module_progress(assignment, self.modules.get(assignment.flow_version, []),
                               self.done[assignment.id], self.outcomes[assignment.id])


def _module_progress(flow, rows):
    """The ModuleDetail of these ``(assignment, …)`` rows (three queries; the quiz outcomes'
    only if the modules have quizzes or sign-offs)."""
    ids = [assignment.id for assignment, _ in rows]
    by_version = queries.modules_by_version(flow, {assignment.flow_version for assignment, _ in rows})
    modules = [module for version in by_version.values() for module in version]
    return ModuleDetail(by_version, completed_modules(ids), quizzes.outcomes(ids, modules))


def assignment_modules(assignment, flow):
    """One assignment's module progress with its quiz and sign-off outcomes (three queries)."""
    return _module_progress(flow, [(assignment, None)]).of(assignment)


def completed_modules(assignment_ids):
    """``{assignment id: {module id: completed at}}`` for these assignments, in one query."""
    done = {assignment_id: {} for assignment_id in assignment_ids}
    if done:
        for assignment_id, module_id, completed_at in db.session.execute(
                sa.select(ModuleProgress.assignment_id, ModuleProgress.module_id, ModuleProgress.completed_at)
                .where(ModuleProgress.assignment_id.in_(list(done)))):
            done[assignment_id][module_id] = completed_at
    return done


def module_progress(assignment, modules, done, outcomes=None):
    """Each module's state: completed (when), the one being worked on (since when: the
    previous module's completion, or the start of the flow), or pending; with ``outcomes``,
    its quiz (attempts, best score, passed when) and sign-off, where the module has them."""
    entries, working, since = [], assignment.status == AssignmentStatus.IN_PROGRESS, assignment.started_at
    for module in modules:
        entry = {"moduleId": module.public_id, "moduleName": module.title}
        if module.id in done:
            entry.update(status="completed", completedAt=iso(done[module.id]))
            since = max(since, done[module.id]) if since else done[module.id]
        elif working:
            entry.update(status="in_progress", startedAt=iso(since))
            working = False
        else:
            entry["status"] = "pending"
        if outcomes is not None:
            entry.update(quizzes.outcome_json(module, outcomes.get(module.id)))
        entries.append(entry)
    return entries


def schedule_entries(flow):
    """The flow's upcoming scheduled runs, one entry per person, soonest first."""
    schedules = db.session.scalars(sa.select(FlowSchedule).where(FlowSchedule.flow_id == flow.id, FlowSchedule.active)
                                   .order_by(FlowSchedule.next_run_at, FlowSchedule.id)).all()
    return [{"scheduleId": schedule.public_id, "assigneeEmail": email, "scheduledAt": iso(schedule.next_run_at),
             "status": "pending", "recurrence": recurrence(schedule.every, schedule.unit)}
            for schedule in schedules for email in schedule.user_emails]


_NAMED_RECURRENCES = {(1, ScheduleUnit.DAYS): "daily", (7, ScheduleUnit.DAYS): "weekly",
                      (14, ScheduleUnit.DAYS): "biweekly", (1, ScheduleUnit.MONTHS): "monthly",
                      (3, ScheduleUnit.MONTHS): "quarterly", (12, ScheduleUnit.MONTHS): "yearly"}


def recurrence(every, unit):
    """``weekly``, ``monthly``…, or ``every 10 days`` for rhythms without a name."""
    named = _NAMED_RECURRENCES.get((every, unit))
    return named or f"every {every} {unit.value}"


# --- aggregates --------------------------------------------------------------------------


def aggregates(report):
    """Per period of ``aggregate.by`` (when assigned, in the organisation's time zone), oldest
    first, periods without assignments left out. PostgreSQL groups them itself (one
    aggregate); SQLite's rows are grouped here (it has no time zones)."""
    zone, by = _zone(report.flow), report.spec.aggregate.by
    completed = Assignment.status == AssignmentStatus.COMPLETED
    seconds = seconds_between(Assignment.assigned_at, Assignment.completed_at)
    selection = _selection(report.flow, report.spec, report.now)
    if session_dialect() == "postgresql":
        label = sa.func.to_char(sa.func.timezone(zone.key, Assignment.assigned_at), PERIOD_FORMATS[by])
        rows = db.session.execute(sa.select(label, sa.func.count(), sa.func.count().filter(completed),
                                            sa.func.coalesce(sa.func.sum(seconds).filter(completed), 0))
                                  .where(*selection).group_by(label)).all()
        buckets = {period: (total, done, float(spent)) for period, total, done, spent in rows}
    else:
        buckets = {}
        for assigned_at, is_done, spent in db.session.execute(
                sa.select(Assignment.assigned_at, completed, seconds).where(*selection).execution_options(yield_per=5000)):
            bucket = buckets.setdefault(period_label(assigned_at.astimezone(zone), by), [0, 0, 0.0])
            bucket[0] += 1
            if is_done:
                bucket[1] += 1
                bucket[2] += float(spent)
    return [_period_json(label, *numbers, report.spec.aggregate.metrics) for label, numbers in sorted(buckets.items())]


# The labels ``period_label`` writes, in PostgreSQL's to_char (IYYY/IW: ISO year and week).
PERIOD_FORMATS = {"day": "YYYY-MM-DD", "week": 'IYYY-"W"IW', "month": "YYYY-MM", "quarter": 'YYYY-"Q"Q',
                  "year": "YYYY"}


def _period_json(label, total, done, seconds, metrics):
    entry = {"period": label, "totalAssignments": total, "completedAssignments": done}
    if "completion_rate" in metrics:
        entry["completionRate"] = completion_rate(done, total)
    if "average_duration" in metrics:
        average = seconds / done if done else None
        entry.update(averageDuration=seconds_text(average), averageDurationSeconds=whole_seconds(average))
    return entry


def period_label(moment, by):
    """``2024-10-25``, ``2024-W43`` (ISO week), ``2024-10``, ``2024-Q4`` or ``2024``."""
    if by == "day":
        return moment.strftime("%Y-%m-%d")
    if by == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "month":
        return moment.strftime("%Y-%m")
    if by == "quarter":
        return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
    return str(moment.year)


def _zone(flow):
    return calendar_for(db.session.get(Organization, flow.organization_id)).zone


# --- how numbers read ----------------------------------------------------------------------


def completion_rate(done, total):
    """Per cent with one decimal (half up): 38 of 45 is 84.4."""
    if not total:
        return 0.0
    return float((Decimal(100 * done) / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def whole_seconds(seconds):
    return None if seconds is None else int(Decimal(seconds).quantize(Decimal(1), ROUND_HALF_UP))


def seconds_text(seconds):
    """A duration as people say it: ``45 minutes``, ``5 hours 30 minutes``, ``1.5 days``."""
    if seconds is None:
        return None
    if seconds < 24 * 3600:
        return duration_text(int(Decimal(seconds / 60).quantize(Decimal(1), ROUND_HALF_UP)))
    days = Decimal(seconds / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP).normalize()
    return f"{days:f} day" if days == 1 else f"{days:f} days"


def iso_exact(moment):
    """ISO 8601 keeping microseconds (an export's filter must select the same rows)."""
    return moment.astimezone(timezone.utc).isoformat() if moment else None
