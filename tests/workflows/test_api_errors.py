"""Every documented error of the workflow API, word for word, with its status code."""

import pytest

from momoflow.auth.tokens import issue_token
from tests.factories import make_org, make_user
from tests.workflows.conftest import Api, simple_request

INITIATOR = "employee@company.com"


def _error(response):
    body = response.get_json()
    assert body["success"] is False, body
    return response.status_code, body["error"], body["details"]


def test_unknown_approver_email(api_as):
    response = api_as(INITIATOR).post("/workflows", json=simple_request("invalid@example.com"))
    assert _error(response) == (400, "Failed to create workflow",
                                "Approver email 'invalid@example.com' not found in organization directory. "
                                "Please verify the email address.")


def test_unknown_spectator_email(api_as):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(
        "manager@example.com", spectators=["nobody@example.com"]))
    assert _error(response) == (400, "Failed to create workflow",
                                "Spectator email 'nobody@example.com' not found in organization directory. "
                                "Please verify the email address.")


def test_duplicate_approver_email(api_as):
    response = api_as(INITIATOR).post("/workflows", json=simple_request("manager@example.com", "Manager@Example.com"))
    assert _error(response) == (400, "Failed to create workflow",
                                "Duplicate approver email found: manager@example.com. "
                                "Each approver must have a unique email.")


def test_invalid_initiator(client, demo, db):
    gone = make_user(demo["admin@company.com"].organization)
    token = issue_token(gone)
    gone.active = False
    db.session.flush()
    response = Api(client, token).post("/workflows", json=simple_request("manager@example.com"))
    assert _error(response) == (400, "Failed to create workflow",
                                f"Invalid initiator: User with ID '{gone.id}' not found. "
                                "Please ensure you are logged in with a valid account.")
    # Elsewhere the same token is simply no longer valid.
    assert Api(client, token).get("/workflows").status_code == 401


def test_validation_failed_lists_each_field(api_as):
    body = simple_request()
    body["approvalLevels"] = [{"email": "not-an-email", "tatHours": -4}]
    response = api_as(INITIATOR).post("/workflows", json=body)
    assert _error(response) == (400, "Validation failed",
                                "approvalLevels.0.email: Valid email is required; "
                                "approvalLevels.0.tatHours: TAT hours must be positive")


@pytest.mark.parametrize("change, details", [
    ({"approvalLevels": []}, "approvalLevels: At least one approval level is required"),
    ({"approvalLevels": [{"email": f"p{i}@example.com", "tatHours": 1} for i in range(11)]},
     "approvalLevels: At most 10 approval levels are allowed"),
    ({"title": "x" * 501}, "title: Title must be at most 500 characters"),
    ({"title": "   "}, "title: Title is required"),
    ({"priority": "URGENT"}, "priority: Priority must be STANDARD or EXPRESS"),
    ({"templateType": None}, "templateType: Template type must be CUSTOM or TEMPLATE"),
    ({"approvalLevels": [{"email": "manager@example.com", "tatHours": "24"}]},
     "approvalLevels.0.tatHours: TAT hours must be a number"),
    ({"approvalLevels": [{"email": "manager@example.com", "tatHours": 10**9}]},
     "approvalLevels.0.tatHours: TAT hours must be at most 8760 (one year)"),
    ({"approvalLevels": [{"email": "manager@example.com", "tatHours": 1e300}]},
     "approvalLevels.0.tatHours: TAT hours must be at most 8760 (one year)"),
    ({"approvalLevels": [{"email": "manager@example.com", "tatHours": 0}]},
     "approvalLevels.0.tatHours: TAT hours must be positive"),
    ({"spectators": [{"mail": "hr@example.com"}]}, "spectators.0.email: Valid email is required"),
    ({"description": "nul \x00 byte"}, "description: Description cannot contain NUL characters"),
    ({"approvalLevels": [{"email": "manager@example.com", "tatHours": 1, "levelName": "L\x00"}]},
     "approvalLevels.0.levelName: Level name cannot contain NUL characters"),
])
def test_limits(api_as, change, details):
    body = simple_request("manager@example.com")
    body.update(change)
    assert _error(api_as(INITIATOR).post("/workflows", json=body)) == (400, "Validation failed", details)


