"""Levels with several approvers: each rule and rejection policy, supersede, adding an
approver to a running level, and reassigning a task (issue 12)."""

import pytest
import sqlalchemy as sa

from momoflow.events import Event
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
ADMIN = "admin@company.com"
A, B, C = "manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com"
LATER = "vp@royalenfield.com"


def level(*emails, mode=None, minimum=None, policy=None, **more):
    body = {"approvers": [{"email": email} for email in emails], "tatHours": 24, **more}
    if mode:
        body["approvalMode"] = mode
    if minimum is not None:
        body["minApprovals"] = minimum
    if policy:
        body["rejectionPolicy"] = policy
    return body


def create(api_as, *levels, initiator=INITIATOR):
    response = api_as(initiator).post("/workflows", json=simple_request(approvalLevels=list(levels)))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def act(api_as, email, request, decision, comments="ok", number=1):
    level_id = request["approvalLevels"][number - 1]["levelId"]
    return api_as(email).post(f"/workflows/{request['requestId']}/levels/{level_id}/{decision}",
                              json={"comments": comments})


def detail(api_as, request, email=INITIATOR):
    return api_as(email).get(f"/workflows/{request['requestId']}").get_json()["data"]


def statuses(data, number=1):
    return {task["email"]: task["status"] for task in data["approvalLevels"][number - 1]["approvers"]}


# --- the shape ---------------------------------------------------------------------------


def test_a_level_of_several_shows_its_rule_and_each_approvers_task(api_as, demo):
    created = create(api_as, level(A, B, C, mode="QUORUM", minimum=2), {"email": LATER, "tatHours": 8})
    first, second = created["approvalLevels"]
    assert (first["approvalMode"], first["minApprovals"], first["rejectionPolicy"], first["onBreach"]) == (
        "QUORUM", 2, "VETO", "NOTIFY")
    assert (first["approverEmail"], first["levelName"]) == (A, "Level 1 Approval")
    assert [task["email"] for task in first["approvers"]] == [A, B, C]
    assert first["approvers"][0] == {
        "taskId": first["approvers"][0]["taskId"], "email": A, "name": demo[A].display_name, "status": "PENDING",
        "actedAt": None, "comments": None, "actedBy": None, "onBehalfOf": None, "reason": None, "escalatedTo": None, "round": 1}
    # The seed's one-email level is one approver, ANY.
    assert (second["approvalMode"], second["minApprovals"], [t["email"] for t in second["approvers"]]) == (
        "ANY", 1, [LATER])


@pytest.mark.parametrize("body, path, message", [
    (level(A, B) | {"email": C}, "approvalLevels.0.email", "Give either email"),
    (level(), "approvalLevels.0.approvers", "at least one"),
    (level(A, B, mode="QUORUM", minimum=3), "approvalLevels.0.minApprovals", "from 1 to 2"),
    (level(A, B, mode="QUORUM"), "approvalLevels.0.minApprovals", "from 1 to 2"),
    (level(A, B, mode="SOME"), "approvalLevels.0.approvalMode", "ANY, ALL or QUORUM"),
    (level(A, B, policy="MAYBE"), "approvalLevels.0.rejectionPolicy", "VETO or UNREACHABLE"),
    (level(A, "not-an-email"), "approvalLevels.0.approvers.1.email", "Valid email"),
    (level(A, *[f"x{n}@royalenfield.com" for n in range(20)]), "approvalLevels.0.approvers", "at most 20"),
])
def test_bad_levels_are_400_naming_the_path(api_as, demo, body, path, message):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(approvalLevels=[body]))
    assert response.status_code == 400
    details = response.get_json()["details"]
    assert f"{path}: " in details and message in details, details


def test_a_duplicate_anywhere_in_the_request_names_its_path(api_as, demo):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(approvalLevels=[
        {"email": A, "tatHours": 8}, level(B, C, A.upper())]))
    assert response.status_code == 400
    assert response.get_json()["details"] == (f"approvalLevels.1.approvers.2.email: Duplicate approver email found: "
                                              f"{A}. Each approver must have a unique email.")


