"""``POST /v1/flows/report``: its path and schemas (the published reference's endpoint,
with the pagination and aggregates it lacks)."""

from momoflow.api import NOT_JSON_CONTENT_TYPE
from momoflow.errors import NotFound, Unauthorized, UnsupportedMediaType
from momoflow.exports import api as exports_api
from momoflow.exports import services as exports
from momoflow.exports.models import FILE_TYPES, ExportFormat
from momoflow.flows import access, report
from momoflow.integrator import INVALID_KEY
from momoflow.openapi.common import (
    example,
    integrator_error,
    integrator_headers,
    integrator_ok,
    json_request,
    moment,
    nullable,
    obj,
    schema,
    text,
)
from momoflow.openapi.common import integrator_operation as _op

TAG = "Flow reports"
EMAIL = {"type": "string", "format": "email"}
STATUS = {"type": "string", "enum": [status.value for status in report.ReportStatus]}

# The published reference's example, field for field.
REQUEST = {"flowId": "flow_123abc", "startDate": "2024-10-01T00:00:00Z", "endDate": "2024-10-31T23:59:59Z",
           "status": "in_progress", "detailed": True}
ANSWER = {
    "flowId": "flow_123abc", "flowName": "Customer Onboarding",
    "metrics": {"totalAssignments": 45, "completedAssignments": 38, "averageCompletionTime": "1.5 days",
                "completionRate": 84.4},
    "schedules": [{"scheduleId": "sched_456def", "assigneeEmail": "employee@company.com",
                   "scheduledAt": "2024-10-28T10:00:00Z", "status": "pending", "recurrence": "weekly"}],
    "assignments": [{"assignmentId": "asgn_789xyz", "assigneeEmail": "employee@company.com",
                     "assignedAt": "2024-10-25T15:30:00Z", "status": "in_progress", "completedModules": 2,
                     "totalModules": 5,
                     "moduleProgress": [
                         {"moduleId": "mod_001", "moduleName": "Welcome", "status": "completed",
                          "completedAt": "2024-10-25T16:00:00Z"},
                         {"moduleId": "mod_003", "moduleName": "Safety Training", "status": "in_progress",
                          "startedAt": "2024-10-25T16:45:00Z"}]}]}
EXPORT_ANSWER = {
    "downloadUrl": "https://api.momoflow.com/v1/exports/exp_4Jq8s0dWm2Lx?expires=1730000000&signature=9f2c…",
    "expiresAt": "2024-10-27T03:33:20Z", "exportId": "exp_4Jq8s0dWm2Lx", "status": "queued"}
# What MomoFlow adds around it: machine-readable twins, the page's cursor, aggregates.
FULL_ANSWER = {
    **ANSWER,
    "metrics": {**ANSWER["metrics"], "averageCompletionSeconds": 129600, "pendingAssignments": 3,
                "inProgressAssignments": 2, "overdueAssignments": 2},
    "assignments": [{**ANSWER["assignments"][0], "dueDate": "2024-11-25T23:59:59Z",
                     "startedAt": "2024-10-25T15:45:00Z", "completedAt": None}],
    "nextCursor": "WyIyMDI0LTEwLTI1VDE1OjMwOjAwKzAwOjAwIiwgIjEifQ",
    "aggregates": [{"period": "2024-W43", "totalAssignments": 12, "completedAssignments": 9, "completionRate": 75.0,
                    "averageDuration": "1.2 days", "averageDurationSeconds": 103680}],
}


def paths():
    operation = _op(
        TAG, "flowReport", "Report on a flow's assignments",
        "How far the people given a flow are: metrics, the flow's upcoming scheduled runs and its assignments "
        "(newest first). Cancelled assignments are left out; every metric describes the assignments selected "
        "by `startDate`/`endDate` (when assigned, both included; a date alone means the whole day in UTC) and "
        "`status` (`pending`: assigned, not started and not past due; `overdue`: open and past due). "
        "`averageCompletionTime` runs from being assigned to completing.\n\n"
        "**Pagination (not in the published reference).** `assignments` is one page: `limit` (default "
        f"{report.DEFAULT_LIMIT}, at most {report.MAX_LIMIT}) and `cursor` (the previous answer's `nextCursor`, "
        "sent with the same filters). A flow with many thousands of assignments would otherwise not fit one "
        "answer. `metrics`, `schedules` and `aggregates` always cover the whole selection.\n\n"
        "**Rate limit.** Reports count in a bucket of their own (50 per minute on the standard tier, 500 on "
        f"enterprise), and a report over more than {report.ROWS_PER_REQUEST:,} assignments counts once per "
        "started thousand; one that does not fit what is left of the minute is refused before it is read.\n\n"
        "**Exports.** With `format` the answer is a link to a file built in the background instead.",
        {"200": integrator_ok("The report.", "FlowReport", inline_examples={
            "documented": example("The published reference's answer", ANSWER),
            "full": example("With MomoFlow's additions (twins, cursor, aggregates)", FULL_ANSWER)}),
         "202": integrator_ok(
             "With `format`: the file is being built in the background (CSV, an Excel `.xlsx`, or a PDF with the "
             "metrics and charts), of every assignment the filters select (not one page). `downloadUrl` works "
             "without an API key until `expiresAt` (24 hours); see `GET /v1/exports/{exportId}`.",
             "ExportAnswer", inline_examples={"csv": example("A CSV on its way", EXPORT_ANSWER)}),
         "400": integrator_error(
             "A field is invalid: `invalid_request`, and a message naming the field.",
             ("End before start", report.InvalidReportRequest.code, report.END_BEFORE_START),
             ("Bad status", report.InvalidReportRequest.code, report.STATUS_PROBLEM)),
         "404": integrator_error("No such flow in your organisation.",
                                 ("Unknown flow", NotFound.code, access.flow_not_found("flow_123abc").message)),
         "415": integrator_error("The body is not sent as `application/json`.",
                                 ("Wrong content type", UnsupportedMediaType.code, NOT_JSON_CONTENT_TYPE))},
        body=json_request("FlowReportRequest"))
    operation["requestBody"]["content"]["application/json"]["examples"] = {
        "documented": example("The published reference's request", REQUEST),
        "paged": example("The next page, with weekly aggregates", {
            "flowId": "flow_123abc", "limit": 100, "cursor": FULL_ANSWER["nextCursor"],
            "aggregate": {"by": "week", "metrics": ["completion_rate", "average_duration"]}})}
    return {"/v1/flows/report": {"post": operation}, "/v1/exports/{exportId}": {"get": _download()}}


