"""The flow report as a file (``"format"`` on ``POST /v1/flows/report``): the exports'
``flow_report`` kind, built in the background from the filters the request sent. Every
assignment of the selection is a row (not one page), read a thousand at a time."""

from itertools import islice

from momoflow.accounts.models import Organization
from momoflow.errors import DomainError
from momoflow.exports.services import ExportProblem, request_export
from momoflow.exports.tables import Chart, Table, register
from momoflow.extensions import db
from momoflow.flows import queries, report
from momoflow.flows.labels import STATUS_LABELS
from momoflow.flows.models import AssignmentStatus

KIND = "flow_report"
BATCH = 1000
COLUMNS = [("assignmentId", "Assignment ID"), ("assigneeEmail", "Assignee email"), ("status", "Status"),
           ("assignedAt", "Assigned at (UTC)"), ("dueDate", "Due (UTC)"), ("startedAt", "Started at (UTC)"),
           ("completedAt", "Completed at (UTC)"), ("completedModules", "Modules done"), ("totalModules", "Modules")]
VERSION_COLUMN = ("flowVersion", "Flow version")  # once the flow has more than one
# The chart's bars: the assignments' states in the pages' words (flows.labels).
WHERE_PEOPLE_ARE = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.OVERDUE,
                    AssignmentStatus.COMPLETED)


def request_report_file(api_key, spec):
    """Queue the file of the report ``spec`` asks for; the export to answer with."""
    return request_export(api_key.organization, kind=KIND, export_format=spec.format, params=spec.as_params(),
                          api_key=api_key)


@register(KIND)
def build(export):
    organization = db.session.get(Organization, export.organization_id)
    try:
        prepared = report.prepare(organization, report.parse_report(export.params))
    except DomainError as error:  # the flow was deleted meanwhile, say
        raise ExportProblem(error.message) from None
    flow, spec, metrics = prepared.flow, prepared.spec, prepared.metrics
    modules = _modules(prepared) if spec.detailed else {}
    columns = COLUMNS + ([VERSION_COLUMN] if flow.version > 1 else []) + _module_columns(modules)
    return Table(
        title=f"{flow.name}: flow report", file_stem=f"{flow.public_id}-report-{prepared.now:%Y-%m-%d}",
        subtitle=[f"Flow {flow.public_id}. {_selection_words(spec)}", f"Made {prepared.now:%Y-%m-%d %H:%M} UTC."],
        summary=_summary(metrics), columns=columns, rows=_rows(prepared, modules), total_rows=metrics.total,
        charts=_charts(prepared))


def _selection_words(spec):
    parts = ["Assignments"]
    if spec.start or spec.end:
        parts.append(f"assigned from {spec.start:%Y-%m-%d %H:%M} UTC" if spec.start else "assigned")
        if spec.end:
            parts.append(f"until {spec.end:%Y-%m-%d %H:%M} UTC")
    if spec.status:
        parts.append(f"now {STATUS_LABELS[spec.status].lower()}")
    return " ".join(parts) + " (cancelled ones left out)."


def _summary(metrics):
    return [("Assignments", metrics.total), ("Completed", metrics.completed),
            ("Completion rate", f"{metrics.completion_rate}%"),
            ("Average time to complete", report.seconds_text(metrics.average_seconds) or "—"),
            ("Not started", metrics.pending), ("In progress", metrics.in_progress), ("Overdue", metrics.overdue)]


def _charts(prepared):
    metrics = prepared.metrics
    charts = [Chart("bar", "Where people are", [STATUS_LABELS[status] for status in WHERE_PEOPLE_ARE],
                    [("Assignments", [metrics.pending, metrics.in_progress, metrics.overdue, metrics.completed])])]
    if prepared.spec.aggregate:
        periods = report.aggregates(prepared)
        charts.append(Chart("bar", f"Assigned and completed per {prepared.spec.aggregate.by}",
                            [entry["period"] for entry in periods],
                            [("Assigned", [entry["totalAssignments"] for entry in periods]),
                             ("Completed", [entry["completedAssignments"] for entry in periods])]))
    return charts


def _modules(prepared):
    """``{version: [modules]}`` of the versions the selection's people walk, newest first."""
    versions = sorted(report.versions_in(prepared), reverse=True)
    return queries.modules_by_version(prepared.flow, versions)


def _module_columns(modules):
    """A column per module of each version; named with their version when there are several
    (people on one version leave the others' columns empty)."""
    several = len(modules) > 1
    return [(module.id, f"v{version} · {module.position}. {module.title}" if several
             else f"{module.position}. {module.title}")
            for version, version_modules in modules.items() for module in version_modules]


def _rows(prepared, modules):
    """One dict per assignment, newest first; with ``detailed``, each module's state too
    (one query per thousand assignments)."""
    assignments = report.all_assignments(prepared, batch=BATCH)
    while batch := list(islice(assignments, BATCH)):
        done = report.completed_modules([assignment.id for assignment, _ in batch]) if modules else {}
        for assignment, email in batch:
            row = {"assignmentId": assignment.public_id, "assigneeEmail": email,
                   "status": STATUS_LABELS[assignment.effective_status(prepared.now)],
                   "assignedAt": assignment.assigned_at, "dueDate": assignment.due_date,
                   "startedAt": assignment.started_at, "completedAt": assignment.completed_at,
                   "flowVersion": assignment.flow_version, "completedModules": assignment.modules_completed,
                   "totalModules": assignment.module_total}
            own = modules.get(assignment.flow_version, [])
            for entry, module in zip(report.module_progress(assignment, own, done.get(assignment.id, {})), own):
                row[module.id] = _module_words(entry)
            yield row


def _module_words(entry):
    if entry["status"] == "completed":
        return f"Completed {entry['completedAt']}"
    if entry["status"] == "in_progress":
        return f"In progress since {entry['startedAt']}"
    return "Not started"
