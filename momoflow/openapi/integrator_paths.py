"""``paths`` for the integrator Flow Assignment API (``/v1``)."""

from momoflow import search
from momoflow.api import NOT_JSON
from momoflow.errors import Conflict, NotFound, ValidationFailed
from momoflow.flows import access, queries, rules, services
from momoflow.flows.api import BULK_SIZE_PROBLEM
from momoflow.flows.models import AssignmentStatus
from momoflow.flows.validation import DUE_DATE_PROBLEM, EMAIL_PROBLEM
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
    errors = _idempotency_errors()
    cancel = _op(
        ASSIGNMENTS, "cancelAssignment", "Cancel an assignment",
        "Only an open (assigned or in progress) assignment can be cancelled. No body.",
        {"200": integrator_ok("Cancelled: the assignment.", "Assignment", replayable=True), "404": not_found,
         "409": integrator_error("The assignment is already closed, or a request with the same idempotency key "
                                 "is still running.",
                                 ("Closed", Conflict.code,
                                  services.not_cancellable("asgn_789xyz", AssignmentStatus.COMPLETED)),
                                 still_running("cancel-1")),
         "422": errors["422"]},
        parameters=("assignmentId", *IDEMPOTENT))
    return {"/v1/assignments": {"get": listing}, "/v1/assignments/{assignmentId}": {"get": detail},
            "/v1/assignments/{assignmentId}/cancel": {"post": cancel}}


def integrator_paths():
    return {**_assign_paths(), **_flow_paths(), **_assignment_paths(), **schedule_parts.schedule_paths()}
