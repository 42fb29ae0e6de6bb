"""The seed documents' examples, as the document shows them.

``000`` is the integrator Flow Assignment API, ``004`` the approval workflow API.
Values are copied verbatim. Where the seed wrote a placeholder that is not JSON
(``"user": { "userId": "...", ... }``), or shows fewer fields than the code sends,
an *adapted* example fills them in with what the code really sends. ``tests/platform/test_openapi.py`` compares these
with the seed files, so an edit here that drifts from the contract fails.
"""

FLOWS, WORKFLOWS = "000", "004"

# --- 000: POST /v1/flows/assign -----------------------------------------------------

ASSIGN_REQUEST = {
    "flowId": "flow_123abc",
    "userEmail": "employee@company.com",
    "dueDate": "2024-11-25T23:59:59Z",
    "priority": "high",
    "notes": "Please complete this onboarding flow before the team meeting",
}
ASSIGN_RESPONSE = {
    "success": True,
    "assignmentId": "asgn_789xyz",
    "message": "Flow assigned successfully",
    "details": {
        "assignedAt": "2024-10-25T15:30:00Z",
        "assigneeEmail": "employee@company.com",
        "flowName": "Customer Onboarding",
        "moduleCount": 5,
        "estimatedDuration": "2 hours",
    },
}
UNAUTHORIZED = {"error": "unauthorized", "message": "Invalid or missing API key"}
FLOW_NOT_FOUND = {"error": "not_found", "message": "Flow with ID 'flow_123abc' does not exist"}
USER_NOT_FOUND = {"error": "not_found",
                  "message": "User with email 'employee@company.com' does not exist in your organization"}
RATE_LIMITED = {"error": "rate_limit_exceeded", "message": "Too many requests. Please try again in 60 seconds",
                "retry_after": 60}

# --- 004: /api/v1 -------------------------------------------------------------------

LOGIN_REQUEST = {"email": "your-email@example.com", "password": "your-password"}
LOGIN_RESPONSE = {  # adapted: the seed elides the token and the user's fields
    "success": True,
    "data": {
        "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
        "user": {"userId": "6f1c2a7e-2d4b-4a8e-9a51-3c0f1f6b9b10", "email": "your-email@example.com",
                 "displayName": "Your Name", "designation": "Manager", "department": "Finance",
                 "role": "manager"},
    },
}
LOGIN_FLOW_REQUEST = {"email": "user@example.com", "password": "pass"}

CREATE_SIMPLE = {
    "templateType": "CUSTOM",
    "title": "Purchase Order Approval - Office Equipment",
    "description": "Approval needed for purchasing new office equipment including laptops and monitors. "
                   "Total budget: $50,000",
    "priority": "STANDARD",
    "approvalLevels": [
        {"email": "manager@royalenfield.com", "tatHours": 24},
        {"email": "director@royalenfield.com", "tatHours": 48},
        {"email": "cfo@royalenfield.com", "tatHours": 72},
    ],
    "spectators": [{"email": "hr@royalenfield.com"}, {"email": "finance@royalenfield.com"}],
}
CREATE_EXPRESS = {
    "templateType": "CUSTOM",
    "title": "Urgent: Server Infrastructure Upgrade",
    "description": "Critical server infrastructure upgrade required immediately",
    "priority": "EXPRESS",
    "approvalLevels": [
        {"email": "it-manager@royalenfield.com", "tatHours": 8},
        {"email": "cto@royalenfield.com", "tatHours": 16, "isFinalApprover": True},
    ],
}
CREATE_LEVEL_NAMES = {
    "templateType": "CUSTOM",
    "title": "Vendor Contract Approval",
    "description": "New vendor contract for manufacturing components",
    "priority": "STANDARD",
    "approvalLevels": [
        {"email": "procurement@royalenfield.com", "tatHours": 24, "levelName": "Procurement Review"},
        {"email": "legal@royalenfield.com", "tatHours": 48, "levelName": "Legal Compliance"},
        {"email": "vp@royalenfield.com", "tatHours": 72, "levelName": "Executive Approval", "isFinalApprover": True},
    ],
}
CREATE_FLOW_REQUEST = {
    "templateType": "CUSTOM",
    "title": "Purchase Order",
    "description": "Office equipment",
    "priority": "STANDARD",
    "approvalLevels": [{"email": "manager@example.com", "tatHours": 24}],
}
MULTIPART_PAYLOAD = ('{"templateType":"CUSTOM","title":"Budget Request 2025","description":"Annual budget request",'
                     '"priority":"STANDARD","approvalLevels":[{"email":"finance-manager@royalenfield.com",'
                     '"tatHours":48},{"email":"cfo@royalenfield.com","tatHours":72}]}')
