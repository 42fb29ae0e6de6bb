"""``GET /api/v1/reports/approvals/<section>``: the approval analytics tables as JSON, with the
page's filters as query parameters (bad ones are a 400 naming them)."""

from flask import g, request

from momoflow.api import bp
from momoflow.errors import NotFound
from momoflow.reports import approvals, sections


@bp.get("/reports/approvals/<section>")
def approval_report(section):
    build = sections.SECTIONS.get(section)
    if build is None:
        raise NotFound(sections.unknown_section())
    person = g.api_user
    approvals.require_viewer(person)
    filters, _ = approvals.parse_filters(request.args, strict=True)
    span = approvals.window(person.organization, filters)
    columns, rows = build(person, filters)
    return {"success": True, "data": rows,
            "filters": {**filters.query_args(), "from": span.start.isoformat(), "until": span.end.isoformat()},
            "columns": [{"key": key, "heading": heading} for key, heading in columns]}, 200