def test_the_initiator_is_never_an_approver(api_as, demo):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(approvalLevels=[level(A, INITIATOR)]))
    assert response.status_code == 400
    assert "You cannot approve your own request" in response.get_json()["details"]


# --- the rules ---------------------------------------------------------------------------


def test_any_one_approval_decides_and_the_others_are_superseded(api_as, demo, db):
    created = create(api_as, level(A, B, C), {"email": LATER, "tatHours": 8})
    assert act(api_as, B, created, "approve", "fine by me").status_code == 200
    data = detail(api_as, created)
    assert data["approvalLevels"][0]["status"] == "APPROVED" and data["currentLevel"] == 2
    assert statuses(data) == {A: "SUPERSEDED", B: "APPROVED", C: "SUPERSEDED"}
    approved = data["approvalLevels"][0]["approvers"][1]
    assert approved["actedBy"] == {"email": B, "name": demo[B].display_name} and approved["comments"] == "fine by me"
    # The superseded can no longer act, and their inbox is empty.
    late = act(api_as, A, created, "approve")
    assert (late.status_code, late.get_json()["details"]) == (409, "Level 1 has already been approved")
    assert api_as(A).get("/workflows?view=approve").get_json()["data"] == []
    superseded = db.session.scalar(sa.select(Event).where(Event.type == "level.superseded"))
    assert set(superseded.payload["supersededEmails"]) == {A, C}


def test_all_needs_everyone_and_counts_progress(api_as, demo):
    created = create(api_as, level(A, B, C, mode="ALL"))
    assert act(api_as, A, created, "approve").status_code == 200
    assert act(api_as, B, created, "approve").status_code == 200
    data = detail(api_as, created)
    assert data["approvalLevels"][0]["status"] == "IN_PROGRESS" and data["status"] == "PENDING"
    assert [a["action"] for a in data["activities"]].count("task.approved") == 2
    twice = act(api_as, A, created, "approve")
    assert (twice.status_code, twice.get_json()["details"]) == (409, "You have already approved level 1")
    assert act(api_as, C, created, "approve").status_code == 200
    assert detail(api_as, created)["status"] == "APPROVED"


@pytest.mark.parametrize("policy", ["VETO", "UNREACHABLE"])
def test_all_with_one_rejection_is_rejected_whatever_the_policy(api_as, demo, policy):
    created = create(api_as, level(A, B, mode="ALL", policy=policy))
    assert act(api_as, A, created, "reject", "no budget").status_code == 200
    data = detail(api_as, created)
    assert (data["status"], statuses(data)) == ("REJECTED", {A: "REJECTED", B: "SUPERSEDED"})


def test_quorum_with_veto_one_rejection_rejects(api_as, demo):
    created = create(api_as, level(A, B, C, mode="QUORUM", minimum=2))
    assert act(api_as, A, created, "approve").status_code == 200
    assert act(api_as, B, created, "reject", "too expensive").status_code == 200
    data = detail(api_as, created)
    assert (data["status"], statuses(data)) == ("REJECTED", {A: "APPROVED", B: "REJECTED", C: "SUPERSEDED"})


def test_quorum_unreachable_rejects_only_when_the_quorum_cannot_be_reached(api_as, demo):
    created = create(api_as, level(A, B, C, mode="QUORUM", minimum=2, policy="UNREACHABLE"))
    assert act(api_as, A, created, "reject", "no").status_code == 200
    assert detail(api_as, created)["status"] == "PENDING"  # B and C can still make two
    assert act(api_as, B, created, "approve").status_code == 200
    assert act(api_as, C, created, "approve").status_code == 200
    assert detail(api_as, created)["status"] == "APPROVED"

    again = create(api_as, level(A, B, C, mode="QUORUM", minimum=2, policy="UNREACHABLE"))
    assert act(api_as, A, again, "reject", "no").status_code == 200
    assert act(api_as, B, again, "reject", "no").status_code == 200  # one approval left: two is out of reach
    assert (detail(api_as, again)["status"], statuses(detail(api_as, again))[C]) == ("REJECTED", "SUPERSEDED")