MULTIPART_FORM = {"payload": MULTIPART_PAYLOAD, "files": ["budget-2025.xlsx"], "category": "SUPPORTING"}

_LEVEL_1 = {"levelId": "0b8e2f0c-5c1e-4a53-b1c8-7d0f3b1e9a01", "levelNumber": 1, "levelName": "Manager Approval",
            "approverId": "3d6f0b9e-8a3c-4f7e-9a2d-1c5b7e9f0a12", "approverEmail": "manager@royalenfield.com",
            "approverName": "Maya Manager", "tatHours": 24, "isFinalApprover": False, "status": "IN_PROGRESS",
            "startedAt": "2025-12-01T09:00:00+00:00", "tatDeadline": "2025-12-02T09:00:00+00:00",
            "actedAt": None, "comments": None}
CREATE_RESPONSE = {  # adapted: the seed shows "..." for the rest of the request
    "success": True,
    "message": "Workflow created successfully",
    "data": {
        "requestId": "8c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
        "requestNumber": "REQ-2025-12-0001",
        "templateType": "CUSTOM",
        "title": "Purchase Order",
        "description": "Office equipment",
        "priority": "STANDARD",
        "status": "PENDING",
        "currentLevel": 1,
        "totalLevels": 1,
        "initiator": {"userId": "6f1c2a7e-2d4b-4a8e-9a51-3c0f1f6b9b10", "email": "employee@company.com",
                      "displayName": "Emma Employee"},
        "createdAt": "2025-12-01T09:00:00+00:00",
        "updatedAt": "2025-12-01T09:00:00+00:00",
        "closedAt": None,
        "currentApproval": {**_LEVEL_1, "isFinalApprover": True},
        "approvalLevels": [{**_LEVEL_1, "isFinalApprover": True}],
        "participants": [],
        "documents": [],
        "comments": [],
        "activities": [],
    },
}

ERROR_UNKNOWN_APPROVER = {
    "success": False, "error": "Failed to create workflow",
    "details": "Approver email 'invalid@example.com' not found in organization directory. "
               "Please verify the email address."}
ERROR_DUPLICATE_APPROVER = {
    "success": False, "error": "Failed to create workflow",
    "details": "Duplicate approver email found: manager@example.com. Each approver must have a unique email."}
ERROR_INVALID_INITIATOR = {
    "success": False, "error": "Failed to create workflow",
    "details": "Invalid initiator: User with ID '...' not found. Please ensure you are logged in with a valid account."}
ERROR_VALIDATION = {
    "success": False, "error": "Validation failed",
    "details": "approvalLevels.0.email: Valid email is required; approvalLevels.0.tatHours: TAT hours must be positive"}

AT_LEVEL_REQUEST = {"email": "newapprover@royalenfield.com", "tatHours": 24, "level": 2}
AT_LEVEL_FLOW_REQUEST = {"email": "director@example.com", "tatHours": 48, "level": 2}
AT_LEVEL_RESPONSE = {
    "success": True,
    "message": "Approver added successfully",
    "data": {"levelId": "uuid", "levelNumber": 2, "levelName": "Manager Approval", "approverId": "uuid",
             "approverEmail": "newapprover@royalenfield.com", "approverName": "John Doe", "tatHours": 24,
             "status": "PENDING"},
}
APPROVER_REQUEST = {"email": "approver@royalenfield.com"}
SPECTATOR_REQUEST = {"email": "spectator@royalenfield.com"}
SPECTATOR_FLOW_REQUEST = {"email": "hr@example.com"}
SPECTATOR_RESPONSE = {
    "success": True,
    "data": {"participantId": "uuid", "userId": "uuid", "userEmail": "spectator@royalenfield.com",
             "userName": "Jane Doe", "participantType": "SPECTATOR", "canComment": True, "canViewDocuments": True,
             "canDownloadDocuments": False},
}
# The two answers above as the code sends them: the seed shows fewer fields.
AT_LEVEL_RESPONSE_FULL = {**AT_LEVEL_RESPONSE, "data": {
    **AT_LEVEL_RESPONSE["data"], "isFinalApprover": False, "startedAt": None, "tatDeadline": None, "actedAt": None,
    "comments": None}}
SPECTATOR_RESPONSE_FULL = {"success": True, "message": "Spectator added successfully",
                           "data": {**SPECTATOR_RESPONSE["data"], "addedAt": "2025-12-01T10:00:00+00:00"}}
ERROR_NOT_IN_DIRECTORY = {
    "success": False, "error": "Failed to add approver",
    "details": "Approver email 'invalid@example.com' not found in organization directory. "
               "Please verify the email address."}
