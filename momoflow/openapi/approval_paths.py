"""``paths`` for the approval workflow API (``/api/v1``): auth, then workflows."""

from werkzeug.exceptions import RequestEntityTooLarge

from momoflow.accounts.services import INVALID_CREDENTIALS, INVALID_CREDENTIALS_TITLE
from momoflow.api import NOT_JSON
from momoflow.errors import HTTP_TITLES, Forbidden, NotFound, ValidationFailed
from momoflow.fields import EMAIL_REQUIRED, too_long
from momoflow import search
from momoflow.openapi.common import (
    api_error,
    api_throttled,
    api_unauthorized,
    api_validation,
    directory_unavailable,
    json_request,
    json_response,
    no_token,
    ref,
    request_not_found,
)
from momoflow.workflows import api, documents, queries, reassigning, refusals, rules
from momoflow.workflows.access import PERSON_NOT_FOUND
from momoflow.workflows.models import LevelStatus, Priority, RequestStatus
from momoflow.workflows.validation import LEVEL_OUT_OF_RANGE, REASON_REQUIRED, duplicate_approver_message

INVALID = ValidationFailed.title

BEARER = [{"bearerAuth": []}]
AUTH, WORKFLOWS, DECISIONS, PEOPLE, FILES = (
    "Authentication", "Workflows", "Decisions", "Approvers and spectators", "Comments and documents")


def parameters():
    def path(name, description):
        return {"name": name, "in": "path", "required": True, "description": description,
                "schema": {"type": "string", "format": "uuid"}}

    def query(name, description, schema):
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    return {
        "requestId": path("requestId", "The request's `requestId`."),
        "levelId": path("levelId", "The level's `levelId` (from `approvalLevels`)."),
        "documentId": path("documentId", "The document's `documentId`."),
        "personEmail": {"name": "email", "in": "path", "required": True, "description": "The person's work email.",
                        "schema": {"type": "string", "format": "email"}},
        "view": query("view", "`mine`: raised by you; `approve`: waiting for you or decided by you; "
                              "`watching`: you are a spectator; `all`: every request (administrators).",
                      {"type": "string", "enum": list(queries.VIEWS), "default": "mine"}),
        "requestStatus": query("status", "Only requests with this status (any letter case).",
                               {"type": "string", "enum": [s.value for s in RequestStatus]}),
        "requestPriority": query("priority", "Only requests with this priority (any letter case).",
                                 {"type": "string", "enum": [p.value for p in Priority]}),
        "workflowLimit": query("limit", "Page size.", {"type": "integer", "minimum": 1,
                                                      "maximum": queries.MAX_LIMIT,
                                                      "default": queries.DEFAULT_LIMIT}),
        "workflowCursor": query("cursor", "`pagination.nextCursor` from the previous page.", {"type": "string"}),
        "workflowSearch": query("q", "Only requests whose number or title holds this text, or whose initiator's "
                                     "or a current approver's name or email does (any letter case; `%` and `_` "
                                     "are plain characters; blank: no filter). Send it again with `cursor`.",
                                {"type": "string", "maxLength": search.MAX_LENGTH}),
    }


def _op(tag, operation_id, summary, description, responses, *, parameters=(), body=None, public=False):
    operation = {"tags": [tag], "operationId": operation_id, "summary": summary, "description": description,
                 "security": [] if public else BEARER}
    if parameters:
        operation["parameters"] = [ref("parameters", name) for name in parameters]
    if body:
        operation["requestBody"] = body
    if not public:
        responses.setdefault("401", api_unauthorized())
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _auth_paths():
    login = _op(AUTH, "login", "Sign in and get a token",
                "Checks the password (local accounts) or binds to the company directory, which provisions "
                "the person on first sign-in. Attempts are limited per client address and per email.",
                {"200": json_response("Signed in.", "LoginResponse", "SeedLoginResponse"),
                 "400": api_validation(("Bad email", INVALID, f"email: {EMAIL_REQUIRED}")),
                 "401": api_error("Wrong email or password (one message for both).",
                                  ("Bad credentials", INVALID_CREDENTIALS_TITLE, INVALID_CREDENTIALS)),
                 "429": api_throttled("Too many sign-in attempts from this address or for this email; "
                                      "`Retry-After` gives the seconds to wait."),
                 "503": directory_unavailable("api")},
                body=json_request("LoginRequest", "SeedLoginRequest", "SeedLoginFlowRequest"), public=True)
    me = _op(AUTH, "getMe", "Who the token belongs to", "The signed-in person.",
             {"200": json_response("The person.", "MeResponse")})
    return {"/api/v1/auth/login": {"post": login}, "/api/v1/auth/me": {"get": me}}