def _download():
    query = lambda name, description: {"name": name, "in": "query", "required": False,  # noqa: E731
                                       "description": description, "schema": {"type": "string"}}
    files = {content_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
             for _, content_type in FILE_TYPES.values()}
    operation = _op(
        TAG, "downloadExport", "Download an export's file",
        "With an API key of the export's organisation, or with the signed `downloadUrl` alone (its `expires` "
        "and `signature`; no key needed, as a browser or a spreadsheet would open it). While the file is being "
        "built the answer is 202 with `Retry-After`; once the export expires (24 hours) it is 410.",
        {"200": {"description": "The file, as an attachment.", "headers": integrator_headers(), "content": files},
         "202": integrator_ok("Not ready yet: try again after `Retry-After` seconds.", "ExportPending"),
         "401": integrator_error("No API key and no valid signed link.",
                                 ("No key", Unauthorized.code, INVALID_KEY),
                                 ("Tampered link", Unauthorized.code, exports_api.INVALID_LINK)),
         "404": integrator_error("No such export in your organisation.",
                                 ("Unknown export", NotFound.code, exports.export_not_found("exp_4Jq8s0dWm2Lx").message)),
         "409": integrator_error("Building the file failed; ask for the export again.",
                                 ("Failed", exports_api.ExportFailed.code, exports.BUILD_FAILED)),
         "410": integrator_error("The export (and its link) expired; its file is deleted.",
                                 ("Expired", exports_api.Gone.code, "This export expired at 2024-10-27T03:33:20Z"))})
    operation["parameters"] = [
        {"name": "exportId", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "The `exportId` of the answer that asked for the file."},
        query("expires", "From `downloadUrl`: when the link stops working (Unix seconds)."),
        query("signature", "From `downloadUrl`: proves the link was made by MomoFlow.")]
    operation["security"] = [{"apiKeyAuth": []}, {}]  # a signed link needs no key
    return operation


def _metrics():
    return obj({
        "totalAssignments": {"type": "integer", "minimum": 0},
        "completedAssignments": {"type": "integer", "minimum": 0},
        "averageCompletionTime": nullable("string", description="In words (`45 minutes`, `5 hours 30 minutes`, "
                                                                "`1.5 days`); null when none completed."),
        "completionRate": {"type": "number", "minimum": 0, "maximum": 100,
                           "description": "Completed out of all, in per cent with one decimal."},
        "averageCompletionSeconds": nullable("integer", description="`averageCompletionTime` in seconds."),
        "pendingAssignments": {"type": "integer", "minimum": 0},
        "inProgressAssignments": {"type": "integer", "minimum": 0},
        "overdueAssignments": {"type": "integer", "minimum": 0},
    }, ["totalAssignments", "completedAssignments", "averageCompletionTime", "completionRate"])


def _module_progress():
    return obj({
        "moduleId": text("The module's public id.", examples=["mod_001"]),
        "moduleName": {"type": "string"},
        "status": {"type": "string", "enum": ["completed", "in_progress", "pending"]},
        "completedAt": moment("When it was completed (completed modules)."),
        "startedAt": moment("Since when it is being worked on: the previous module's completion, or the start of "
                            "the flow (the module in progress)."),
        "quiz": obj({
            "passMark": {"type": "integer", "minimum": 1, "maximum": 100, "description": "In per cent."},
            "attempts": {"type": "integer", "minimum": 0},
            "bestScore": nullable("integer", description="In per cent; null before the first attempt."),
            "passed": {"type": "boolean"},
            "passedAt": moment("When it was passed.", nullable_=True),
        }, ["passMark", "attempts", "bestScore", "passed", "passedAt"],
            description="Only for a module with a quiz: the assignee's attempts (scored by MomoFlow)."),
        "acknowledgedAt": moment("Only for a module that asks for it: when the assignee confirmed they have read "
                                 "and understood it; null until then.", nullable_=True),
    }, ["moduleId", "moduleName", "status"])


