"""``components/schemas`` for the approval workflow API (``/api/v1``).

Field names and limits come from ``momoflow.workflows`` (schemas.py, validation.py,
rules.py); the enums are read from the models so a new status shows up here too.
"""

from momoflow.accounts.models import Role
from momoflow.openapi import seed_examples as seed
from momoflow.openapi.common import moment, nullable, obj, schema, text
from momoflow.workflows import queries, rules
from momoflow.workflows.models import (
    ApprovalMode,
    BreachAction,
    DocumentCategory,
    LevelStatus,
    ParticipantType,
    Priority,
    RejectionPolicy,
    RequestStatus,
    TaskReason,
    TaskStatus,
    TemplateType,
)

UUID = {"type": "string", "format": "uuid"}
EMAIL = {"type": "string", "format": "email"}


def _enum(enum, description):
    return {"type": "string", "enum": [member.value for member in enum], "description": description}


def _ok(data, description, message=True, **extra_properties):
    properties = {"success": {"const": True}}
    if message:
        properties["message"] = text("What was done, e.g. \"Workflow created successfully\".")
    properties["data"] = {**data, "description": description}
    properties.update(extra_properties)
    return obj(properties, ["success", "data"])


def _people():
    return {
        "User": obj({
            "userId": UUID, "email": EMAIL, "displayName": text("Name from the directory."),
            "designation": nullable("string", description="Job title, e.g. \"Manager\"."),
            "department": nullable("string"),
            "role": _enum(Role, "What this person may do in MomoFlow."),
        }, ["userId", "email", "displayName", "designation", "department", "role"]),
        "Person": obj({"userId": UUID, "email": EMAIL, "displayName": {"type": "string"}},
                      ["userId", "email", "displayName"]),
    }


def _auth():
    return {
        "LoginRequest": obj({"email": {**EMAIL, "description": "Work email (or, with Active Directory, "
                                                                 "userPrincipalName)."},
                             "password": {"type": "string", "minLength": 1}},
                            ["email", "password"], examples=[seed.LOGIN_REQUEST, seed.LOGIN_FLOW_REQUEST]),
        "LoginResponse": _ok(obj({"token": text("A signed JWT; send it as `Authorization: Bearer <token>`."),
                                  "user": schema("User")}, ["token", "user"]),
                             "The token and who it belongs to.", message=False)
        | {"examples": [seed.LOGIN_RESPONSE]},
        "MeResponse": _ok(obj({"user": schema("User")}, ["user"]), "The signed-in person.", message=False),
    }


