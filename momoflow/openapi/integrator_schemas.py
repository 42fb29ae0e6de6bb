"""``components/schemas`` for the integrator Flow Assignment API (``/v1``).

Field names follow ``momoflow.flows.schemas`` and limits ``momoflow.flows.rules``.
"""

from momoflow.flows import rules
from momoflow.flows.models import AssignmentStatus, FlowStatus, Priority
from momoflow.flows.schemas import ASSIGNED
from momoflow.openapi import seed_examples as seed
from momoflow.openapi.common import moment, nullable, obj, schema, text
from momoflow.openapi.schedule_parts import schedule_schemas
from momoflow.openapi.report_paths import module_progress_schema

EMAIL = {"type": "string", "format": "email"}
FLOW_ID = text("The flow's public id.", examples=["flow_123abc"])
ASSIGNMENT_ID = text("The assignment's public id; keep it for later calls.", examples=["asgn_789xyz"])


def _values(enum):
    return [member.value for member in enum]


def _requests():
    return {
        "AssignRequest": obj({
            "flowId": {**FLOW_ID, "maxLength": 100},
            "userEmail": {**EMAIL, "description": "The assignee: a person in your organisation or its directory."},
            "dueDate": {"type": ["string", "null"],
                        "description": "ISO 8601 with a time zone (`2024-11-25T23:59:59Z`), or a date meaning "
                                       "the end of that day in UTC. A past date is accepted (back-filling) and "
                                       "the assignment is overdue at once."},
            "priority": {"type": "string", "enum": _values(Priority), "default": Priority.MEDIUM.value},
            "notes": {"type": ["string", "null"], "maxLength": rules.MAX_NOTES_LENGTH,
                      "description": "Additional notes for the assignee."},
        }, ["flowId", "userEmail"], examples=[seed.ASSIGN_REQUEST]),
        "UpdateAssignmentRequest": obj({
            "dueDate": {"type": "string", "description": "The new due date: ISO 8601 with a time zone, or a date "
                                                         "meaning the end of that day in UTC; not in the past."},
        }, ["dueDate"], additionalProperties=False),
        "CancelAssignmentRequest": obj({
            "reason": {"type": ["string", "null"], "maxLength": rules.MAX_REASON_LENGTH,
                       "description": "Why it is cancelled: kept in its history, told to the assignee."},
        }),
        "ReassignAssignmentRequest": obj({
            "userEmail": {**EMAIL, "description": "The new assignee: a person in your organisation or its directory, "
                                                  "not the current one."},
        }, ["userEmail"]),
        "BulkChangeRequest": obj({
            "action": {"type": "string", "enum": ["cancel", "redate", "remind"]},
            "assignmentIds": {"type": "array", "minItems": 1, "maxItems": rules.MAX_BULK_CHANGES,
                              "items": {"type": "string"}, "description": "Each id once; repeats count once."},
            "reason": {"type": ["string", "null"], "maxLength": rules.MAX_REASON_LENGTH,
                       "description": "`cancel` only, and required for it: one reason for all of them."},
            "dueDate": {"type": "string", "description": "`redate` only, and required for it: the new due date "
                                                         "(as `PATCH /v1/assignments/{assignmentId}` takes it)."},
        }, ["action", "assignmentIds"]),
        "BulkAssignRequest": obj({
            "assignments": {"type": "array", "minItems": 1, "maxItems": rules.MAX_BULK_ITEMS,
                            "items": schema("AssignRequest"),
                            "description": "Each item as for `POST /v1/flows/assign`."},
        }, ["assignments"]),
    }