def _create(operation_id, summary, description, body, extra_responses, multipart=False):
    from momoflow.openapi import template_paths  # it builds on this module's _op

    template_cases = template_paths.create_errors() + (template_paths.multipart_errors() if multipart else ())
    title = api.CREATE_FAILED
    responses = {
        "201": json_response("Created: the whole request, as `GET /api/v1/workflows/{requestId}` returns it.",
                             "WorkflowResponse", "SeedCreateResponse"),
        "400": api_validation("SeedErrorValidation", "SeedErrorUnknownApprover", "SeedErrorDuplicateApprover",
                              ("Own request", title, refusals.OWN_REQUEST), *template_cases),
        "401": api_error("No valid token, or the token's person no longer exists.", "SeedErrorInvalidInitiator",
                         no_token()),
        "503": directory_unavailable("api"),
        **template_paths.create_refusals(),
        **extra_responses,
    }
    return _op(WORKFLOWS, operation_id, summary, description, responses, body=body)


def _workflow_paths():
    create = _create(
        "createWorkflow", "Create a request (simplified format)",
        "Approvers and spectators are given by email only; each is found in the organisation or its "
        "company directory. Level names are generated unless given; the last level (or the first marked "
        "`isFinalApprover`) decides the request. Level 1 starts at once.\n\n"
        "**From a template** (`templateType: TEMPLATE`): give `templateId` and `fields` (`{key: value}`, each "
        "written as the field's type reads it, see `POST /api/v1/templates`) instead of `approvalLevels` "
        "(giving both is refused). The levels come from the template's rules read against the values and the "
        "requester (as `POST /api/v1/templates/{templateId}/preview` shows them); `title`, `description` and "
        "`priority` are optional and default to the template's. File fields cannot be sent as JSON: use "
        "`POST /api/v1/workflows/multipart` with a part `fields.<key>` per file field.",
        json_request("CreateWorkflowBody", "SeedCreateSimple", "SeedCreateExpress", "SeedCreateLevelNames",
                     "SeedCreateFlow"), {})
    multipart = _create(
        "createWorkflowMultipart", "Create a request with files",
        f"As `POST /api/v1/workflows`, with the request as JSON text in `payload` and up to {rules.MAX_FILES} "
        "`files`. Files are checked by content (a `.pdf` must be a PDF) and stored outside the web root; "
        "if the request fails, none are kept. From a template, each file field's upload is its own part, "
        "named `fields.<key>` (e.g. `fields.quote`); it becomes one of the request's documents and the "
        "field's value in the detail is `{documentId, fileName}`.",
        {"required": True, "content": {"multipart/form-data": {
            "schema": ref("schemas", "CreateWorkflowMultipart"),
            "encoding": {"payload": {"contentType": "application/json, text/plain"},
                         "files": {"contentType": "application/octet-stream"}},
            "examples": {"SeedMultipart": ref("examples", "SeedMultipart")}}}},
        {"413": api_error("The whole request is larger than the server accepts (25 MiB by default).",
                          ("Too large", HTTP_TITLES[413][1], RequestEntityTooLarge.description))},
        multipart=True)
    listing = _op(WORKFLOWS, "listWorkflows", "List requests, one page at a time",
                  "Newest first. Follow `pagination.nextCursor` while `pagination.hasMore` is true.",
                  {"200": json_response("One page.", "WorkflowListResponse"),
                   "400": api_validation(("Bad view", INVALID, f"view: {queries.VIEW_PROBLEM}"),
                                         ("Search too long", INVALID,
                                          f"q: {too_long('Search', search.MAX_LENGTH)}")),
                   "403": api_error("`view=all` is for administrators.",
                                    ("Not an admin", Forbidden.title, queries.ONLY_ADMINS_SEE_ALL))},
                  parameters=("view", "requestStatus", "requestPriority", "workflowSearch", "workflowLimit",
                              "workflowCursor"))
    detail = _op(WORKFLOWS, "getWorkflow", "Get a request",
                 "The request with its levels, participants, documents, comments and activity.",
                 {"200": json_response("The request.", "WorkflowResponse"), "404": request_not_found(NotFound.title)},
                 parameters=("requestId",))
    return {"/api/v1/workflows": {"get": listing, "post": create},
            "/api/v1/workflows/multipart": {"post": multipart},
            "/api/v1/workflows/{requestId}": {"get": detail}}


