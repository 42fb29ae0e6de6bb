"""The approval analytics page and its CSV downloads (one per table, same filters)."""

from datetime import timedelta

from flask import abort, render_template, request
from flask_login import current_user

from momoflow.csvfiles import csv_response
from momoflow.database import utcnow
from momoflow.reports import approvals, bp, charts, sections
from momoflow.reports.filters import choices, department_choices
from momoflow.workflows.models import Priority


@bp.get("/approvals")
def approvals_page():
    approvals.require_viewer(current_user)
    filters, problems = approvals.parse_filters(request.args)
    span = approvals.window(current_user.organization, filters)
    summary = approvals.summary(current_user, filters)
    trend = approvals.trend(current_user, filters)
    top, bottlenecks = approvals.busiest_and_bottlenecks(current_user, filters)
    heat = approvals.heat_map(current_user, filters)
    waiting, holders = approvals.queue(current_user, filters)
    slowest = sorted((timing for timing in top if timing.wait_p50 is not None), key=lambda t: -t.wait_p50)
    return render_template(
        "reports/approvals.html", filters=filters, problems=problems, span=span, summary=summary, trend=trend,
        levels=approvals.levels(current_user, filters), approvers=top, bottlenecks=bottlenecks,
        heat=heat, waiting=waiting, holders=holders, weekdays=approvals.WEEKDAYS,
        options={"template": approvals.templates(current_user),
                 "department": department_choices(current_user.organization_id),
                 "priority": choices(Priority)}, trend_chart=charts.trend(trend),
        approver_chart=charts.bars([(timing.label, timing.wait_p50 / 3600) for timing in slowest[:12]]),
        heat_chart=charts.heat_map(heat, approvals.WEEKDAYS), now=utcnow(), last_day=span.end - timedelta(days=1))


@bp.get("/approvals/<section>.csv")
def approvals_csv(section):
    build = sections.SECTIONS.get(section)
    if build is None:
        abort(404)
    approvals.require_viewer(current_user)
    filters, _ = approvals.parse_filters(request.args)
    columns, rows = build(current_user, filters)  # small tables: read before the answer starts
    return csv_response(f"approvals-{section}-{utcnow():%Y-%m-%d}.csv", [heading for _, heading in columns],
                        [[row[key] for key, _ in columns] for row in rows])
