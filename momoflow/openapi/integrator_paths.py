"""``paths`` for the integrator Flow Assignment API (``/v1``)."""

from datetime import timedelta

from momoflow import search
from momoflow.api import NOT_JSON
from momoflow.errors import Conflict, NotFound, ValidationFailed
from momoflow.flows import access, bulk, managing, queries, rules, services
from momoflow.flows.api import BULK_SIZE_PROBLEM
from momoflow.flows.models import AssignmentStatus
from momoflow.flows.validation import (
    DUE_DATE_IN_THE_PAST,
    DUE_DATE_PROBLEM,
    EMAIL_PROBLEM,
    REASON_REQUIRED,
    REASON_TOO_LONG,
    cannot_change,
)
from momoflow.integrator.idempotency import MAX_KEY_LENGTH
from momoflow.openapi import schedule_parts
from momoflow.openapi.common import (
    directory_unavailable,
    integrator_error,
    integrator_ok,
    integrator_validation,
    json_request,
    key_reused,
    problems,
    ref,
    still_running,
    wrong_content_type,
)
from momoflow.openapi.common import integrator_operation as _op

ASSIGN, FLOWS, ASSIGNMENTS = "Flow assignment", "Flows", "Assignments"
IDEMPOTENT = ("IdempotencyKey", "XRequestID")


