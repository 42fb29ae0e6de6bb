"""``paths`` for the approval workflow API (``/api/v1``): auth, then workflows."""

from momoflow.openapi.common import (
    api_error,
    api_throttled,
    api_unauthorized,
    api_validation,
    directory_unavailable,
    json_request,
    json_response,
    ref,
    request_not_found,
)
from momoflow.workflows import queries, rules
from momoflow.workflows.models import Priority, RequestStatus

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
                 "400": api_validation(("Bad email", "Validation failed", "email: Valid email is required")),
                 "401": api_error("Wrong email or password (one message for both).",
                                  ("Bad credentials", "Invalid credentials", "Invalid email or password")),
                 "429": api_throttled("Too many sign-in attempts from this address or for this email; "
                                      "`Retry-After` gives the seconds to wait."),
                 "503": directory_unavailable("api")},
                body=json_request("LoginRequest", "SeedLoginRequest", "SeedLoginFlowRequest"), public=True)
    me = _op(AUTH, "getMe", "Who the token belongs to", "The signed-in person.",
             {"200": json_response("The person.", "MeResponse")})
    return {"/api/v1/auth/login": {"post": login}, "/api/v1/auth/me": {"get": me}}


def _create(operation_id, summary, description, body, extra_responses):
    title = "Failed to create workflow"
    responses = {
        "201": json_response("Created: the whole request, as `GET /api/v1/workflows/{requestId}` returns it.",
                             "WorkflowResponse", "SeedCreateResponse"),
        "400": api_validation("SeedErrorValidation", "SeedErrorUnknownApprover", "SeedErrorDuplicateApprover",
                              ("Own request", title,
                               "You cannot approve your own request. Choose someone else for this level.")),
        "401": api_error("No valid token, or the token's person no longer exists.", "SeedErrorInvalidInitiator",
                         ("No token", "Unauthorized",
                          "Missing bearer token: send Authorization: Bearer <token> from /api/v1/auth/login")),
        "503": directory_unavailable("api"),
        **extra_responses,
    }
    return _op(WORKFLOWS, operation_id, summary, description, responses, body=body)


def _workflow_paths():
    create = _create(
        "createWorkflow", "Create a request (simplified format)",
        "Approvers and spectators are given by email only; each is found in the organisation or its "
        "company directory. Level names are generated unless given; the last level (or the first marked "
        "`isFinalApprover`) decides the request. Level 1 starts at once.",
        json_request("CreateWorkflowRequest", "SeedCreateSimple", "SeedCreateExpress", "SeedCreateLevelNames",
                     "SeedCreateFlow"), {})
    multipart = _create(
        "createWorkflowMultipart", "Create a request with files",
        f"As `POST /api/v1/workflows`, with the request as JSON text in `payload` and up to {rules.MAX_FILES} "
        "`files`. Files are checked by content (a `.pdf` must be a PDF) and stored outside the web root; "
        "if the request fails, none are kept.",
        {"required": True, "content": {"multipart/form-data": {
            "schema": ref("schemas", "CreateWorkflowMultipart"),
            "encoding": {"payload": {"contentType": "application/json, text/plain"},
                         "files": {"contentType": "application/octet-stream"}},
            "examples": {"SeedMultipart": ref("examples", "SeedMultipart")}}}},
        {"413": api_error("The whole request is larger than the server accepts (25 MiB by default).",
                          ("Too large", "Payload too large",
                           "The data value transmitted exceeds the capacity limit."))})
    listing = _op(WORKFLOWS, "listWorkflows", "List requests, one page at a time",
                  "Newest first. Follow `pagination.nextCursor` while `pagination.hasMore` is true.",
                  {"200": json_response("One page.", "WorkflowListResponse"),
                   "400": api_validation(("Bad view", "Validation failed",
                                          "view: View must be one of mine, approve, watching, all")),
                   "403": api_error("`view=all` is for administrators.",
                                    ("Not an admin", "Forbidden", "Only administrators can list every request"))},
                  parameters=("view", "requestStatus", "requestPriority", "workflowLimit", "workflowCursor"))
    detail = _op(WORKFLOWS, "getWorkflow", "Get a request",
                 "The request with its levels, participants, documents, comments and activity.",
                 {"200": json_response("The request.", "WorkflowResponse"), "404": request_not_found("Not found")},
                 parameters=("requestId",))
    return {"/api/v1/workflows": {"get": listing, "post": create},
            "/api/v1/workflows/multipart": {"post": multipart},
            "/api/v1/workflows/{requestId}": {"get": detail}}


def _decision(verb, operation_id, body, extra_400=()):
    title = f"Failed to {verb}"
    past = "approved" if verb == "approve" else "rejected"
    return _op(DECISIONS, operation_id, f"{verb.capitalize()} a level",
               "Only the level's approver, and only while it is the current level. Answers with the request "
               "as it is afterwards.",
               {"200": json_response(f"Level {past}: the whole request.", "WorkflowResponse"),
                "400": api_validation(*extra_400, ("Not JSON", "Validation failed",
                                                   "body: Request body is not valid JSON")),
                "403": api_error("Not this level's approver.",
                                 ("Someone else's level", title, f"Only the approver of level 2 can {verb} it")),
                "404": api_error("No such request or level.", ("Unknown level", title, "Approval level not found")),
                "409": api_error("The level is not current (decided, not reached yet, or the request closed).",
                                 ("Already decided", title, "Level 1 has already been approved"),
                                 ("Not yet", title, "Level 2 is not the current level yet"))},
               parameters=("requestId", "levelId"), body=body)