def _inputs():
    tat = {"type": "number", "exclusiveMinimum": 0, "maximum": int(rules.MAX_TAT_HOURS),
           "description": "Turn-around time in calendar hours (rounded to 0.01)."}
    level_name = text("Custom level name; by default \"{Designation} Approval\", \"{Department} Approval\" "
                      "or \"Level {N} Approval\".", maxLength=rules.MAX_LEVEL_NAME_LENGTH)
    rule = _level_rule_inputs()
    return {
        "ApprovalLevelInput": obj({
            "email": {**EMAIL, "description": "The approver, found in the company directory (the seed's "
                                              "one-approver level). Give either this or `approvers`."},
            "approvers": {"type": "array", "minItems": 1, "maxItems": rules.MAX_APPROVERS_PER_LEVEL,
                          "items": schema("SpectatorInput"),
                          "description": "Several approvers for the level; each person at most once per request."},
            "tatHours": tat,
            "isFinalApprover": {"type": "boolean", "description": "Approving this level approves the request; "
                                                                  "by default only the last level is final."},
            "levelName": level_name, **rule,
        }, ["tatHours"]) | {"oneOf": [{"required": ["approvers"]}, {"required": ["email"]}]},
        "SpectatorInput": obj({"email": EMAIL}, ["email"]),
        "CreateWorkflowRequest": obj({
            "templateType": _enum(TemplateType, "Workflow type: CUSTOM here; TEMPLATE takes the other form "
                                                "(`templateId` and `fields`, no `approvalLevels`)."),
            "title": text("Request title.", maxLength=rules.MAX_TITLE_LENGTH),
            "description": text("Detailed description.", maxLength=rules.MAX_DESCRIPTION_LENGTH),
            "priority": _enum(Priority, "Request priority."),
            "approvalLevels": {"type": "array", "minItems": 1, "maxItems": rules.MAX_LEVELS,
                               "items": schema("ApprovalLevelInput"), "description": "Approvers, in order."},
            "spectators": {"type": "array", "maxItems": rules.MAX_SPECTATORS, "items": schema("SpectatorInput"),
                           "description": "People who may view and comment, but not download."},
        }, ["templateType", "title", "description", "priority", "approvalLevels"],
            examples=[seed.CREATE_SIMPLE, seed.CREATE_EXPRESS, seed.CREATE_LEVEL_NAMES, seed.CREATE_FLOW_REQUEST]),
        "CreateWorkflowMultipart": obj({
            "payload": {"type": "string", "contentMediaType": "application/json",
                        "contentSchema": schema("CreateWorkflowBody"),
                        "description": "The same request as `POST /api/v1/workflows`, as JSON text."},
            "files": {"type": "array", "maxItems": rules.MAX_FILES,
                      "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                      "description": "PDF, Word, Excel, CSV, text, PNG or JPEG, checked by content."},
            "category": {**_enum(DocumentCategory, "What the files are."), "default": DocumentCategory.SUPPORTING.value},
        }, ["payload"], examples=[seed.MULTIPART_FORM], patternProperties={
            r"^fields\.[a-z][a-z0-9_]{0,39}$": {
                "type": "string", "contentMediaType": "application/octet-stream",
                "description": "From a template: the upload of the file field with that key (`fields.quote`)."}}),
        "CreateWorkflowBody": {"oneOf": [schema("CreateWorkflowRequest"), schema("CreateTemplateWorkflowRequest")],
                               "description": "The seed's request with its levels, or a request from a template."},
        "AddApproverAtLevelRequest": obj({
            "email": EMAIL,
            "approvers": {"type": "array", "minItems": 1, "maxItems": rules.MAX_APPROVERS_PER_LEVEL,
                          "items": schema("SpectatorInput"), "description": "Instead of `email`: several approvers."},
            "tatHours": tat,
            "level": {"type": "integer", "minimum": 1, "maximum": rules.MAX_LEVELS,
                      "description": "Where the new level goes; that level and later ones move down."},
            "levelName": level_name, **rule,
        }, ["tatHours", "level"], examples=[seed.AT_LEVEL_REQUEST, seed.AT_LEVEL_FLOW_REQUEST]),
        "ReassignRequest": obj({
            "to": {**EMAIL, "description": "Who takes the task over (never the initiator, nor someone who "
                                           "already has a part in this level)."},
            "reason": text("Why (required; shown in the activity log).", minLength=1,
                           maxLength=rules.MAX_COMMENT_LENGTH),
            "from": {**EMAIL, "description": "Admins only, on one level: whose undecided task to move. Without "
                                             "it, the caller's own task moves."},
        }, ["to", "reason"]),
        "EmailRequest": obj({"email": EMAIL}, ["email"],
                            examples=[seed.APPROVER_REQUEST, seed.SPECTATOR_REQUEST, seed.SPECTATOR_FLOW_REQUEST]),
        "ApproveRequest": obj({"comments": text("Optional remark.", maxLength=rules.MAX_COMMENT_LENGTH)}),
        "RejectRequest": obj({"comments": text("Why (required).", minLength=1, maxLength=rules.MAX_COMMENT_LENGTH)},
                             ["comments"]),
        "WithdrawRequest": obj({"reason": text("Optional reason.", maxLength=rules.MAX_COMMENT_LENGTH)}),
        "CommentRequest": obj({"comment": text("The comment.", minLength=1, maxLength=rules.MAX_COMMENT_LENGTH)},
                              ["comment"]),
    }


def _level_rule_inputs():
    return {
        "approvalMode": {**_enum(ApprovalMode, "ANY: one approval decides; ALL: everyone must approve; "
                                               "QUORUM: at least minApprovals."), "default": "ANY"},
        "minApprovals": {"type": "integer", "minimum": 1, "maximum": rules.MAX_APPROVERS_PER_LEVEL,
                         "description": "QUORUM only: how many approvals decide (at most the number of approvers)."},
        "rejectionPolicy": {**_enum(RejectionPolicy, "VETO: one rejection rejects the level; UNREACHABLE: "
                                                     "rejected once the rule can no longer be reached."),
                            "default": "VETO"},
        "onBreach": {**_enum(BreachAction, "What happens when the TAT passes: NOTIFY (remind and tell the "
                                           "initiator) or ESCALATE (also offer each undecided task to its "
                                           "holder's manager)."), "default": "NOTIFY"},
    }


ROUND = {"type": "integer", "minimum": 1, "description": "The round it belongs to (1 until a resubmission)."}


def _who():
    return {"oneOf": [obj({"email": EMAIL, "name": {"type": "string"}}, ["email", "name"]), {"type": "null"}]}


def _request_parts():
    return {
        "ApprovalTask": obj({
            "taskId": UUID, "email": {**EMAIL, "description": "Who holds the task (may act on it)."},
            "name": {"type": "string"},
            "status": _enum(TaskStatus, "SUPERSEDED: the level was decided (or the request returned) without "
                                        "them; REASSIGNED: handed to someone else (a new task took its place); "
                                        "RETURNED: they sent the request back for changes."),
            "actedAt": moment("When they decided, or handed the task on.", True),
            "comments": nullable("string", description="Their comment (or the reason they reassigned)."),
            "actedBy": {**_who(), "description": "Who decided (the holder, or their manager after an escalation)."},
            "onBehalfOf": {**_who(), "description": "The person the decider stood in for, if anyone."},
            "reason": {"oneOf": [_enum(TaskReason, "Why someone else holds or decided it."), {"type": "null"}]},
            "escalatedTo": {**_who(), "description": "The holder's manager, once the TAT was breached (ESCALATE)."},
            "round": ROUND,
        }, ["taskId", "email", "name", "status", "actedAt", "comments", "actedBy", "onBehalfOf", "reason"]),
        "ApprovalLevel": obj({
            "levelId": UUID, "levelNumber": {"type": "integer", "minimum": 1},
            "levelName": {"type": "string"}, "approverId": UUID, "approverEmail": EMAIL,
            "approverName": {"type": "string"},
            "approvalMode": _enum(ApprovalMode, "How the level is decided."),
            "minApprovals": {"type": "integer", "minimum": 1, "description": "Approvals that decide the level."},
            "rejectionPolicy": _enum(RejectionPolicy, "When rejections reject the level."),
            "onBreach": _enum(BreachAction, "What a breached TAT does."),
            "approvers": {"type": "array", "items": schema("ApprovalTask"),
                          "description": "One task per approver, in order (approverId/Email/Name: the first), "
                                         "of the level's current round."},
            "round": {**ROUND, "description": "The round the level's current tasks belong to."},
            "earlierRounds": {"type": "array", "items": schema("ApprovalTask"),
                              "description": "The level's tasks in rounds before a resubmission, oldest first."},
            "tatHours": {"type": "number", "description": "24 rather than 24.0; 1.5 stays 1.5."},
            "isFinalApprover": {"type": "boolean"},
            "status": _enum(LevelStatus, "IN_PROGRESS is the current level; SKIPPED was never reached."),
            "startedAt": moment("When this level became current.", True),
            "tatDeadline": moment("startedAt plus tatHours.", True),
            "actedAt": moment("When the approver decided.", True),
            "comments": nullable("string", description="The approver's comment."),
        }, ["levelId", "levelNumber", "levelName", "approverId", "approverEmail", "approverName", "tatHours",
            "isFinalApprover", "status", "startedAt", "tatDeadline", "actedAt", "comments"]),
        "Participant": obj({
            "participantId": UUID, "userId": UUID, "userEmail": EMAIL, "userName": {"type": "string"},
            "participantType": _enum(ParticipantType, "How this person takes part."),
            "canComment": {"type": "boolean"}, "canViewDocuments": {"type": "boolean"},
            "canDownloadDocuments": {"type": "boolean"}, "addedAt": moment("When they were added."),
        }, ["participantId", "userId", "userEmail", "userName", "participantType", "canComment",
            "canViewDocuments", "canDownloadDocuments", "addedAt"]),
        "Document": obj({
            "documentId": UUID, "fileName": {"type": "string"}, "contentType": {"type": "string"},
            "size": {"type": "integer", "description": "Bytes."}, "sha256": {"type": "string"},
            "category": _enum(DocumentCategory, "What the file is."), "uploadedBy": schema("Person"),
            "uploadedAt": moment("When it was uploaded."),
            "downloadUrl": nullable("string", description="Set only for people allowed to download."),
        }, ["documentId", "fileName", "contentType", "size", "sha256", "category", "uploadedBy", "uploadedAt",
            "downloadUrl"]),
        "Comment": obj({"commentId": UUID, "comment": {"type": "string"}, "author": schema("Person"),
                        "createdAt": moment("When it was written.")},
                       ["commentId", "comment", "author", "createdAt"]),
        "Activity": obj({"activityId": UUID, "action": text("e.g. workflow.created, level.approved."),
                         "summary": {"type": "string"}, "actor": {"oneOf": [schema("Person"), {"type": "null"}]},
                         "details": nullable("object"), "round": ROUND,
                         "createdAt": moment("When it happened.")},
                        ["activityId", "action", "summary", "actor", "details", "createdAt"]),
    }


def _requests():
    summary_fields = {
        "requestId": UUID,
        "requestNumber": text("REQ-YYYY-MM-NNNN, counting from 1 each month (UTC).", examples=["REQ-2025-12-0001"]),
        "templateType": _enum(TemplateType, "Workflow type."), "title": {"type": "string"},
        "description": {"type": "string"}, "priority": _enum(Priority, "Request priority."),
        "status": _enum(RequestStatus, "CANCELLED means withdrawn by the initiator; RETURNED means an approver "
                                       "sent it back for changes and it waits for the initiator to resubmit it."),
        "currentLevel": nullable("integer", description="The level waiting for a decision; null once closed "
                                                        "or while returned."),
        "totalLevels": {"type": "integer"}, "initiator": schema("Person"),
        "createdAt": moment("When it was raised."), "updatedAt": moment("Last change."),
        "closedAt": moment("When it was approved, rejected or withdrawn.", True),
        "round": {**ROUND, "description": "1, then one more for each resubmission after a return."},
        "resumeLevel": nullable("integer", description="While RETURNED: the level the next round starts at."),
        "returnedAt": moment("While RETURNED: when it was sent back.", True),
        "currentApproval": {**schema("ApprovalLevel"), "description": "The current level, while pending."},
    }
    # The seed's examples predate rounds: those fields are always sent, but not required.
    required = [name for name in summary_fields
                if name not in ("currentApproval", "round", "resumeLevel", "returnedAt")]
    detail_fields = {
        **summary_fields,
        "approvalLevels": {"type": "array", "items": schema("ApprovalLevel")},
        "participants": {"type": "array", "items": schema("Participant")},
        "documents": {"type": "array", "items": schema("Document"),
                      "description": "Empty for people who may not view documents."},
        "comments": {"type": "array", "items": schema("Comment"),
                     "description": f"The latest {queries.COMMENT_LIMIT}."},
        "activities": {"type": "array", "items": schema("Activity"),
                       "description": f"The latest {queries.ACTIVITY_LIMIT}."},
        "template": {"oneOf": [schema("TemplateOfRequest"), {"type": "null"}],
                     "description": "The template (and its version) the request was raised from; null: none."},
        "fields": {"oneOf": [schema("FieldValues"), {"type": "null"}],
                   "description": "The form's values (numbers as numbers, a file as {documentId, fileName}); "
                                  "null when not raised from a template."},
    }
    return {
        "WorkflowSummary": obj(summary_fields, required),
        "WorkflowDetail": obj(detail_fields, required + [name for name in list(detail_fields)[len(summary_fields):]
                                                         if name not in ("template", "fields")]),
        "Pagination": obj({"limit": {"type": "integer"},
                           "nextCursor": nullable("string", description="Send as `cursor` for the next page."),
                           "hasMore": {"type": "boolean"}}, ["limit", "nextCursor", "hasMore"]),
    }


def _envelopes():
    return {
        "WorkflowResponse": _ok(schema("WorkflowDetail"), "The request.") | {"examples": [seed.CREATE_RESPONSE]},
        "WorkflowListResponse": _ok({"type": "array", "items": schema("WorkflowSummary")}, "One page.",
                                    message=False, pagination=schema("Pagination")),
        "LevelResponse": _ok(schema("ApprovalLevel"), "The new level.") | {"examples": [seed.AT_LEVEL_RESPONSE_FULL]},
        "ParticipantResponse": _ok(schema("Participant"), "The new participant.")
        | {"examples": [seed.SPECTATOR_RESPONSE_FULL]},
        "CommentResponse": _ok(schema("Comment"), "The new comment."),
        "ReassignAllResponse": _ok(obj({
            "moved": {"type": "integer", "minimum": 0, "description": "Tasks now held by the new person."},
            "skipped": {"type": "array", "items": obj({
                "requestId": UUID, "requestNumber": {"type": "string"}, "levelNumber": {"type": "integer"},
                "reason": {"type": "string", "description": "Why the task stayed."}},
                ["requestId", "requestNumber", "levelNumber", "reason"])},
        }, ["moved", "skipped"]), "What moved."),
        "ApiError": obj({"success": {"const": False}, "error": text("A title: \"Validation failed\" or what failed, "
                                                                    "e.g. \"Failed to create workflow\"."),
                         "details": text("What is wrong, in words a person can act on.")},
                        ["success", "error", "details"],
                        examples=[seed.ERROR_UNKNOWN_APPROVER, seed.ERROR_DUPLICATE_APPROVER,
                                  seed.ERROR_INVALID_INITIATOR, seed.ERROR_VALIDATION, seed.ERROR_NOT_IN_DIRECTORY,
                                  seed.ERROR_ALREADY_PARTICIPANT, seed.ERROR_LEVEL_COMPLETED]),
    }


def approval_schemas():
    return {**_people(), **_auth(), **_inputs(), **_request_parts(), **_requests(), **_envelopes()}