def test_not_json(api_as):
    response = api_as(INITIATOR).post("/workflows", data="title=x", content_type="text/plain")
    assert _error(response)[0] == 400


def test_initiator_cannot_approve_own_request(api_as):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(INITIATOR))
    status, title, _ = _error(response)
    assert (status, title) == (400, "Failed to create workflow")


def test_no_or_bad_token_is_401(client, demo):
    assert client.post("/api/v1/workflows", json=simple_request("manager@example.com")).status_code == 401
    assert Api(client, "not-a-token").get("/workflows").status_code == 401


@pytest.fixture
def request_id(api_as):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(
        "manager@royalenfield.com", "director@royalenfield.com", spectators=["spectator@royalenfield.com"]))
    return response.get_json()["data"]["requestId"]


def test_already_a_participant(api_as, request_id):
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/participants/spectator",
                                      json={"email": "spectator@royalenfield.com"})
    assert _error(response) == (400, "Failed to add spectator", "User is already a participant in this request")
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/participants/approver",
                                      json={"email": "manager@royalenfield.com"})
    assert _error(response) == (400, "Failed to add approver", "User is already a participant in this request")


def test_unknown_person_in_add_operations(api_as, request_id):
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/participants/approver",
                                      json={"email": "invalid@example.com"})
    assert _error(response) == (400, "Failed to add approver",
                                "Approver email 'invalid@example.com' not found in organization directory. "
                                "Please verify the email address.")
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/approvers/at-level",
                                      json={"email": "invalid@example.com", "tatHours": 24, "level": 2})
    assert _error(response)[1:] == ("Failed to add approver at level",
                                    "Approver email 'invalid@example.com' not found in organization directory. "
                                    "Please verify the email address.")


def test_cannot_add_approver_at_a_completed_level(api_as, request_id):
    manager = api_as("manager@royalenfield.com")
    level_1 = manager.get(f"/workflows/{request_id}").get_json()["data"]["approvalLevels"][0]
    assert manager.post(f"/workflows/{request_id}/levels/{level_1['levelId']}/approve").status_code == 200
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/approvers/at-level",
                                      json={"email": "newapprover@royalenfield.com", "tatHours": 24, "level": 1})
    assert _error(response) == (409, "Failed to add approver at level",
                                "Cannot add approver at level 1 - level has already been completed")


def test_add_approver_beyond_the_end(api_as, request_id):
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/approvers/at-level",
                                      json={"email": "newapprover@royalenfield.com", "tatHours": 24, "level": 4})
    assert _error(response) == (400, "Failed to add approver at level",
                                "Level must be from 1 to 3: this request has 2 levels")


def test_cannot_add_an_approver_the_request_would_never_reach(api_as):
    body = simple_request("manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com")
    body["approvalLevels"][1]["isFinalApprover"] = True
    request_id = api_as(INITIATOR).post("/workflows", json=body).get_json()["data"]["requestId"]
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/approvers/at-level",
                                      json={"email": "newapprover@royalenfield.com", "tatHours": 24, "level": 4})
    assert _error(response) == (409, "Failed to add approver at level",
                                "Cannot add approver at level 4 - level 2 is the final approver")


def test_participants_are_capped(api_as, request_id, monkeypatch):
    from momoflow.workflows import rules

    monkeypatch.setattr(rules, "MAX_PARTICIPANTS", 4)  # initiator, two approvers, one spectator
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/participants/spectator", json={"email": "hr@example.com"})
    assert _error(response) == (400, "Failed to add spectator", "A request can have at most 4 participants")


def test_request_of_another_organisation_does_not_exist(client, api_as, request_id):
    outsider = make_user(make_org(), role="admin")
    response = Api(client, issue_token(outsider)).get(f"/workflows/{request_id}")
    assert _error(response) == (404, "Not found", "Request not found")


def test_request_not_shared_with_you_does_not_exist(api_as, request_id):
    assert api_as("cfo@royalenfield.com").get(f"/workflows/{request_id}").status_code == 404
    assert api_as("cfo@royalenfield.com").post(f"/workflows/{request_id}/participants/spectator",
                                               json={"email": "hr@example.com"}).status_code == 404
    assert api_as("admin@company.com").get(f"/workflows/{request_id}").status_code == 200
    assert api_as(INITIATOR).get("/workflows/not-a-uuid").status_code == 404