def _decision_paths():
    approve = _decision("approve", "approveLevel", json_request("ApproveRequest", required=False,
                                                                description="Optional; the body may be empty."))
    reject = _decision("reject", "rejectLevel", json_request("RejectRequest"),
                       (("No comment", "Validation failed", "comments: Comments are required to reject a level"),))
    title = "Failed to withdraw"
    withdraw = _op(DECISIONS, "withdrawWorkflow", "Withdraw a request",
                   "The initiator withdraws a pending request: it becomes CANCELLED and its open levels SKIPPED.",
                   {"200": json_response("Withdrawn: the whole request.", "WorkflowResponse"),
                    "400": api_validation(("Too long", "Validation failed",
                                           f"reason: Reason must be at most {rules.MAX_COMMENT_LENGTH} characters")),
                    "403": api_error("Not the initiator.",
                                     ("Not yours", title, "Only the initiator can withdraw this request")),
                    "404": request_not_found(title),
                    "409": api_error("The request is already closed.",
                                     ("Closed", title, "The request is approved and can no longer be withdrawn"))},
                   parameters=("requestId",), body=json_request("WithdrawRequest", required=False))
    base = "/api/v1/workflows/{requestId}"
    return {f"{base}/levels/{{levelId}}/approve": {"post": approve},
            f"{base}/levels/{{levelId}}/reject": {"post": reject},
            f"{base}/withdraw": {"post": withdraw}}


def _people_paths():
    at_level_title, approver_title, spectator_title = (
        "Failed to add approver at level", "Failed to add approver", "Failed to add spectator")

    def managers(title):
        return api_error("Only the initiator or an administrator adds approvers.",
                         ("Not allowed", title, "Only the initiator or an administrator can add approvers"))

    at_level = _op(
        PEOPLE, "addApproverAtLevel", "Add an approver at a level",
        "Inserts a level at `level`; it and later levels move down. Adding at the current level makes the new "
        "level current. Allowed while the request is pending, before any level marked final.",
        {"201": json_response("The new level.", "LevelResponse", "SeedAtLevelResponse", "SeedAtLevelResponseFull"),
         "400": api_validation(
             ("Unknown approver", at_level_title, "Approver email 'invalid@example.com' not found in organization "
                                                  "directory. Please verify the email address."),
             ("Duplicate", at_level_title, "Duplicate approver email found: manager@royalenfield.com. "
                                           "Each approver must have a unique email."),
             ("Bad level", "Validation failed", f"level: Level must be a whole number from 1 to {rules.MAX_LEVELS}")),
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
                               ("Already there", approver_title, "User is already a participant in this request")),
         "403": managers(approver_title), "404": request_not_found(approver_title),
         "409": api_error("The request is closed.", ("Closed", approver_title,
                                                     "The request is approved and can no longer be changed")),
         "503": directory_unavailable("api")},
        parameters=("requestId",), body=json_request("EmailRequest", "SeedApproverRequest"))
    spectator = _op(
        PEOPLE, "addSpectator", "Add a spectator",
        "A spectator can view and comment, not download. The initiator, an approver or an administrator adds "
        "them, at any time (also after the request closed).",
        {"201": json_response("The new participant.", "ParticipantResponse", "SeedSpectatorResponse",
                               "SeedSpectatorResponseFull"),
         "400": api_validation("SeedErrorAlreadyParticipant",
                               ("Unknown person", spectator_title, "Spectator email 'invalid@example.com' not found "
                                                                   "in organization directory. Please verify the "
                                                                   "email address.")),
         "403": api_error("Spectators and others may not add spectators.",
                          ("Not allowed", spectator_title,
                           "Only the initiator, an approver or an administrator can add spectators")),
         "404": request_not_found(spectator_title), "503": directory_unavailable("api")},
        parameters=("requestId",), body=json_request("EmailRequest", "SeedSpectatorRequest",
                                                     "SeedSpectatorFlowRequest"))
    base = "/api/v1/workflows/{requestId}"
    return {f"{base}/approvers/at-level": {"post": at_level},
            f"{base}/participants/approver": {"post": approver},
            f"{base}/participants/spectator": {"post": spectator}}


def _file_paths():
    comment_title, download_title = "Failed to add comment", "Failed to download document"
    comment = _op(FILES, "addComment", "Comment on a request", "Any participant (or an administrator).",
                  {"201": json_response("The comment.", "CommentResponse"),
                   "400": api_validation(("Empty", "Validation failed", "comment: Comment cannot be empty")),
                   "403": api_error("Not allowed to comment.",
                                    ("Not allowed", comment_title, "You are not allowed to comment on this request")),
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
                                     ("Spectator", download_title,
                                      "You are not allowed to download documents of this request")),
                    "404": api_error("No such request or document.",
                                     ("Unknown document", download_title, "Document not found"))},
                   parameters=("requestId", "documentId"))
    base = "/api/v1/workflows/{requestId}"
    return {f"{base}/comments": {"post": comment}, f"{base}/documents/{{documentId}}": {"get": download}}


def approval_paths():
    return {**_auth_paths(), **_workflow_paths(), **_decision_paths(), **_people_paths(), **_file_paths()}