def _decision(verb, operation_id, body, extra_400=()):
    title = api.APPROVE_FAILED if verb == "approve" else api.REJECT_FAILED
    past = "approved" if verb == "approve" else "rejected"
    return _op(DECISIONS, operation_id, f"{verb.capitalize()} a level",
               "Only the level's approver, and only while it is the current level. Answers with the request "
               "as it is afterwards.",
               {"200": json_response(f"Level {past}: the whole request.", "WorkflowResponse"),
                "400": api_validation(*extra_400, ("Not JSON", INVALID, f"body: {NOT_JSON}")),
                "403": api_error("Not this level's approver.",
                                 ("Someone else's level", title, refusals.only_the_approver(2, verb))),
                "404": api_error("No such request or level.", ("Unknown level", title, refusals.LEVEL_NOT_FOUND)),
                "409": api_error("The level is not current (decided, not reached yet, or the request closed).",
                                 ("Already decided", title, refusals.already_decided(1, LevelStatus.APPROVED)),
                                 ("Not yet", title, refusals.not_current_yet(2)))},
               parameters=("requestId", "levelId"), body=body)


def _decision_paths():
    approve = _decision("approve", "approveLevel", json_request("ApproveRequest", required=False,
                                                                description="Optional; the body may be empty."))
    reject = _decision("reject", "rejectLevel", json_request("RejectRequest"),
                       (("No comment", INVALID, f"comments: {refusals.REJECT_NEEDS_COMMENTS}"),))
    title = api.WITHDRAW_FAILED
    withdraw = _op(DECISIONS, "withdrawWorkflow", "Withdraw a request",
                   "The initiator withdraws a pending request: it becomes CANCELLED and its open levels SKIPPED.",
                   {"200": json_response("Withdrawn: the whole request.", "WorkflowResponse"),
                    "400": api_validation(("Too long", INVALID,
                                           f"reason: {too_long('Reason', rules.MAX_COMMENT_LENGTH)}")),
                    "403": api_error("Not the initiator.", ("Not yours", title, refusals.ONLY_INITIATOR_WITHDRAWS)),
                    "404": request_not_found(title),
                    "409": api_error("The request is already closed.",
                                     ("Closed", title, refusals.no_longer(RequestStatus.APPROVED, "withdrawn")))},
                   parameters=("requestId",), body=json_request("WithdrawRequest", required=False))
    base = "/api/v1/workflows/{requestId}"
    return {f"{base}/levels/{{levelId}}/approve": {"post": approve},
            f"{base}/levels/{{levelId}}/reject": {"post": reject},
            f"{base}/withdraw": {"post": withdraw}}


