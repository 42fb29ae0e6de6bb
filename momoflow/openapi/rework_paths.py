"""``paths`` and schemas for sending a request back for rework and resubmitting it."""

from momoflow.errors import ValidationFailed
from momoflow.accounts.models import Organization
from momoflow.openapi.approval_paths import DECISIONS, WORKFLOWS, _op
from momoflow.openapi.common import (
    api_error,
    api_validation,
    directory_unavailable,
    json_request,
    json_response,
    obj,
    request_not_found,
    schema,
    text,
)
from momoflow.workflows import api, returning, resubmitting, rules
from momoflow.workflows.models import DocumentCategory, Priority, RequestStatus
from momoflow.workflows.validation import RETURN_NEEDS_COMMENTS, RETURN_TARGET_PROBLEM, TO_INITIATOR

INVALID = ValidationFailed.title
DEFAULT_LIMIT = Organization.max_revisions.default.arg


def paths():
    return_title, resubmit_title = api.RETURN_FAILED, api.RESUBMIT_FAILED
    send_back = _op(
        DECISIONS, "returnRequest", "Send a request back for changes",
        "Instead of approving or rejecting, the holder of an undecided task on the current level returns the "
        "request with a comment: to the initiator (`to` absent or `INITIATOR`), or to an earlier level whose "
        "approvers must look again after the changes. The request becomes `RETURNED`: no level runs, so no TAT "
        "clock runs and it leaves every inbox; the other approvers' tasks on the level close as SUPERSEDED. "
        "The initiator changes it and resubmits it (next round) or withdraws it. An organisation allows "
        f"`maxRevisions` returns per request (default {DEFAULT_LIMIT}); the next return is refused: reject instead.",
        {"200": json_response("Returned: the whole request.", "WorkflowResponse"),
         "400": api_validation(("No comment", INVALID, f"comments: {RETURN_NEEDS_COMMENTS}"),
                               ("Bad target", INVALID, f"to: {RETURN_TARGET_PROBLEM}"),
                               ("Not earlier", return_title, returning.earlier_level_only(2))),
         "403": api_error("Not an approver of this level.",
                          ("Not yours", return_title, "Only an approver of level 1 can return it")),
         "404": request_not_found(return_title),
         "409": api_error("The level is not waiting on you, the request is not pending, or it was returned as "
                          "often as the organisation allows.",
                          ("Limit", return_title, returning.revision_limit_reached(DEFAULT_LIMIT)))},
        parameters=("requestId", "levelId"), body=json_request("ReturnRequest"))
    resubmit = _op(
        WORKFLOWS, "resubmitRequest", "Resubmit a returned request",
        "The initiator sends the changed request on: the next round starts at `resumeLevel` (the level that "
        "returned it, the level named in `to`, or level 1 where the organisation says every round starts "
        "there). Levels before it keep their decisions; from it on, tasks and deadlines start afresh. Send only "
        "what changed, in the create format; `approvalLevels` are the levels from `resumeLevel` on and replace "
        "them (without it, the same approvers decide again). As multipart (`payload` + `files` + `category`) "
        "it also attaches files. The resubmission's activity line lists each change with its old and new value.",
        {"200": json_response("Resubmitted: the whole request, in its new round.", "WorkflowResponse"),
         "400": api_validation(("Bad field", INVALID, "title: Title is required"),
                               ("Unknown document", resubmit_title, resubmitting.DOCUMENT_NOT_ON_REQUEST)),
         "403": api_error("Not the initiator.", ("Not yours", resubmit_title, resubmitting.ONLY_INITIATOR_RESUBMITS)),
         "404": request_not_found(resubmit_title),
         "409": api_error("The request is not returned.",
                          ("Not returned", resubmit_title, resubmitting.not_returned(RequestStatus.PENDING))),
         "503": directory_unavailable("api")},
        parameters=("requestId",),
        body={"required": True, "content": {
            "application/json": {"schema": schema("ResubmitRequest")},
            "multipart/form-data": {"schema": schema("ResubmitMultipart")}}})
    return {"/api/v1/workflows/{requestId}/levels/{levelId}/return": {"post": send_back},
            "/api/v1/workflows/{requestId}/resubmit": {"post": resubmit}}


def schemas():
    return {
        "ReturnRequest": obj({
            "comments": text("What should change (required; the initiator reads it).", minLength=1,
                             maxLength=rules.MAX_COMMENT_LENGTH),
            "to": {"oneOf": [{"const": TO_INITIATOR},
                             {"type": "integer", "minimum": 1, "maximum": rules.MAX_LEVELS - 1}],
                   "default": TO_INITIATOR,
                   "description": "`INITIATOR`, or an earlier level number whose approvers look again."},
        }, ["comments"]),
        "ResubmitRequest": obj({
            "title": text("New title.", maxLength=rules.MAX_TITLE_LENGTH),
            "description": text("New description.", maxLength=rules.MAX_DESCRIPTION_LENGTH),
            "priority": {"type": "string", "enum": [p.value for p in Priority]},
            "approvalLevels": {"type": "array", "minItems": 1, "maxItems": rules.MAX_LEVELS,
                               "items": schema("ApprovalLevelInput"),
                               "description": "The levels from `resumeLevel` on, replacing them."},
            "spectators": {"type": "array", "maxItems": rules.MAX_SPECTATORS, "items": schema("SpectatorInput"),
                           "description": "The spectators from now on (replaces the list)."},
            "removeDocuments": {"type": "array", "items": {"type": "string", "format": "uuid"},
                                "description": "Documents to remove (kept on record, no longer shown)."},
            "comments": text("What changed, in the initiator's words.", maxLength=rules.MAX_COMMENT_LENGTH),
        }),
        "ResubmitMultipart": obj({
            "payload": {"type": "string", "contentMediaType": "application/json",
                        "contentSchema": schema("ResubmitRequest"), "description": "The changes as JSON text."},
            "files": {"type": "array", "maxItems": rules.MAX_FILES,
                      "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                      "description": "Files to add."},
            "category": {"type": "string", "enum": [c.value for c in DocumentCategory],
                         "default": DocumentCategory.SUPPORTING.value},
        }, ["payload"]),
    }