ERROR_ALREADY_PARTICIPANT = {"success": False, "error": "Failed to add spectator",
                             "details": "User is already a participant in this request"}
ERROR_LEVEL_COMPLETED = {"success": False, "error": "Failed to add approver at level",
                         "details": "Cannot add approver at level 1 - level has already been completed"}

# name in components/examples: (summary, value, seed, adapted)
EXAMPLES = {
    "SeedAssignRequest": ("Assign the onboarding flow (seed)", ASSIGN_REQUEST, FLOWS, False),
    "SeedAssignResponse": ("Flow assigned (seed)", ASSIGN_RESPONSE, FLOWS, False),
    "Seed401": ("Invalid authentication (seed)", UNAUTHORIZED, FLOWS, False),
    "Seed404Flow": ("Flow not found (seed)", FLOW_NOT_FOUND, FLOWS, False),
    "Seed404User": ("User not found (seed)", USER_NOT_FOUND, FLOWS, False),
    "Seed429": ("Rate limit exceeded (seed)", RATE_LIMITED, FLOWS, False),
    "SeedLoginRequest": ("Login (seed)", LOGIN_REQUEST, WORKFLOWS, False),
    "SeedLoginFlowRequest": ("Login, from the seed's complete flow", LOGIN_FLOW_REQUEST, WORKFLOWS, False),
    "SeedLoginResponse": ("Signed in (seed, user filled in)", LOGIN_RESPONSE, WORKFLOWS, True),
    "SeedCreateSimple": ("Example 1: simple workflow (seed)", CREATE_SIMPLE, WORKFLOWS, False),
    "SeedCreateExpress": ("Example 2: express priority with final approver flag (seed)", CREATE_EXPRESS,
                          WORKFLOWS, False),
    "SeedCreateLevelNames": ("Example 3: custom level names (seed)", CREATE_LEVEL_NAMES, WORKFLOWS, False),
    "SeedCreateFlow": ("Create, from the seed's complete flow", CREATE_FLOW_REQUEST, WORKFLOWS, False),
    "SeedMultipart": ("Example 4: multipart with files (seed); `files` are file parts", MULTIPART_FORM,
                      WORKFLOWS, True),
    "SeedCreateResponse": ("Workflow created (seed, request filled in)", CREATE_RESPONSE, WORKFLOWS, True),
    "SeedErrorUnknownApprover": ("Invalid email (seed)", ERROR_UNKNOWN_APPROVER, WORKFLOWS, False),
    "SeedErrorDuplicateApprover": ("Duplicate email (seed)", ERROR_DUPLICATE_APPROVER, WORKFLOWS, False),
    "SeedErrorInvalidInitiator": ("Invalid initiator (seed)", ERROR_INVALID_INITIATOR, WORKFLOWS, False),
    "SeedErrorValidation": ("Validation failed (seed)", ERROR_VALIDATION, WORKFLOWS, False),
    "SeedAtLevelRequest": ("Add an approver at level 2 (seed)", AT_LEVEL_REQUEST, WORKFLOWS, False),
    "SeedAtLevelFlowRequest": ("Add an approver, from the seed's complete flow", AT_LEVEL_FLOW_REQUEST,
                               WORKFLOWS, False),
    "SeedAtLevelResponse": ("Approver added (seed)", AT_LEVEL_RESPONSE, WORKFLOWS, False),
    "SeedAtLevelResponseFull": ("Approver added, every field the code sends (seed, completed)",
                                AT_LEVEL_RESPONSE_FULL, WORKFLOWS, True),
    "SeedApproverRequest": ("Add a general approver (seed)", APPROVER_REQUEST, WORKFLOWS, False),
    "SeedSpectatorRequest": ("Add a spectator (seed)", SPECTATOR_REQUEST, WORKFLOWS, False),
    "SeedSpectatorFlowRequest": ("Add a spectator, from the seed's complete flow", SPECTATOR_FLOW_REQUEST,
                                 WORKFLOWS, False),
    "SeedSpectatorResponse": ("Spectator added (seed)", SPECTATOR_RESPONSE, WORKFLOWS, False),
    "SeedSpectatorResponseFull": ("Spectator added, every field the code sends (seed, completed)",
                                  SPECTATOR_RESPONSE_FULL, WORKFLOWS, True),
    "SeedErrorNotInDirectory": ("User not found in AD (seed)", ERROR_NOT_IN_DIRECTORY, WORKFLOWS, False),
    "SeedErrorAlreadyParticipant": ("User already a participant (seed)", ERROR_ALREADY_PARTICIPANT,
                                    WORKFLOWS, False),
    "SeedErrorLevelCompleted": ("Invalid level (seed)", ERROR_LEVEL_COMPLETED, WORKFLOWS, False),
}