def test_any_unreachable_is_rejected_only_when_everyone_rejected(api_as, demo):
    created = create(api_as, level(A, B, C, policy="UNREACHABLE"))
    assert act(api_as, A, created, "reject", "no").status_code == 200
    assert act(api_as, B, created, "reject", "no").status_code == 200
    assert detail(api_as, created)["status"] == "PENDING"
    assert act(api_as, C, created, "reject", "no").status_code == 200
    assert detail(api_as, created)["status"] == "REJECTED"

    rescued = create(api_as, level(A, B, policy="UNREACHABLE"))
    assert act(api_as, A, rescued, "reject", "no").status_code == 200
    assert act(api_as, B, rescued, "approve").status_code == 200
    assert detail(api_as, rescued)["status"] == "APPROVED"


def test_any_with_veto_one_rejection_rejects(api_as, demo):
    created = create(api_as, level(A, B))
    assert act(api_as, B, created, "reject", "no").status_code == 200
    assert detail(api_as, created)["status"] == "REJECTED"


def test_the_level_deadline_is_the_levels_and_every_holder_sees_it(api_as, demo):
    created = create(api_as, level(A, B, mode="ALL"))
    deadline = created["approvalLevels"][0]["tatDeadline"]
    for email in (A, B):
        inbox = api_as(email).get("/workflows?view=approve").get_json()["data"]
        assert [item["currentApproval"]["tatDeadline"] for item in inbox] == [deadline]


# --- adding to a running level -------------------------------------------------------------


def test_the_initiator_adds_an_approver_to_a_running_level(api_as, demo):
    created = create(api_as, level(A, B, mode="ALL"))
    level_id = created["approvalLevels"][0]["levelId"]
    path = f"/workflows/{created['requestId']}/levels/{level_id}/approvers"
    refused = api_as(A).post(path, json={"email": C})
    assert (refused.status_code, refused.get_json()["details"]) == (
        403, "Only the initiator or an administrator can add approvers")
    added = api_as(INITIATOR).post(path, json={"email": C})
    assert added.status_code == 201, added.get_json()
    assert [task["email"] for task in added.get_json()["data"]["approvers"]] == [A, B, C]
    assert api_as(C).get("/workflows?view=approve").get_json()["data"][0]["requestId"] == created["requestId"]
    duplicate = api_as(INITIATOR).post(path, json={"email": A})
    assert duplicate.status_code == 400 and "Duplicate approver" in duplicate.get_json()["details"]
    for email in (A, B):
        assert act(api_as, email, created, "approve").status_code == 200
    assert detail(api_as, created)["status"] == "PENDING"  # ALL now counts C too
    assert act(api_as, C, created, "approve").status_code == 200
    decided = api_as(ADMIN).post(path, json={"email": LATER})
    assert decided.status_code == 409


def test_a_level_is_inserted_with_several_approvers(api_as, demo):
    created = create(api_as, {"email": A, "tatHours": 8})
    response = api_as(INITIATOR).post(f"/workflows/{created['requestId']}/approvers/at-level", json={
        "level": 1, "tatHours": 4, **level(B, C, mode="ALL")})
    assert response.status_code == 201, response.get_json()
    assert [task["email"] for task in response.get_json()["data"]["approvers"]] == [B, C]
    data = detail(api_as, created)
    assert (data["currentLevel"], statuses(data, 1), statuses(data, 2)) == (1, {B: "PENDING", C: "PENDING"},
                                                                             {A: "PENDING"})
    assert api_as(A).get("/workflows?view=approve").get_json()["data"] == []  # level 2 waits again


# --- reassign ----------------------------------------------------------------------------


def reassign(api_as, email, request, body, number=1):
    level_id = request["approvalLevels"][number - 1]["levelId"]
    return api_as(email).post(f"/workflows/{request['requestId']}/levels/{level_id}/reassign", json=body)