def _people_paths():
    at_level_title, approver_title, spectator_title = api.AT_LEVEL_FAILED, api.APPROVER_FAILED, api.SPECTATOR_FAILED

    def managers(title):
        return api_error("Only the initiator or an administrator adds approvers.",
                         ("Not allowed", title, refusals.ONLY_MANAGERS_ADD_APPROVERS))

    at_level = _op(
        PEOPLE, "addApproverAtLevel", "Add an approver at a level",
        "Inserts a level at `level`; it and later levels move down. Adding at the current level makes the new "
        "level current. Allowed while the request is pending, before any level marked final.",
        {"201": json_response("The new level.", "LevelResponse", "SeedAtLevelResponse", "SeedAtLevelResponseFull"),
         "400": api_validation(
             ("Unknown approver", at_level_title, refusals.unknown_person("Approver", "invalid@example.com").message),
             ("Duplicate", at_level_title, duplicate_approver_message("manager@royalenfield.com")),
             ("Bad level", INVALID, f"level: {LEVEL_OUT_OF_RANGE}")),
         "403": managers(at_level_title),
         "404": request_not_found(at_level_title),
         "409": api_error("The level was decided already, or an earlier level is final, or the request closed.",
                          "SeedErrorLevelCompleted"),
         "503": directory_unavailable("api")},
        parameters=("requestId",), body=json_request("AddApproverAtLevelRequest", "SeedAtLevelRequest",
                                                     "SeedAtLevelFlowRequest"))
    approver = _op(
        PEOPLE, "addApprover", "Add a general approver",
        "An approver participant without a level: can view, comment and download. While pending.",
        {"201": json_response("The new participant.", "ParticipantResponse"),
         "400": api_validation("SeedErrorNotInDirectory",
                               ("Already there", approver_title, refusals.ALREADY_PARTICIPANT)),
         "403": managers(approver_title), "404": request_not_found(approver_title),
         "409": api_error("The request is closed.",
                          ("Closed", approver_title, refusals.no_longer(RequestStatus.APPROVED, "changed"))),
         "503": directory_unavailable("api")},
        parameters=("requestId",), body=json_request("EmailRequest", "SeedApproverRequest"))
    spectator = _op(
        PEOPLE, "addSpectator", "Add a spectator",
        "A spectator can view and comment, not download. The initiator, an approver or an administrator adds "
        "them, at any time (also after the request closed).",
        {"201": json_response("The new participant.", "ParticipantResponse", "SeedSpectatorResponse",
                               "SeedSpectatorResponseFull"),
         "400": api_validation("SeedErrorAlreadyParticipant",
                               ("Unknown person", spectator_title,
                                refusals.unknown_person("Spectator", "invalid@example.com").message)),
         "403": api_error("Spectators and others may not add spectators.",
                          ("Not allowed", spectator_title, refusals.ONLY_PARTICIPANTS_ADD_SPECTATORS)),
         "404": request_not_found(spectator_title), "503": directory_unavailable("api")},
        parameters=("requestId",), body=json_request("EmailRequest", "SeedSpectatorRequest",
                                                     "SeedSpectatorFlowRequest"))
    base = "/api/v1/workflows/{requestId}"
    return {f"{base}/approvers/at-level": {"post": at_level},
            f"{base}/participants/approver": {"post": approver},
            f"{base}/participants/spectator": {"post": spectator}}