def parameters():
    def header(name, description):
        return {"name": name, "in": "header", "required": False, "description": description,
                "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH}}

    def query(name, description, schema):
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    return {
        "IdempotencyKey": header(
            "Idempotency-Key",
            "Names this request for 24 hours, per API key. Sent again with the same body, the first answer is "
            "replayed (`Idempotent-Replayed: true`) and nothing is done twice; with a different body the answer "
            "is 422; while the first is still running, 409. Takes precedence over `X-Request-ID`."),
        "XRequestID": header(
            "X-Request-ID",
            "Your identifier for tracing: echoed in the response and logged. Without `Idempotency-Key` it is also "
            "the idempotency key (the seed asks integrators to retry with backoff), so use a new one per request."),
        "flowId": {"name": "flowId", "in": "path", "required": True, "description": "The flow's `flowId`.",
                   "schema": {"type": "string"}},
        "assignmentId": {"name": "assignmentId", "in": "path", "required": True,
                         "description": "The `assignmentId` returned when the flow was assigned.",
                         "schema": {"type": "string"}},
        "userEmailFilter": query("userEmail", "Only this person's assignments.", {"type": "string", "format": "email"}),
        "flowIdFilter": query("flowId", "Only assignments of this flow.", {"type": "string"}),
        "personSearch": query("q", "Only assignments of people whose name or email holds this text (any letter "
                                   "case; `%` and `_` are plain characters; blank: no filter). Send it again with "
                                   "`cursor`.", {"type": "string", "maxLength": search.MAX_LENGTH}),
        "statusFilter": query("status", "`overdue` means open and past due; `assigned` and `in_progress` "
                                        "then mean open and not overdue.",
                              {"type": "string", "enum": [s.value for s in AssignmentStatus]}),
        "assignmentCursor": query("cursor", "`nextCursor` from the previous page.", {"type": "string"}),
        "assignmentLimit": query("limit", "Page size.", {"type": "integer", "minimum": 1,
                                                         "maximum": queries.MAX_LIMIT,
                                                         "default": queries.DEFAULT_LIMIT}),
        **schedule_parts.schedule_parameters(),
    }


def _idempotency_errors():
    already = services.AlreadyAssigned("asgn_789xyz", "employee@company.com")
    return {
        "409": integrator_error(
            "The flow is already open for this user (with its `assignmentId`), the flow is archived, or a "
            "request with the same idempotency key is still running.",
            (already.title, already.code, already.message, already.extra),
            ("Archived flow", Conflict.code, services.archived("flow_123abc", "assigned")),
            still_running("req_unique_id")),
        "415": wrong_content_type(),
        "422": key_reused("req_unique_id"),
    }


def _assign_paths():
    errors = _idempotency_errors()
    assign = _op(
        ASSIGN, "assignFlow", "Assign a flow to a user",
        "The seed's endpoint. `userEmail` is found in your organisation or provisioned from its directory; other "
        "organisations' users and flows do not exist. Assigning a flow the user already has open is 409.",
        {"200": integrator_ok("Assigned (or, with a repeated idempotency key, the first answer again).",
                              "AssignResponse", "SeedAssignResponse", replayable=True),
         "400": integrator_validation(
             ("Bad fields", ValidationFailed.code,
              problems(("userEmail", EMAIL_PROBLEM), ("dueDate", DUE_DATE_PROBLEM))),
             ("Not JSON", ValidationFailed.code, problems(("body", NOT_JSON)))),
         "404": integrator_error("The flow or the user does not exist in your organisation.",
                                 "Seed404Flow", "Seed404User"),
         **errors, "503": directory_unavailable("integrator")},
        parameters=IDEMPOTENT, body=json_request("AssignRequest", "SeedAssignRequest"))
    bulk = _op(
        ASSIGN, "assignFlowBulk", "Assign flows to many users at once",
        f"Up to {rules.MAX_BULK_ITEMS} items, each assigned on its own: one bad item does not sink the rest, "
        "and `results` says what happened to each (with the same error codes and messages as a single assign).",
        {"200": integrator_ok("Every item was tried; see `results`.", "BulkAssignResponse", replayable=True,
                              inline_examples={"mixed": {"summary": "One assigned, one unknown flow", "value": {
                                  "success": False, "assigned": 1, "failed": 1, "results": [
                                      {"index": 0, "success": True, "assignmentId": "asgn_789xyz",
                                       "userEmail": "employee@company.com", "flowId": "flow_123abc"},
                                      {"index": 1, "success": False, "error": NotFound.code,
                                       "message": access.flow_not_found("flow_nope").message}]}}}),
         "400": integrator_validation(("No items", ValidationFailed.code,
                                       problems(("assignments", BULK_SIZE_PROBLEM)))),
         "409": integrator_error("A request with the same idempotency key is still running.",
                                 still_running("batch-42")),
         "415": errors["415"], "422": errors["422"]},
        parameters=IDEMPOTENT,
        body={"required": True, "content": {"application/json": {
            "schema": ref("schemas", "BulkAssignRequest"),
            "examples": {"two": {"summary": "Two assignments", "value": {"assignments": [
                {"flowId": "flow_123abc", "userEmail": "employee@company.com", "priority": "high"},
                {"flowId": "flow_sec101", "userEmail": "manager@royalenfield.com", "dueDate": "2024-12-31"}]}}}}}})
    return {"/v1/flows/assign": {"post": assign}, "/v1/flows/assign/bulk": {"post": bulk}}


def _flow_paths():
    listing = _op(FLOWS, "listFlows", "List active flows", "Your organisation's active flows, by name.",
                  {"200": integrator_ok("The flows.", "FlowList")})
    detail = _op(FLOWS, "getFlow", "Get a flow with its modules", "Archived flows can be read too.",
                 {"200": integrator_ok("The flow.", "FlowDetail"),
                  "404": integrator_error("No such flow in your organisation.", "Seed404Flow")},
                 parameters=("flowId",))
    return {"/v1/flows": {"get": listing}, "/v1/flows/{flowId}": {"get": detail}}


def _assignment_paths():
    not_found = integrator_error("No such assignment in your organisation.",
                                 ("Unknown assignment", NotFound.code,
                                  access.assignment_not_found("asgn_789xyz").message))
    listing = _op(
        ASSIGNMENTS, "listAssignments", "List assignments, one page at a time",
        "Newest first. Follow `nextCursor` until it is null.",
        {"200": integrator_ok("One page.", "AssignmentList"),
         "400": integrator_validation(("Bad status", ValidationFailed.code,
                                       problems(("status", queries.STATUS_PROBLEM))))},
        parameters=("userEmailFilter", "personSearch", "flowIdFilter", "statusFilter", "assignmentCursor",
                    "assignmentLimit"))
    detail = _op(ASSIGNMENTS, "getAssignment", "Get an assignment",
                 "With its progress module by module: quiz scores and sign-offs included.",
                 {"200": integrator_ok("The assignment.", "AssignmentDetail"), "404": not_found},
                 parameters=("assignmentId",))
    return {"/v1/assignments": {"get": listing},
            "/v1/assignments/{assignmentId}": {"get": detail, "patch": _change_due_date(not_found)},
            "/v1/assignments/{assignmentId}/cancel": {"post": _cancel(not_found)},
            "/v1/assignments/{assignmentId}/remind": {"post": _remind(not_found)},
            "/v1/assignments/{assignmentId}/reassign": {"post": _reassign(not_found)},
            "/v1/assignments/bulk": {"post": _change_many()}}


def _closed(cannot, key):
    return integrator_error(
        "The assignment is closed (completed or cancelled), or a request with the same idempotency key is still "
        "running.", ("Closed", Conflict.code, managing.closed("asgn_789xyz", AssignmentStatus.COMPLETED, cannot)),
        still_running(key))


def _cancel(not_found):
    errors = _idempotency_errors()
    return _op(
        ASSIGNMENTS, "cancelAssignment", "Cancel an assignment",
        "Only an open (assigned or in progress) assignment can be cancelled. The body is optional: "
        "`{\"reason\": \"...\"}` is kept in the assignment's history, told to the assignee and sent with "
        "`flow.cancelled`.",
        {"200": integrator_ok("Cancelled: the assignment.", "Assignment", replayable=True), "404": not_found,
         "400": integrator_validation(("Reason too long", ValidationFailed.code,
                                       problems(("reason", REASON_TOO_LONG)))),
         "409": integrator_error("The assignment is already closed, or a request with the same idempotency key "
                                 "is still running.",
                                 ("Closed", Conflict.code,
                                  services.not_cancellable("asgn_789xyz", AssignmentStatus.COMPLETED)),
                                 still_running("cancel-1")),
         "415": errors["415"], "422": errors["422"]},
        parameters=("assignmentId", *IDEMPOTENT),
        body=_inline_body("CancelAssignmentRequest", required=False, examples={
            "reason": {"summary": "With a reason", "value": {"reason": "Moved to another team"}}}))


def _change_due_date(not_found):
    errors = _idempotency_errors()
    return _op(
        ASSIGNMENTS, "updateAssignment", "Change an assignment's due date",
        "Only `dueDate` can be changed, on an open assignment, and not to a moment in the past (a date means the "
        "end of that day in UTC, so today is fine). The assignee is told (`flow.due_date_changed`); it is "
        "announced as overdue again if the new date passes, and the automatic reminders count from the new "
        "date. The same date again changes nothing.",
        {"200": integrator_ok("The assignment with its new due date.", "Assignment", replayable=True),
         "400": integrator_validation(
             ("In the past", ValidationFailed.code, problems(("dueDate", DUE_DATE_IN_THE_PAST))),
             ("Not a date", ValidationFailed.code, problems(("dueDate", DUE_DATE_PROBLEM))),
             ("Another field", ValidationFailed.code, problems(("priority", cannot_change("priority"))))),
         "404": not_found, "409": _closed(managing.CANNOT_REDATE, "redate-1"), "415": errors["415"],
         "422": errors["422"]},
        parameters=("assignmentId", *IDEMPOTENT), body=_inline_body("UpdateAssignmentRequest", examples={
            "date": {"summary": "A new due date", "value": {"dueDate": "2025-01-31"}}}))


def _remind(not_found):
    errors = _idempotency_errors()
    waiting = managing.RemindedRecently("employee@company.com", timedelta(minutes=12), timedelta(minutes=48))
    return _op(
        ASSIGNMENTS, "remindAssignment", "Remind the assignee now",
        f"Sends the assignee a notification and an email (`flow.reminded`, `reminderType` `manual`). At most one "
        f"reminder per assignment every {int(rules.REMIND_EVERY.total_seconds() // 60)} minutes (the automatic "
        "ones count too); an open assignment only. No body.",
        {"200": integrator_ok("Reminded: the assignment (`lastRemindedAt` is now).", "Assignment", replayable=True),
         "404": not_found, "409": _closed(managing.CANNOT_REMIND, "remind-1"), "422": errors["422"],
         "429": integrator_error("Reminded too recently (`retry_after` says when another may go), or this key "
                                 "used up its requests for the current minute.",
                                 ("Too soon", waiting.code, waiting.message, waiting.extra), "Seed429")},
        parameters=("assignmentId", *IDEMPOTENT))


def _reassign(not_found):
    errors = _idempotency_errors()
    return _op(
        ASSIGNMENTS, "reassignAssignment", "Give an assignment to someone else",
        "A new assignment of the same flow (its current version), due date, priority and notes for `userEmail`; "
        "the old one is cancelled \"Reassigned to <name>\" (`flow.cancelled` with `reassignedTo`, then "
        "`flow.assigned`). Progress does not move. Only an open assignment; all or nothing.",
        {"201": integrator_ok("Reassigned: the new assignment.", "ReassignedAssignment", replayable=True),
         "400": integrator_validation(("Not an email", ValidationFailed.code,
                                       problems(("userEmail", managing.NEW_PERSON_PROBLEM)))),
         "404": not_found, "409": _closed(managing.CANNOT_REASSIGN, "reassign-1"), "415": errors["415"],
         "422": errors["422"]},
        parameters=("assignmentId", *IDEMPOTENT), body=_inline_body("ReassignAssignmentRequest", examples={
            "person": {"summary": "To a colleague", "value": {"userEmail": "sam.lee@company.com"}}}))


def _change_many():
    errors = _idempotency_errors()
    return _op(
        ASSIGNMENTS, "changeAssignments", "Cancel, re-date or remind several assignments",
        f"Up to {rules.MAX_BULK_CHANGES} at once. Each goes through the same checks, history line and event as "
        "its own endpoint, and is changed or refused on its own: a closed one or one reminded too recently is a "
        "result with `success: false` and the others still change. A missing `reason` (cancel), a bad `dueDate` "
        "(redate) or a bad list refuses the whole request.",
        {"200": integrator_ok("A result per assignment.", "BulkChangeResponse", replayable=True),
         "400": integrator_validation(
             ("No reason", ValidationFailed.code, problems(("reason", REASON_REQUIRED))),
             ("Bad list", ValidationFailed.code, problems(("assignmentIds", bulk.IDS_PROBLEM)))),
         "409": integrator_error("A request with the same idempotency key is still running.",
                                 still_running("bulk-1")),
         "415": errors["415"], "422": errors["422"]},
        parameters=IDEMPOTENT, body=_inline_body("BulkChangeRequest", examples={
            "cancel": {"summary": "Cancel two", "value": {"action": "cancel", "assignmentIds": [
                "asgn_789xyz", "asgn_4fQ2mZ8kLp1x"], "reason": "Left the company"}},
            "redate": {"summary": "Give three more time", "value": {"action": "redate", "dueDate": "2025-02-28",
                                                                    "assignmentIds": ["asgn_789xyz"]}}}))


def _inline_body(schema_name, required=True, examples=None):
    return {"required": required, "content": {"application/json": {"schema": ref("schemas", schema_name),
                                                                    "examples": examples or {}}}}


def integrator_paths():
    return {**_assign_paths(), **_flow_paths(), **_assignment_paths(), **schedule_parts.schedule_paths()}