def test_the_holder_hands_their_task_on(api_as, demo, db):
    created = create(api_as, level(A, B, mode="ALL"))
    response = reassign(api_as, A, created, {"to": C, "reason": "On leave from Monday"})
    assert response.status_code == 200, response.get_json()
    tasks = response.get_json()["data"]["approvalLevels"][0]["approvers"]
    assert [(t["email"], t["status"], t["reason"]) for t in tasks] == [
        (A, "REASSIGNED", None), (C, "PENDING", "reassigned"), (B, "PENDING", None)]
    assert tasks[0]["comments"] == "On leave from Monday"
    assert api_as(A).get("/workflows?view=approve").get_json()["data"] == []
    assert len(api_as(C).get("/workflows?view=approve").get_json()["data"]) == 1
    moved = db.session.scalar(sa.select(Event).where(Event.type == "task.reassigned"))
    assert (moved.payload["fromEmail"], moved.payload["toEmail"]) == (A, C)
    # The old holder can no longer decide; the new one can, and ALL counts them.
    assert act(api_as, A, created, "approve").status_code == 409
    for email in (B, C):
        assert act(api_as, email, created, "approve").status_code == 200
    assert detail(api_as, created)["status"] == "APPROVED"


@pytest.mark.parametrize("body, status, words", [
    ({"to": INITIATOR, "reason": "x"}, 400, "You cannot approve your own request"),
    ({"to": "director@royalenfield.com", "reason": "x"}, 409, "is already an approver of level 1"),
    ({"to": C}, 400, "reason: Reason is required"),
    ({"to": "nobody@royalenfield.com", "reason": "x"}, 400, "not found in organization directory"),
    ({"to": C, "reason": "x", "from": B}, 403, "Only an administrator"),
])
def test_reassign_refusals(api_as, demo, body, status, words):
    created = create(api_as, level(A, B, mode="ALL"))
    response = reassign(api_as, A, created, body)
    assert response.status_code == status and words in response.get_json()["details"], response.get_json()


def test_someone_without_a_task_cannot_reassign(api_as, demo):
    created = create(api_as, level(A, B))
    response = reassign(api_as, INITIATOR, created, {"to": C, "reason": "x"})
    assert response.status_code == 403


def test_an_admin_moves_anyones_task(api_as, demo):
    created = create(api_as, level(A, B, mode="ALL"))
    response = reassign(api_as, ADMIN, created, {"from": B, "to": C, "reason": "B moved teams"})
    assert response.status_code == 200, response.get_json()
    assert statuses(response.get_json()["data"]) == {A: "PENDING", B: "REASSIGNED", C: "PENDING"}
    summary = next(a["summary"] for a in detail(api_as, created)["activities"] if a["action"] == "task.reassigned")
    assert summary == (f"{demo[ADMIN].display_name} reassigned {demo[B].display_name}'s task at level 1 to "
                       f"{demo[C].display_name}")
    missing = reassign(api_as, ADMIN, created, {"from": LATER, "to": "hr@royalenfield.com", "reason": "x"})
    assert missing.status_code == 404


@pytest.mark.parametrize("action, body", [
    ("reassign", {"to": 5, "reason": "x"}),
    ("reassign", {"to": C, "reason": ["x"]}),
    ("reassign", {"to": C, "reason": "x" * 100_000}),
    ("reassign", {"to": "\ud800@x.com", "reason": "x"}),
    ("reassign", {"to": C, "reason": "x", "from": {"email": B}}),
    ("approvers", {"email": None}),
    ("approvers", {"email": "a" * 5000 + "@x.com"}),
    ("approvers", [C]),
])
def test_hostile_bodies_on_task_endpoints_are_400(api_as, demo, action, body):
    created = create(api_as, level(A, B, mode="ALL"))
    level_id = created["approvalLevels"][0]["levelId"]
    response = api_as(ADMIN).post(f"/workflows/{created['requestId']}/levels/{level_id}/{action}", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["success"] is False


@pytest.mark.parametrize("body", [
    level(A, B, mode="QUORUM", minimum=2 ** 70),
    level(A, B, mode="QUORUM", minimum=True),
    level(A, B, mode=["ALL"]),
    {"approvers": "manager@royalenfield.com", "tatHours": 24},
    {"approvers": [A, B], "tatHours": 24},
])
def test_hostile_levels_are_400(api_as, demo, body):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(approvalLevels=[body]))
    assert response.status_code == 400, response.get_json()