def module_progress_schema():
    return _module_progress()


def schemas():
    return {
        "ExportAnswer": obj({
            "downloadUrl": text("A signed link to the file: works without an API key until `expiresAt`."),
            "expiresAt": moment("When the file and the link go."),
            "exportId": text("For `GET /v1/exports/{exportId}` with your API key.", examples=["exp_4Jq8s0dWm2Lx"]),
            "status": {"type": "string", "enum": ["queued", "running", "ready", "failed"]},
        }, ["downloadUrl", "expiresAt", "exportId", "status"]),
        "ExportPending": obj({
            "exportId": {"type": "string"},
            "status": {"type": "string", "enum": ["queued", "running"]},
            "message": {"type": "string"},
        }, ["exportId", "status", "message"]),
        "FlowReportRequest": obj({
            "flowId": {"type": "string", "maxLength": 100, "examples": ["flow_123abc"]},
            "startDate": nullable("string", description="ISO 8601 with a zone, or a date (its start, UTC)."),
            "endDate": nullable("string", description="ISO 8601 with a zone, or a date (its end, UTC); after "
                                                      "`startDate`."),
            "status": {**STATUS, "description": "Only assignments in this state."},
            "detailed": {"type": "boolean", "default": False, "description": "Add each assignment's "
                                                                             "`moduleProgress`."},
            "limit": {"type": "integer", "minimum": 1, "maximum": report.MAX_LIMIT, "default": report.DEFAULT_LIMIT},
            "cursor": {"type": "string", "description": "`nextCursor` of the previous answer."},
            "format": {"type": "string", "enum": [item.value for item in ExportFormat],
                       "description": "Build a file instead (see the answer's `downloadUrl`)."},
            "aggregate": obj({
                "by": {"type": "string", "enum": list(report.PERIODS)},
                "metrics": {"type": "array", "minItems": 1,
                            "items": {"type": "string", "enum": list(report.AGGREGATE_METRICS)},
                            "default": list(report.AGGREGATE_METRICS)},
            }, ["by"], description="Per period (when assigned, in your organisation's time zone): days "
                                   "`2024-10-25`, ISO weeks `2024-W43`, months `2024-10`, quarters `2024-Q4`, "
                                   "years `2024`. Periods without assignments are left out."),
        }, ["flowId"]),
        "FlowReport": obj({
            "flowId": {"type": "string"},
            "flowName": {"type": "string"},
            "metrics": _metrics(),
            "schedules": {"type": "array", "items": obj({
                "scheduleId": {"type": "string"}, "assigneeEmail": EMAIL,
                "scheduledAt": moment("The next run."),
                "status": {"const": "pending"},
                "recurrence": text("`daily`, `weekly`, `biweekly`, `monthly`, `quarterly`, `yearly`, or "
                                   "`every N days` / `every N months`."),
            }, ["scheduleId", "assigneeEmail", "scheduledAt", "status", "recurrence"]),
                "description": "The flow's upcoming scheduled runs, one entry per person, soonest first."},
            "assignments": {"type": "array", "items": obj({
                "assignmentId": {"type": "string"}, "assigneeEmail": EMAIL,
                "assignedAt": moment("When it was assigned."), "status": STATUS,
                "flowVersion": {"type": "integer", "minimum": 1,
                                "description": "The flow's version the person walks (see `Flow.version`)."},
                "completedModules": {"type": "integer", "minimum": 0},
                "totalModules": {"type": "integer", "minimum": 0, "description": "In the person's version."},
                "dueDate": moment("Its due date.", nullable_=True),
                "startedAt": moment("When the person started.", nullable_=True),
                "completedAt": moment("When they finished.", nullable_=True),
                "moduleProgress": {"type": "array", "items": _module_progress(),
                                   "description": "Only with `detailed`: every module of the person's version "
                                                  "of the flow, in order."},
            }, ["assignmentId", "assigneeEmail", "assignedAt", "status", "completedModules", "totalModules"])},
            "nextCursor": nullable("string", description="Send as `cursor` (with the same filters) for the next "
                                                         "page; null on the last."),
            "aggregates": {"type": "array", "items": schema("FlowReportPeriod"),
                           "description": "Only with `aggregate`, oldest period first."},
        }, ["flowId", "flowName", "metrics", "schedules", "assignments"]),
        "FlowReportPeriod": obj({
            "period": {"type": "string", "examples": ["2024-W43"]},
            "totalAssignments": {"type": "integer", "minimum": 0},
            "completedAssignments": {"type": "integer", "minimum": 0},
            "completionRate": {"type": "number", "minimum": 0, "maximum": 100},
            "averageDuration": nullable("string"),
            "averageDurationSeconds": nullable("integer"),
        }, ["period", "totalAssignments", "completedAssignments"]),
    }
