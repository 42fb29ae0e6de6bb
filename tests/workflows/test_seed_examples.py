"""Every example of the workflow seed document, sent as written, through the HTTP API."""

import io

import pytest

from momoflow.events import Event
from momoflow.openapi import seed_examples
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"

# The seed's examples as the OpenAPI document carries them; tests/platform/test_openapi.py
# checks those against the seed document itself.
EXAMPLE_1, EXAMPLE_2, EXAMPLE_3 = seed_examples.CREATE_SIMPLE, seed_examples.CREATE_EXPRESS, \
    seed_examples.CREATE_LEVEL_NAMES

EXAMPLE_4_PAYLOAD = seed_examples.MULTIPART_PAYLOAD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_login_answers_with_token_and_user(client, demo, app):
    response = client.post("/api/v1/auth/login",
                           json={"email": INITIATOR, "password": app.config["DEMO_PASSWORD"]})
    body = response.get_json()
    assert response.status_code == 200 and body["success"] is True
    assert body["data"]["token"] and body["data"]["user"]["email"] == INITIATOR


def test_example_1_simple_workflow(api_as, db):
    response = api_as(INITIATOR).post("/workflows", json=EXAMPLE_1)
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["success"] is True and body["message"] == "Workflow created successfully"
    data = body["data"]
    assert data["status"] == "PENDING" and data["title"] == EXAMPLE_1["title"]
    assert data["requestNumber"].startswith("REQ-") and len(data["requestNumber"]) == len("REQ-2025-12-0001")
    levels = data["approvalLevels"]
    assert [(l["levelNumber"], l["approverEmail"], l["approverName"], l["levelName"], l["tatHours"]) for l in levels] == [
        (1, "manager@royalenfield.com", "Arjun Mehta", "Manager Approval", 24),
        (2, "director@royalenfield.com", "Kavita Rao", "Director Approval", 48),
        (3, "cfo@royalenfield.com", "Rajesh Iyer", "Chief Financial Officer Approval", 72),
    ]
    assert [l["isFinalApprover"] for l in levels] == [False, False, True]
    assert [l["status"] for l in levels] == ["IN_PROGRESS", "PENDING", "PENDING"]
    assert all(l["levelId"] and l["approverId"] for l in levels)
    spectators = {p["userEmail"]: p for p in data["participants"] if p["participantType"] == "SPECTATOR"}
    assert set(spectators) == {"hr@royalenfield.com", "finance@royalenfield.com"}
    for spectator in spectators.values():
        assert (spectator["canComment"], spectator["canViewDocuments"], spectator["canDownloadDocuments"]) == (
            True, True, False)
    assert sorted(db.session.scalars(db.select(Event.type))) == ["level.started", "workflow.created"]


def test_example_2_express_with_final_flag(api_as):
    response = api_as(INITIATOR).post("/workflows", json=EXAMPLE_2)
    data = response.get_json()["data"]
    assert response.status_code == 201
    assert data["priority"] == "EXPRESS"
    assert [l["isFinalApprover"] for l in data["approvalLevels"]] == [False, True]
    assert [l["levelName"] for l in data["approvalLevels"]] == ["IT Manager Approval",
                                                                "Chief Technology Officer Approval"]


def test_example_3_custom_level_names(api_as):
    response = api_as(INITIATOR).post("/workflows", json=EXAMPLE_3)
    data = response.get_json()["data"]
    assert response.status_code == 201
    assert [l["levelName"] for l in data["approvalLevels"]] == [
        "Procurement Review", "Legal Compliance", "Executive Approval"]


def test_example_4_multipart_with_files(api_as, app):
    response = api_as(INITIATOR).post("/workflows/multipart", json=None, data={
        "payload": EXAMPLE_4_PAYLOAD,
        "files": [(io.BytesIO(PDF), "budget.pdf"), (io.BytesIO(b"Item,Amount\nLaptops,100\n"), "budget.csv")],
        "category": "SUPPORTING",
    })
    body = response.get_json()
    assert response.status_code == 201, body
    documents = body["data"]["documents"]
    assert [(d["fileName"], d["category"], d["contentType"]) for d in documents] == [
        ("budget.pdf", "SUPPORTING", "application/pdf"), ("budget.csv", "SUPPORTING", "text/csv")]
    assert documents[0]["size"] == len(PDF)
    assert [l["levelName"] for l in body["data"]["approvalLevels"]] == [
        "Finance Manager Approval", "Chief Financial Officer Approval"]