def test_visible_but_not_allowed_is_403(api_as, request_id):
    spectator = api_as("spectator@royalenfield.com")
    level_1 = spectator.get(f"/workflows/{request_id}").get_json()["data"]["approvalLevels"][0]
    response = spectator.post(f"/workflows/{request_id}/levels/{level_1['levelId']}/approve")
    assert _error(response) == (403, "Failed to approve", "Only an approver of level 1 can approve it")
    response = api_as("manager@royalenfield.com").post(f"/workflows/{request_id}/withdraw")
    assert _error(response) == (403, "Failed to withdraw", "Only the initiator or an administrator can withdraw this request")
    response = spectator.post(f"/workflows/{request_id}/participants/spectator", json={"email": "hr@example.com"})
    assert _error(response)[0] == 403


def test_acting_twice_or_on_a_stale_level_is_409(api_as, request_id):
    manager, director = api_as("manager@royalenfield.com"), api_as("director@royalenfield.com")
    levels = manager.get(f"/workflows/{request_id}").get_json()["data"]["approvalLevels"]
    early = director.post(f"/workflows/{request_id}/levels/{levels[1]['levelId']}/approve")
    assert _error(early) == (409, "Failed to approve", "Level 2 is not the current level yet")
    assert manager.post(f"/workflows/{request_id}/levels/{levels[0]['levelId']}/approve").status_code == 200
    again = manager.post(f"/workflows/{request_id}/levels/{levels[0]['levelId']}/reject", json={"comments": "no"})
    assert _error(again) == (409, "Failed to reject", "Level 1 has already been approved")


def test_reject_needs_comments(api_as, request_id):
    manager = api_as("manager@royalenfield.com")
    level_1 = manager.get(f"/workflows/{request_id}").get_json()["data"]["approvalLevels"][0]
    response = manager.post(f"/workflows/{request_id}/levels/{level_1['levelId']}/reject", json={"comments": " "})
    assert _error(response) == (400, "Validation failed", "comments: Comments are required to reject a level")


def test_comment_with_nul_is_refused(api_as, request_id):
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/comments", json={"comment": "a\x00b"})
    assert _error(response) == (400, "Validation failed", "comment: Comment cannot contain NUL characters")
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/withdraw", json={"reason": "a\x00b"})
    assert _error(response) == (400, "Validation failed", "reason: Reason cannot contain NUL characters")


def test_withdrawn_request_cannot_be_withdrawn_again(api_as, request_id):
    initiator = api_as(INITIATOR)
    assert initiator.post(f"/workflows/{request_id}/withdraw", json={"reason": "Duplicate"}).status_code == 200
    response = initiator.post(f"/workflows/{request_id}/withdraw")
    assert _error(response) == (409, "Failed to withdraw", "The request is cancelled and can no longer be withdrawn")


@pytest.mark.parametrize("cursor", [
    "WyIwMDAxLTAxLTAxVDAwOjAwKzE0OjAwIiwgIjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCJd",  # year 1, +14:00
    "WyI5OTk5LTEyLTMxVDIzOjU5OjU5LTE0OjAwIiwgIjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMCJd",  # year 9999
    "WyIyMDI2LTAxLTAxVDAwOjAwKzAwOjAwIiwgNV0",  # an id that is a number
    "bnVsbA",  # null
])
def test_crafted_cursors_are_400_not_500(api_as, cursor):
    response = api_as(INITIATOR).get(f"/workflows?view=approve&cursor={cursor}")
    assert _error(response)[:2] == (400, "Validation failed")


def test_bad_list_arguments(api_as):
    response = api_as(INITIATOR).get("/workflows?view=everything&status=DONE&limit=1000&cursor=xyz")
    status, title, details = _error(response)
    assert (status, title) == (400, "Validation failed")
    assert details.split("; ") == [
        "view: View must be one of mine, approve, watching, all",
        "status: Status must be one of PENDING, APPROVED, REJECTED, CANCELLED, RETURNED",
        "cursor: Cursor is not valid (use nextCursor from the previous page)",
        "limit: Limit must be a whole number from 1 to 100",
    ]
    assert api_as(INITIATOR).get("/workflows?view=all").status_code == 403
