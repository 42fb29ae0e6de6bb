"""Flow analytics pages: every flow's numbers, and one flow's modules (where people stall).

For admins and managers, like the assignments overview; the organisation is the
signed-in person's. Filters come in the query string, so a view can be bookmarked or
shared, and each table downloads as CSV with the same filters.
"""

from flask import render_template, request
from flask_login import current_user

from momoflow.csvfiles import csv_response
from momoflow.database import utcnow
from momoflow.flows import access, analytics, bp, report
from momoflow.flows.access import assigner_required
from momoflow.flows.models import Priority
from momoflow.reports.filters import choices, department_choices


@bp.get("/flows/analytics")
@assigner_required
def analytics_page():
    filters, problems = analytics.parse_filters(request.args)
    summaries = analytics.flow_summaries(current_user.organization, filters)
    return render_template("flows/analytics.html", summaries=summaries, **_filter_context(filters, problems))


@bp.get("/flows/<flow_id>/analytics")
@assigner_required
def flow_analytics(flow_id):
    flow = access.find_flow(current_user.organization, flow_id)
    filters, problems = analytics.parse_filters(request.args)
    version = analytics.parse_version(request.args.get("version"), flow) or flow.version
    metrics = analytics.flow_metrics(current_user.organization, flow, filters)
    steps = analytics.module_steps(current_user.organization, flow, filters, version)
    return render_template("flows/flow_analytics.html", flow=flow, metrics=metrics, steps=steps, version=version,
                           per_version=analytics.people_per_version(current_user.organization, flow, filters),
                           stalled=analytics.stalls_most(steps), **_filter_context(filters, problems))


def _filter_context(filters, problems):
    return {"filters": filters, "problems": problems, "options": {
        "department": department_choices(current_user.organization_id),
        "priority": choices(Priority)}}


# The tables are small: their rows are read before the answer starts (a streamed answer
# reads after the request's commit, when the objects loaded here are gone).


@bp.get("/flows/analytics.csv")
@assigner_required
def analytics_csv():
    filters, _ = analytics.parse_filters(request.args)
    rows = [(s.flow.name, s.flow.public_id, s.metrics.total, s.metrics.completed, s.metrics.completion_rate,
             report.whole_seconds(s.metrics.average_seconds), report.seconds_text(s.metrics.average_seconds),
             s.metrics.overdue) for s in analytics.flow_summaries(current_user.organization, filters)]
    return csv_response(f"flow-analytics-{_today()}.csv", SUMMARY_HEADER, rows)


@bp.get("/flows/<flow_id>/analytics.csv")
@assigner_required
def flow_analytics_csv(flow_id):
    flow = access.find_flow(current_user.organization, flow_id)
    filters, _ = analytics.parse_filters(request.args)
    rows = [(step.module.position, step.module.title, step.reached, step.completed, step.completion_rate,
             step.working_now, step.late_now, report.whole_seconds(step.median_seconds),
             report.seconds_text(step.median_seconds))
            for step in analytics.module_steps(current_user.organization, flow, filters,
                                               analytics.parse_version(request.args.get("version"), flow))]
    return csv_response(f"{flow.name}-modules-{_today()}.csv", MODULE_HEADER, rows)


SUMMARY_HEADER = ("Flow", "Flow ID", "Assigned", "Completed", "Completion rate (%)",
                  "Average time to complete (seconds)", "Average time to complete", "Overdue now")
MODULE_HEADER = ("Position", "Module", "Reached", "Completed", "Completed of reached (%)", "Working on it now",
                 "Of them late", "Median time spent (seconds)", "Median time spent")


def _today():
    return utcnow().strftime("%Y-%m-%d")