def _responses():
    return {
        "AssignResponse": obj({
            "success": {"const": True},
            "assignmentId": ASSIGNMENT_ID,
            "message": {"const": ASSIGNED},
            "details": obj({
                "assignedAt": moment("When it was assigned (UTC, `Z`)."),
                "assigneeEmail": EMAIL,
                "flowName": {"type": "string"},
                "moduleCount": {"type": "integer", "minimum": 0},
                "estimatedDuration": text("The modules' total, in words.", examples=["2 hours", "1 hour 30 minutes"]),
            }, ["assignedAt", "assigneeEmail", "flowName", "moduleCount", "estimatedDuration"]),
        }, ["success", "assignmentId", "message", "details"], examples=[seed.ASSIGN_RESPONSE]),
        "BulkAssignResult": obj({
            "index": {"type": "integer", "minimum": 0, "description": "The item's position in `assignments`."},
            "success": {"type": "boolean"},
            "assignmentId": text("The new assignment or, for `already_assigned`, the existing one."),
            "userEmail": EMAIL,
            "flowId": FLOW_ID,
            "error": text("On failure: the error code a single assign would give (`not_found`, "
                          "`validation_error`, `already_assigned`, `conflict`)."),
            "message": text("On failure: what is wrong."),
        }, ["index", "success"]),
        "BulkChangeResponse": obj({
            "success": {"type": "boolean", "description": "True when every assignment was changed."},
            "changed": {"type": "integer", "minimum": 0},
            "failed": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "description": "One per distinct id, in the order sent.", "items": obj({
                "assignmentId": {"type": "string"}, "success": {"type": "boolean"},
                "message": text("On failure: why this one was not changed (closed, reminded too recently, "
                                "not found…)."),
            }, ["assignmentId", "success"])},
        }, ["success", "changed", "failed", "results"]),
        "BulkAssignResponse": obj({
            "success": {"type": "boolean", "description": "True when every item was assigned."},
            "assigned": {"type": "integer", "minimum": 0},
            "failed": {"type": "integer", "minimum": 0},
            "results": {"type": "array", "items": schema("BulkAssignResult"), "description": "One per item, in order."},
        }, ["success", "assigned", "failed", "results"]),
    }


def _flows():
    flow = {
        "flowId": FLOW_ID,
        "name": {"type": "string"},
        "description": {"type": "string"},
        "status": {"type": "string", "enum": _values(FlowStatus)},
        "version": {"type": "integer", "minimum": 1,
                    "description": "The version new assignments get. Adding, removing or reordering modules "
                                   "after someone has started makes the next one; `moduleCount`, "
                                   "`estimatedMinutes` and `modules` are this version's."},
        "moduleCount": {"type": "integer", "minimum": 0},
        "estimatedMinutes": {"type": "integer", "minimum": 0},
        "estimatedDuration": text("`estimatedMinutes` in words.", examples=["2 hours"]),
        "createdAt": moment("When the flow was created."),
    }
    module = obj({"position": {"type": "integer", "minimum": 1}, "title": {"type": "string"},
                  "estimatedMinutes": {"type": "integer", "minimum": 0}},
                 ["position", "title", "estimatedMinutes"])
    return {
        "Flow": obj(flow, list(flow)),
        "FlowDetail": obj({**flow, "modules": {"type": "array", "items": schema("FlowModule"),
                                                "description": "In the order they are done."}},
                          [*flow, "modules"]),
        "FlowModule": module,
        "FlowList": obj({"data": {"type": "array", "items": schema("Flow")}}, ["data"]),
    }


