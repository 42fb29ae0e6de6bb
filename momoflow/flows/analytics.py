"""Flow analytics: how each flow is going, and where people stall in one.

The numbers are the flow report's (``report.metric_columns``: cancelled assignments left
out, completion time from being assigned to completing), over the assignments the
filters select: assigned between two dates (whole days in the organisation's time
zone), of people in one department, of one priority.

Where people stall, per module of a flow (modules are done in order):

- *reached*: started the flow and finished every module before this one;
- *completed*: finished it;
- *working on it now*: in progress with this module next (and how many of them are late);
- *median time spent*: from finishing the module before (or starting the flow) to
  finishing this one, the middle value of those who finished it.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from momoflow import fields
from momoflow.database import seconds_between, utcnow
from momoflow.extensions import db
from momoflow.flows import queries, report
from momoflow.flows.models import Assignment, AssignmentStatus, Flow, ModuleProgress, Priority
from momoflow.reports.filters import QueryArgs, parse_day, people_of_department
from momoflow.reports.percentiles import grouped_percentiles
from momoflow.workflows.tat import calendar_for

MAX_DEPARTMENT_LENGTH = 200
DATE_PROBLEM = "Enter a date like 2024-10-31."


@dataclass
class Filters(QueryArgs):
    start: str = ""  # as typed (YYYY-MM-DD), for the form
    end: str = ""
    department: str = ""
    priority: str = ""


def parse_filters(args):
    """``(Filters, {field: problem})`` from a page's query string. A bad field is dropped
    (the page shows its problem and the rest still applies)."""
    problems = {}
    values = {name: (args.get(name) or "").strip() for name in ("start", "end", "department", "priority")}
    for name in ("start", "end"):
        if values[name] and parse_day(values[name]) is None:
            problems[name], values[name] = DATE_PROBLEM, ""
    if values["start"] and values["end"] and parse_day(values["end"]) < parse_day(values["start"]):
        problems["end"], values["end"] = "The end date must be on or after the start date.", ""
    department = fields.text(values["department"], "department", fields.Problems(), label="Department",
                             max_length=MAX_DEPARTMENT_LENGTH)
    values["department"] = department or ""
    if values["priority"] and values["priority"] not in {priority.value for priority in Priority}:
        problems["priority"], values["priority"] = "Choose a priority from the list.", ""
    return Filters(**values), problems


def conditions(organization, filters):
    """WHERE conditions for the assignments ``filters`` select in ``organization``."""
    zone = calendar_for(organization).zone
    selected = [Assignment.organization_id == organization.id, Assignment.status != AssignmentStatus.CANCELLED]
    if filters.start:
        selected.append(Assignment.assigned_at >= datetime.combine(parse_day(filters.start), time.min, zone))
    if filters.end:
        selected.append(Assignment.assigned_at < datetime.combine(parse_day(filters.end) + timedelta(days=1), time.min,
                                                                 zone))
    if filters.priority:
        selected.append(Assignment.priority == Priority(filters.priority))
    if filters.department:
        selected.append(Assignment.user_id.in_(people_of_department(organization.id, filters.department)))
    return selected


# --- every flow ------------------------------------------------------------------------------


@dataclass
class FlowSummary:
    flow: Flow
    metrics: report.Metrics


def flow_summaries(organization, filters, now=None):
    """Each flow of the organisation with its numbers, by name: two queries whatever the size.
    Archived flows appear while they have assignments in the selection."""
    now = now or utcnow()
    rows = db.session.execute(sa.select(Assignment.flow_id, *report.metric_columns(now))
                              .where(*conditions(organization, filters)).group_by(Assignment.flow_id)).all()
    metrics = {row[0]: report.Metrics.from_row(row[1:]) for row in rows}
    flows = db.session.scalars(sa.select(Flow).where(Flow.organization_id == organization.id)
                               .order_by(Flow.name, Flow.id)).all()
    return [FlowSummary(flow, metrics.get(flow.id, report.Metrics())) for flow in flows
            if flow.id in metrics or flow.status.value == "active"]


def flow_metrics(organization, flow, filters, now=None):
    now = now or utcnow()
    return report.Metrics.from_row(db.session.execute(
        sa.select(*report.metric_columns(now)).where(Assignment.flow_id == flow.id,
                                                     *conditions(organization, filters))).one())


# --- one flow's modules ------------------------------------------------------------------------


@dataclass
class ModuleStep:
    module: object
    reached: int
    completed: int
    working_now: int
    late_now: int
    median_seconds: float | None

    @property
    def completion_rate(self):
        """Of those who reached it, the share who finished it (per cent, one decimal)."""
        return report.completion_rate(self.completed, self.reached)


def module_steps(organization, flow, filters, version=None, now=None):
    """Each module of one version of ``flow`` (the current one unless said) with where
    the people on that version are: three queries whatever the size."""
    now = now or utcnow()
    version = version or flow.version
    selected = [Assignment.flow_id == flow.id, Assignment.flow_version == version, *conditions(organization, filters)]
    modules = queries.modules_of(flow, version)
    started = db.session.execute(
        sa.select(Assignment.modules_completed, sa.func.count(),
                  sa.func.count().filter(Assignment.status == AssignmentStatus.IN_PROGRESS),
                  sa.func.count().filter(queries.status_condition(AssignmentStatus.OVERDUE, now)
                                         & (Assignment.status == AssignmentStatus.IN_PROGRESS)))
        .where(*selected, Assignment.started_at.is_not(None)).group_by(Assignment.modules_completed)).all()
    medians = _median_time_per_module(selected)
    steps = []
    for position, module in enumerate(modules, start=1):
        reached = sum(count for done, count, _, _ in started if done >= position - 1)
        completed = sum(count for done, count, _, _ in started if done >= position)
        working = sum(now_working for done, _, now_working, _ in started if done == position - 1)
        late = sum(late for done, _, _, late in started if done == position - 1)
        steps.append(ModuleStep(module, reached, completed, working, late, medians.get(module.id)))
    return steps


def people_per_version(organization, flow, filters):
    """``{version: assignments}`` of the flow that ``filters`` select, newest version first."""
    rows = db.session.execute(sa.select(Assignment.flow_version, sa.func.count())
                              .where(Assignment.flow_id == flow.id, *conditions(organization, filters))
                              .group_by(Assignment.flow_version).order_by(Assignment.flow_version.desc()))
    return dict(rows.all())


def parse_version(value, flow):
    """The ``version`` query argument: one of the flow's versions, or None (the current one)."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 5 and 1 <= int(value) <= flow.version:
        return int(value)
    return None


def stalls_most(steps):
    """The module most people are working on now (ties: the earlier one), or None."""
    busiest = max(steps, key=lambda step: (step.working_now, -step.module.position), default=None)
    return busiest if busiest and busiest.working_now else None


def _median_time_per_module(selected):
    """``{module id: median seconds}`` from finishing the module before (or starting) to
    finishing each module, over the selected assignments."""
    previous = sa.func.lag(ModuleProgress.completed_at).over(partition_by=ModuleProgress.assignment_id,
                                                            order_by=ModuleProgress.completed_at)
    spans = (sa.select(ModuleProgress.module_id.label("module_id"),
                       ModuleProgress.completed_at.label("finished"),
                       sa.func.coalesce(previous, Assignment.started_at).label("began"))
             .join(Assignment, Assignment.id == ModuleProgress.assignment_id).where(*selected).subquery())
    medians = grouped_percentiles([spans.c.module_id], seconds_between(spans.c.began, spans.c.finished),
                                  [spans.c.began.is_not(None)], select_from=spans, fractions=(0.5,))
    # SQLite's Julian-day arithmetic is off by microseconds: whole seconds read the same everywhere
    return {module_id: round(median) for (module_id,), (median,) in medians.items()}