def _task_paths():
    to_level_title, reassign_title = api.TO_LEVEL_FAILED, api.REASSIGN_FAILED
    to_level = _op(
        PEOPLE, "addApproverToLevel", "Add an approver to a level",
        "One more approver for an undecided level (the initiator or an administrator). A running level "
        "offers them a task at once, with the level's remaining TAT; the level's rule counts them too.",
        {"201": json_response("The level with its approvers.", "LevelResponse"),
         "400": api_validation(
             ("Unknown approver", to_level_title, refusals.unknown_person("Approver", "invalid@example.com").message),
             ("Duplicate", to_level_title, duplicate_approver_message("manager@royalenfield.com")),
             ("Bad email", INVALID, f"email: {EMAIL_REQUIRED}")),
         "403": api_error("Only the initiator or an administrator.",
                          ("Not allowed", to_level_title, refusals.ONLY_MANAGERS_ADD_APPROVERS)),
         "404": request_not_found(to_level_title),
         "409": api_error("The level was decided already, or the request closed.",
                          ("Decided", to_level_title, refusals.already_decided(1, LevelStatus.APPROVED))),
         "503": directory_unavailable("api")},
        parameters=("requestId", "levelId"), body=json_request("EmailRequest"))
    reassign = _op(
        DECISIONS, "reassignTask", "Reassign a task",
        "The holder of an undecided task hands it to someone else, with a reason; an administrator may move "
        "anyone's (`from`). The old task reads REASSIGNED; the new holder gets it with the level's remaining "
        "TAT. The initiator can never receive a task of their own request.",
        {"200": json_response("Reassigned: the whole request.", "WorkflowResponse"),
         "400": api_validation(("No reason", INVALID, f"reason: {REASON_REQUIRED}"),
                               ("Initiator", reassign_title, refusals.OWN_REQUEST)),
         "403": api_error("Not the holder, and not an administrator.",
                          ("Not yours", reassign_title, refusals.no_task_to_hand_over(1)),
                          ("Not an admin", reassign_title, refusals.ONLY_ADMINS_NAME_FROM)),
         "404": request_not_found(reassign_title),
         "409": api_error("The level was decided, the person already has a part in it, or the request closed.",
                          ("Decided", reassign_title, refusals.already_decided(1, LevelStatus.APPROVED)),
                          ("Already there", reassign_title, refusals.already_in_level("Asha Rao", 1))),
         "503": directory_unavailable("api")},
        parameters=("requestId", "levelId"), body=json_request("ReassignRequest"))
    everything = _op(
        PEOPLE, "reassignAllTasks", "Reassign all of someone's tasks",
        "Administrators move every undecided task a person holds (someone who left, or changed roles) to "
        "another person in one go. A task the new person may not hold (their own request, a level they "
        "already decide) stays where it is and is listed under `skipped` with the reason.",
        {"200": json_response("How many moved, and which stayed.", "ReassignAllResponse"),
         "400": api_validation(("No reason", INVALID, f"reason: {REASON_REQUIRED}")),
         "403": api_error("Not an administrator.", ("Not an admin", api.REASSIGN_ALL_FAILED,
                                                    reassigning.ONLY_ADMINS_REASSIGN_ALL)),
         "404": api_error("Nobody with that email in your organisation.",
                          ("Unknown person", api.REASSIGN_ALL_FAILED, PERSON_NOT_FOUND)),
         "503": directory_unavailable("api")},
        parameters=("personEmail",), body=json_request("ReassignRequest"))
    base = "/api/v1/workflows/{requestId}/levels/{levelId}"
    return {f"{base}/approvers": {"post": to_level}, f"{base}/reassign": {"post": reassign},
            "/api/v1/users/{email}/tasks/reassign": {"post": everything}}


def _file_paths():
    comment_title, download_title = api.COMMENT_FAILED, api.DOWNLOAD_FAILED
    comment = _op(FILES, "addComment", "Comment on a request", "Any participant (or an administrator).",
                  {"201": json_response("The comment.", "CommentResponse"),
                   "400": api_validation(("Empty", INVALID, f"comment: {refusals.EMPTY_COMMENT}")),
                   "403": api_error("Not allowed to comment.", ("Not allowed", comment_title, refusals.NO_COMMENTS)),
                   "404": request_not_found(comment_title)},
                  parameters=("requestId",), body=json_request("CommentRequest"))
    download = _op(FILES, "downloadDocument", "Download a document",
                   "The file as an attachment, with its content type. Approvers and the initiator may download; "
                   "spectators may not.",
                   {"200": {"description": "The file.",
                            "headers": {"Content-Disposition": {"description": "`attachment; filename=…`",
                                                                "schema": {"type": "string"}}},
                            "content": {"application/octet-stream": {
                                "schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
                    "403": api_error("Spectators may view, not download.",
                                     ("Spectator", download_title, documents.NO_DOWNLOADS)),
                    "404": api_error("No such request or document.",
                                     ("Unknown document", download_title, documents.DOCUMENT_NOT_FOUND))},
                   parameters=("requestId", "documentId"))
    base = "/api/v1/workflows/{requestId}"
    return {f"{base}/comments": {"post": comment}, f"{base}/documents/{{documentId}}": {"get": download}}


def approval_paths():
    return {**_auth_paths(), **_workflow_paths(), **_decision_paths(), **_people_paths(), **_task_paths(),
            **_file_paths()}