def _assignments():
    assignment = {
        "assignmentId": ASSIGNMENT_ID,
        "flowId": FLOW_ID,
        "flowName": {"type": "string"},
        "flowVersion": {"type": "integer", "minimum": 1,
                        "description": "The version of the flow this assignment walks: the one it was given, "
                                       "kept once started even when the flow changes."},
        "userEmail": EMAIL,
        "status": {"type": "string", "enum": _values(AssignmentStatus),
                   "description": "`overdue`: still open and past its due date."},
        "dueDate": moment("The due date (UTC).", True),
        "priority": {"type": "string", "enum": _values(Priority)},
        "notes": nullable("string"),
        "progress": obj({"completedModules": {"type": "integer", "minimum": 0},
                         "totalModules": {"type": "integer", "minimum": 0},
                         "percent": {"type": "integer", "minimum": 0, "maximum": 100}},
                        ["completedModules", "totalModules", "percent"]),
        "assignedAt": moment("When it was assigned."),
        "startedAt": moment("When the assignee started.", True),
        "completedAt": moment("When the last module was done.", True),
        "cancelledAt": moment("When it was cancelled.", True),
        "lastRemindedAt": moment("When the assignee was last reminded (by hand or automatically).", True),
        "sourceRequestId": nullable("string", format="uuid",
                                    description="The approved request that assigned it (its `requestId`, as "
                                                "`/api/v1/workflows` shows it); null when it was assigned "
                                                "otherwise."),
        "sourceRequestNumber": nullable("string", description="That request's number.",
                                        examples=["REQ-2026-12-0004"]),
    }
    by_key = obj({"type": {"const": "api_key"}, "name": text("The API key's name.")}, ["type", "name"])
    by_request = obj({"type": {"const": "request"},
                      "name": text("`request` and its number.", examples=["request REQ-2026-12-0004"])},
                     ["type", "name"])
    by_person = obj({"type": {"const": "user"}, "email": EMAIL, "name": {"type": "string"}}, ["type", "email", "name"])
    return {
        "Assignment": obj(assignment, list(assignment)),
        "AssignmentEvent": obj({
            **assignment,
            "assignedBy": {"oneOf": [by_key, by_request, {"type": "null"}],
                           "description": "An integrator's key, or the approved request that assigned it; null "
                                          "when a person did (the event's actor) or a schedule they set up."},
            "cancelledBy": {"oneOf": [by_person, by_key, by_request, {"type": "null"}],
                            "description": "`flow.cancelled` only: who cancelled it."},
            "reason": nullable("string", description="`flow.cancelled` only: why (null when an integrator gave "
                                                     "none)."),
            "reassignedTo": obj({"assignmentId": ASSIGNMENT_ID, "userEmail": EMAIL, "name": {"type": "string"}},
                                ["assignmentId", "userEmail", "name"],
                                description="`flow.cancelled` of a reassignment only: the new assignment."),
            "previousDueDate": moment("`flow.due_date_changed` only: the due date before.", True),
            "changedBy": {"oneOf": [by_person, by_key, {"type": "null"}],
                          "description": "`flow.due_date_changed` only: who moved it."},
            "reminderType": {"enum": ["manual", "before_due", "overdue"],
                             "description": "`flow.reminded` only: by hand, before the due date, or after it."},
            "daysBefore": {"type": ["integer", "null"], "minimum": 1,
                           "description": "`flow.reminded` `before_due` only: which of the organisation's "
                                          "reminders this is."},
            "remindedBy": {"oneOf": [by_person, by_key, {"type": "null"}],
                           "description": "`flow.reminded` only: who sent it by hand; null when automatic."},
        }, [*assignment, "assignedBy"], description="The `data` of `flow.*` webhooks: the assignment as "
                                                    "`GET /v1/assignments/{assignmentId}` shows it, and who "
                                                    "assigned it."),
        "AssignmentDetail": obj({
            **assignment,
            "moduleProgress": {"type": "array", "items": module_progress_schema(),
                               "description": "Every module of the flow's version this assignment walks, in "
                                              "order, with quiz scores and sign-offs where the module has them."},
        }, [*assignment, "moduleProgress"]),
        "ReassignedAssignment": obj({
            **assignment,
            "reassignedFrom": text("The assignment it replaces, now cancelled.", examples=["asgn_789xyz"]),
        }, [*assignment, "reassignedFrom"]),
        "AssignmentList": obj({"data": {"type": "array", "items": schema("Assignment")},
                               "nextCursor": nullable("string", description="Send as `cursor` for the next page; "
                                                                            "null on the last page.")},
                              ["data", "nextCursor"]),
    }


def _errors():
    return {
        "IntegratorError": obj({
            "error": text("A machine-readable code: `unauthorized`, `validation_error`, `not_found`, "
                          "`already_assigned`, `request_in_progress`, `idempotency_key_reused`, …"),
            "message": text("What is wrong, for people."),
            "assignmentId": text("With `already_assigned`: the assignment the user already has open."),
            "retry_after": {"type": "integer", "minimum": 1,
                            "description": "With a 429: whole seconds until the request will be accepted."},
        }, ["error", "message"], examples=[seed.UNAUTHORIZED, seed.FLOW_NOT_FOUND, seed.USER_NOT_FOUND]),
        "RateLimitError": obj({
            "error": {"const": "rate_limit_exceeded"},
            "message": {"type": "string"},
            "retry_after": {"type": "integer", "minimum": 1,
                            "description": "Whole seconds until a request will be accepted."},
        }, ["error", "message", "retry_after"], examples=[seed.RATE_LIMITED]),
    }


def integrator_schemas():
    return {**_requests(), **_responses(), **_flows(), **_assignments(), **schedule_schemas(), **_errors()}
