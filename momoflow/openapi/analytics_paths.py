"""``GET /api/v1/reports/approvals/{section}``: approval analytics as JSON (the tables the
Reports page shows and downloads)."""

from momoflow.errors import Forbidden, NotFound, ValidationFailed
from momoflow.openapi.common import api_error, api_unauthorized, api_validation, json_response, obj, text
from momoflow.reports import approvals, sections
from momoflow.workflows.models import Priority

TAG = "Approval analytics"
EXAMPLE = {"success": True,
           "data": [{"approver": "Arjun Mehta", "email": "manager@royalenfield.com", "decisions": 4,
                     "waitP50Hours": 3.0, "waitP90Hours": 7.5, "onTimeRate": 75.0, "breaches": 1,
                     "delegateShare": 0.0}],
           "filters": {"start": "2026-11-02", "end": "2026-11-06", "from": "2026-11-02T00:00:00+00:00",
                       "until": "2026-11-07T00:00:00+00:00"},
           "columns": [{"key": "approver", "heading": "Approver"}, {"key": "decisions", "heading": "Decisions"}]}


def _query(name, description, schema_=None):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema_ or {"type": "string"}}


def paths():
    parameters = [
        {"name": "section", "in": "path", "required": True, "schema": {"type": "string", "enum": list(sections.SECTIONS)},
         "description": "`summary`, `trend` (per ISO week), `levels`, `approvers`, `bottlenecks` (p90 time to decide "
                        "× decisions), `queue` (what waits now, oldest first) or `heatmap` (decisions by weekday "
                        "and hour)."},
        _query("start", f"First day (`YYYY-MM-DD`, your organisation's time zone); default {approvals.DEFAULT_DAYS} "
                        "days before `end`.", {"type": "string", "format": "date"}),
        _query("end", "Last day, included; default today.", {"type": "string", "format": "date"}),
        _query("template", "Only requests raised from this template (`tmpl_…`)."),
        _query("department", "Only requests raised by people of this department."),
        _query("priority", "Only requests of this priority.", {"type": "string", "enum": [p.value for p in Priority]}),
    ]
    operation = {
        "tags": [TAG], "operationId": "approvalReport", "summary": "Approval analytics, one table",
        "description": (approvals.__doc__ or "").split("Both are kept")[0].strip(),
        "security": [{"bearerAuth": []}], "parameters": parameters,
        "responses": {
            "200": json_response("The table: `data` rows keyed as `columns` say, and the dates it covers.",
                                 "ApprovalReport", inline_examples={"approvers": {"summary": "Per approver",
                                                                                  "value": EXAMPLE}}),
            "400": api_validation(("Bad dates", ValidationFailed.title, "end: end must be on or after start")),
            "401": api_unauthorized(),
            "403": api_error("Employees see no analytics.",
                             ("Employee", Forbidden.title, approvals.ONLY_ADMINS_AND_MANAGERS)),
            "404": api_error("No such table.", ("Unknown", NotFound.title, sections.unknown_section())),
        }}
    return {"/api/v1/reports/approvals/{section}": {"get": operation}}


def schemas():
    return {"ApprovalReport": obj({
        "success": {"const": True},
        "data": {"type": "array", "items": {"type": "object"}},
        "filters": obj({name: {"type": "string", "description": f"The `{name}` filter, when sent."}
                        for name in ("start", "end", "template", "department", "priority")}
                       | {"from": text("Where the dates begin (inclusive)."),
                          "until": text("Where they end (exclusive).")}, ["from", "until"]),
        "columns": {"type": "array", "items": obj({"key": {"type": "string"}, "heading": {"type": "string"}},
                                                  ["key", "heading"])},
    }, ["success", "data", "filters", "columns"])}
