"""``paths`` and ``components`` for bulk decisions (``POST /api/v1/workflows/decisions``)."""

from momoflow.errors import ValidationFailed
from momoflow.openapi.common import (
    api_throttled,
    api_unauthorized,
    api_validation,
    example,
    json_request,
    json_response,
    obj,
    problems,
    schema,
    text,
)
from momoflow.workflows import bulk, refusals, rules
from momoflow.workflows.access import REQUEST_NOT_FOUND
from momoflow.workflows.models import LevelStatus, RequestStatus

TAG = "Decisions"
UUID = {"type": "string", "format": "uuid"}
ACTIONS = {"type": "string", "enum": list(bulk.DECIDERS)}
OUTCOMES = (bulk.APPLIED, bulk.SKIPPED, bulk.FAILED)
INVALID = ValidationFailed.title

REQUEST_IDS = ["0b5e7c1a-3f2d-4c8e-9a61-2d4f6b8e0c11", "5d2a9e47-8c13-4b6f-a0d2-7e9c1b3f5a20",
               "9c4f1d2e-6a7b-4e3c-8d15-0f2a4c6e8b31", "c7e1a3b5-d9f2-4a6c-b8e0-1d3f5a7c9e42"]
LEVEL_IDS = ["1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c51", "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d62",
             "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e73", "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f84"]


def schemas():
    decision = obj({
        "requestId": UUID, "levelId": UUID, "action": ACTIONS,
        "comments": {"type": ["string", "null"], "maxLength": rules.MAX_COMMENT_LENGTH,
                     "description": "Optional to approve, required to reject (else that item fails)."},
    }, ["requestId", "levelId", "action"], additionalProperties=False)
    outcome = obj({
        "requestId": UUID, "levelId": UUID, "action": ACTIONS,
        "outcome": {"type": "string", "enum": list(OUTCOMES),
                    "description": "`applied`: decided; `skipped`: it had moved on (the level was decided, you "
                                   "had decided, it is not current, the request closed or the task was handed "
                                   "over); `failed`: not yours, not found, or invalid (see `error`)."},
        "status": {"type": ["string", "null"], "enum": [status.value for status in RequestStatus] + [None],
                   "description": "The request's status after this item; null when you cannot see the request."},
        "error": text("Why it was skipped or failed (absent when applied)."),
    }, ["requestId", "levelId", "action", "outcome", "status"])
    counts = obj({name: {"type": "integer", "minimum": 0} for name in OUTCOMES}, list(OUTCOMES))
    return {
        "BulkDecision": decision,
        "BulkDecisionsRequest": obj({
            "decisions": {"type": "array", "items": schema("BulkDecision"), "minItems": 1,
                          "maxItems": bulk.MAX_DECISIONS,
                          "description": "One per level: the same (requestId, levelId) twice is refused."},
            "dryRun": {"type": "boolean", "default": False,
                       "description": "Report what would happen and change nothing (no events either)."},
        }, ["decisions"]),
        "BulkOutcome": outcome,
        "BulkDecisionsResponse": obj({
            "success": {"const": True},
            "message": text("How many were applied, skipped and failed."),
            "data": obj({"dryRun": {"type": "boolean"}, "summary": counts,
                         "results": {"type": "array", "items": schema("BulkOutcome"),
                                     "description": "One per decision, in the order sent."}},
                        ["dryRun", "summary", "results"]),
        }, ["success", "data"]),
    }


def _item(n, action, **more):
    return {"requestId": REQUEST_IDS[n], "levelId": LEVEL_IDS[n], "action": action, **more}


def _result(n, action, outcome, status, error=None):
    result = {**_item(n, action), "outcome": outcome, "status": status}
    if error:
        result["error"] = error
    return result


def _examples():
    body = {"decisions": [_item(0, "approve", comments="Within budget"), _item(1, "reject", comments="Over budget"),
                          _item(2, "approve"), _item(3, "approve")]}
    results = [_result(0, "approve", bulk.APPLIED, RequestStatus.APPROVED.value),
               _result(1, "reject", bulk.APPLIED, RequestStatus.REJECTED.value),
               _result(2, "approve", bulk.SKIPPED, RequestStatus.PENDING.value,
                       refusals.already_decided(1, LevelStatus.APPROVED)),
               _result(3, "approve", bulk.FAILED, None, REQUEST_NOT_FOUND)]
    answer = {"success": True, "message": "2 applied, 1 skipped, 1 failed",
              "data": {"dryRun": False, "summary": {bulk.APPLIED: 2, bulk.SKIPPED: 1, bulk.FAILED: 1},
                       "results": results}}
    return body, answer


def paths():
    body, answer = _examples()
    request_body = json_request("BulkDecisionsRequest")
    request_body["content"]["application/json"]["examples"] = {"mixed": example("Four decisions", body)}
    operation = {
        "tags": [TAG], "operationId": "decideMany", "summary": "Approve or reject many levels at once",
        "description": f"Up to {bulk.MAX_DECISIONS} decisions, each taken exactly as the single approve or "
                       "reject would take it (same checks, activity and notifications) and on its own: one that "
                       "is refused changes nothing and stops nothing. The answer has a result per decision. "
                       "`dryRun: true` answers what would happen and changes nothing. Limited per person "
                       "(the inbox page's bulk bar counts too); beyond it, 429 with `Retry-After`.",
        "security": [{"bearerAuth": []}],
        "requestBody": request_body,
        "responses": {
            "200": json_response("A result per decision.", "BulkDecisionsResponse",
                                 inline_examples={"mixed": example("Applied, skipped and failed", answer)}),
            "400": api_validation(
                ("Not a list", INVALID, problems(("decisions", bulk.DECISIONS_PROBLEM))),
                ("Bad action", INVALID, problems(("decisions.3.action", f"decisions.3.action {bulk.ACTION_PROBLEM}"))),
                ("Twice", INVALID, problems(("decisions.2", bulk.repeated("decisions.2", 0))))),
            "401": api_unauthorized(),
            "429": api_throttled("Too many bulk decisions by this person just now."),
        },
    }
    return {"/api/v1/workflows/decisions": {"post": operation}}