def test_level_name_falls_back_to_department_then_level_number(api_as):
    response = api_as(INITIATOR).post(
        "/workflows", json=simple_request("finance@royalenfield.com", "approver@royalenfield.com"))
    assert [l["levelName"] for l in response.get_json()["data"]["approvalLevels"]] == [
        "Finance Approval", "Level 2 Approval"]


@pytest.fixture
def example_request(api_as):
    response = api_as(INITIATOR).post("/workflows", json=simple_request("manager@royalenfield.com"))
    assert response.status_code == 201
    return response.get_json()["data"]


def test_add_approver_at_level(api_as, example_request):
    response = api_as(INITIATOR).post(f"/workflows/{example_request['requestId']}/approvers/at-level",
                                      json={"email": "newapprover@royalenfield.com", "tatHours": 24, "level": 2})
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["message"] == "Approver added successfully"
    data = body["data"]
    assert {key: data[key] for key in ("levelNumber", "levelName", "approverEmail", "approverName",
                                       "tatHours", "status")} == {
        "levelNumber": 2, "levelName": "Manager Approval", "approverEmail": "newapprover@royalenfield.com",
        "approverName": "John Doe", "tatHours": 24, "status": "PENDING"}
    assert data["levelId"] and data["approverId"]
    detail = api_as(INITIATOR).get(f"/workflows/{example_request['requestId']}").get_json()["data"]
    assert [l["isFinalApprover"] for l in detail["approvalLevels"]] == [False, True]


def test_add_general_approver(api_as, example_request):
    response = api_as(INITIATOR).post(f"/workflows/{example_request['requestId']}/participants/approver",
                                      json={"email": "approver@royalenfield.com"})
    body = response.get_json()
    assert response.status_code == 201, body
    assert body["data"]["participantType"] == "APPROVER"
    assert body["data"]["userEmail"] == "approver@royalenfield.com"


def test_add_spectator(api_as, example_request):
    response = api_as(INITIATOR).post(f"/workflows/{example_request['requestId']}/participants/spectator",
                                      json={"email": "spectator@royalenfield.com"})
    body = response.get_json()
    assert response.status_code == 201, body
    data = body["data"]
    assert data["participantId"] and data["userId"]
    assert {key: data[key] for key in ("userEmail", "userName", "participantType", "canComment",
                                       "canViewDocuments", "canDownloadDocuments")} == {
        "userEmail": "spectator@royalenfield.com", "userName": "Jane Doe", "participantType": "SPECTATOR",
        "canComment": True, "canViewDocuments": True, "canDownloadDocuments": False}


def test_complete_flow_example(client, demo, app):
    """The seed's "Complete Flow Example": login, create, add approver, add spectator."""
    login = client.post("/api/v1/auth/login", json={"email": "user@example.com", "password": app.config["DEMO_PASSWORD"]})
    headers = {"Authorization": f"Bearer {login.get_json()['data']['token']}"}
    created = client.post("/api/v1/workflows", headers=headers, json={
        "templateType": "CUSTOM", "title": "Purchase Order", "description": "Office equipment",
        "priority": "STANDARD", "approvalLevels": [{"email": "manager@example.com", "tatHours": 24}]})
    assert created.status_code == 201
    request_id = created.get_json()["data"]["requestId"]
    added = client.post(f"/api/v1/workflows/{request_id}/approvers/at-level", headers=headers,
                        json={"email": "director@example.com", "tatHours": 48, "level": 2})
    assert added.status_code == 201 and added.get_json()["data"]["levelNumber"] == 2
    spectator = client.post(f"/api/v1/workflows/{request_id}/participants/spectator", headers=headers,
                            json={"email": "hr@example.com"})
    assert spectator.status_code == 201
