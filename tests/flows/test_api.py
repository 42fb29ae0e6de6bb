"""The integrator API through HTTP: the seed's request, response and errors, word for word."""

import re

import pytest

from momoflow.apikeys.models import ApiKey
from momoflow.events import Event
from momoflow.flows.models import Assignment, AssignmentStatus
from tests.factories import make_org, make_user
from tests.flows.conftest import SEED_BODY, Integrator


def test_the_seed_request_assigns_the_flow(integrator, db):
    response = integrator.post("/flows/assign", json=SEED_BODY, headers={"X-Request-ID": "req_unique_id"})
    body = response.get_json()
    assert response.status_code == 200, body
    assert list(body) == ["success", "assignmentId", "message", "details"]
    assert body["success"] is True and body["message"] == "Flow assigned successfully"
    assert re.fullmatch(r"asgn_[0-9A-Za-z]{12}", body["assignmentId"])
    details = body["details"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", details.pop("assignedAt"))
    assert details == {"assigneeEmail": "employee@company.com", "flowName": "Customer Onboarding",
                       "moduleCount": 5, "estimatedDuration": "2 hours"}
    assert response.headers["X-Request-ID"] == "req_unique_id"
    assignment = db.session.scalar(db.select(Assignment))
    assert assignment.priority.value == "high" and assignment.notes.startswith("Please complete")
    assert assignment.effective_status() == AssignmentStatus.OVERDUE  # due in 2024: overdue at once
    event = db.session.scalar(db.select(Event).where(Event.type == "flow.assigned"))
    assert event.payload["assignmentId"] == body["assignmentId"]
    assert event.payload["userEmail"] == "employee@company.com" and event.payload["status"] == "overdue"


def test_only_flow_and_email_are_required(integrator):
    response = integrator.post("/flows/assign", json={"flowId": "flow_sec101", "userEmail": "hr@example.com"})
    assert response.status_code == 200
    detail = integrator.get(f"/assignments/{response.get_json()['assignmentId']}").get_json()
    assert (detail["priority"], detail["dueDate"], detail["status"]) == ("medium", None, "assigned")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer mf_live_notavalidkeyatallnotavalidkey1234"}])
def test_missing_or_invalid_key_is_401(client, demo, headers):
    response = client.post("/v1/flows/assign", json=SEED_BODY, headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "message": "Invalid or missing API key"}


def test_a_revoked_key_is_401_at_once(integrator, demo_org, db):
    assert integrator.get("/flows").status_code == 200
    db.session.scalar(db.select(ApiKey)).revoked_at = db.func.now()
    db.session.flush()
    assert integrator.post("/flows/assign", json=SEED_BODY).status_code == 401


def test_unknown_flow_is_404(integrator):
    response = integrator.post("/flows/assign", json={**SEED_BODY, "flowId": "flow_nope"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "not_found", "message": "Flow with ID 'flow_nope' does not exist"}


def test_unknown_user_is_404(integrator):
    response = integrator.post("/flows/assign", json={**SEED_BODY, "userEmail": "ghost@company.com"})
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "not_found", "message": "User with email 'ghost@company.com' does not exist in your organization"}


def test_other_organisations_people_and_flows_do_not_exist(client, integrator, db):
    other = make_org()
    make_user(other, email="outsider@other.example")
    response = integrator.post("/flows/assign", json={**SEED_BODY, "userEmail": "outsider@other.example"})
    assert response.status_code == 404
    from momoflow.apikeys.services import create_api_key

    _, secret = create_api_key(other, "theirs")
    db.session.flush()
    response = Integrator(client, secret).post("/flows/assign", json=SEED_BODY)
    assert response.get_json() == {"error": "not_found", "message": "Flow with ID 'flow_123abc' does not exist"}


@pytest.mark.parametrize("change, message", [
    ({"userEmail": "not-an-email"}, "userEmail: userEmail must be a valid email address"),
    ({"dueDate": "next tuesday"}, "dueDate: dueDate must be ISO 8601, e.g. 2024-11-25T23:59:59Z or 2024-11-25"),
    ({"dueDate": "2024-11-25T23:59:59"}, "dueDate: dueDate needs a time zone, e.g. 2024-11-25T23:59:59Z"),
    ({"priority": "urgent"}, "priority: priority must be one of low, medium, high"),
    ({"notes": "x" * 2001}, "notes: notes must be at most 2000 characters"),
    ({"flowId": None}, "flowId: flowId is required"),
])
def test_bad_input_is_400_naming_the_field(integrator, change, message):
    response = integrator.post("/flows/assign", json={**SEED_BODY, **change})
    assert response.status_code == 400
    assert response.get_json() == {"error": "validation_error", "message": message}


def test_not_json_is_400_and_wrong_content_type_415(integrator):
    response = integrator.post("/flows/assign", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == "validation_error"
    response = integrator.post("/flows/assign", data="flowId=x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.get_json() == {"error": "unsupported_media_type", "message": "Content-Type must be application/json"}


def test_date_only_due_dates_mean_the_end_of_that_day(integrator):
    response = integrator.post("/flows/assign", json={**SEED_BODY, "dueDate": "2030-01-31"})
    detail = integrator.get(f"/assignments/{response.get_json()['assignmentId']}").get_json()
    assert detail["dueDate"] == "2030-01-31T23:59:59Z" and detail["status"] == "assigned"


def test_assigning_an_open_flow_again_is_409_with_the_existing_id(integrator):
    first = integrator.post("/flows/assign", json=SEED_BODY).get_json()["assignmentId"]
    response = integrator.post("/flows/assign", json=SEED_BODY)
    body = response.get_json()
    assert response.status_code == 409
    assert body["error"] == "already_assigned" and body["assignmentId"] == first
    assert integrator.post(f"/assignments/{first}/cancel").status_code == 200
    assert integrator.post("/flows/assign", json=SEED_BODY).status_code == 200  # cancelled: open again


def test_flows_and_assignments_can_be_read(integrator):
    flows = integrator.get("/flows").get_json()["data"]
    assert {flow["flowId"] for flow in flows} >= {"flow_123abc", "flow_sec101", "flow_mgr201"}
    flow = integrator.get("/flows/flow_123abc").get_json()
    assert flow["estimatedDuration"] == "2 hours" and [m["position"] for m in flow["modules"]] == [1, 2, 3, 4, 5]
    assert integrator.get("/flows/flow_nope").status_code == 404
    ids = [integrator.post("/flows/assign", json={"flowId": "flow_sec101", "userEmail": email}).get_json()["assignmentId"]
           for email in ("hr@example.com", "user@example.com", "manager@example.com")]
    page = integrator.get("/assignments?limit=2").get_json()
    assert [item["assignmentId"] for item in page["data"]] == ids[::-1][:2] and page["nextCursor"]
    rest = integrator.get(f"/assignments?limit=2&cursor={page['nextCursor']}").get_json()
    assert [item["assignmentId"] for item in rest["data"]] == [ids[0]] and rest["nextCursor"] is None
    only = integrator.get("/assignments?userEmail=hr@example.com").get_json()["data"]
    assert [item["userEmail"] for item in only] == ["hr@example.com"]
    assert set(only[0]) >= {"assignmentId", "flowId", "userEmail", "status", "dueDate", "priority", "progress"}
    assert integrator.get("/assignments?status=overdue").get_json()["data"] == []
    assert integrator.get("/assignments?status=sideways").status_code == 400


def test_bulk_assign_gives_a_result_per_item(integrator):
    items = [{"flowId": "flow_sec101", "userEmail": "hr@example.com"},
             {"flowId": "flow_sec101", "userEmail": "ghost@example.com"},
             {"flowId": "flow_nope", "userEmail": "hr@example.com"},
             {"flowId": "flow_sec101", "userEmail": "bad"},
             {"flowId": "flow_sec101", "userEmail": "hr@example.com"},
             {"flowId": "flow_sec101", "userEmail": "user@example.com", "priority": "low"}]
    response = integrator.post("/flows/assign/bulk", json={"assignments": items})
    body = response.get_json()
    assert response.status_code == 200, body
    assert (body["assigned"], body["failed"]) == (2, 4)
    assert [result.get("error") for result in body["results"]] == [
        None, "not_found", "not_found", "validation_error", "already_assigned", None]
    assert body["results"][4]["assignmentId"] == body["results"][0]["assignmentId"]
    assert integrator.post("/flows/assign/bulk", json={"assignments": []}).status_code == 400


def test_bulk_falls_back_item_by_item_when_a_duplicate_slips_in(integrator, monkeypatch):
    """As if another request assigned the same flow between our check and our insert."""
    from momoflow.flows import services

    first = integrator.post("/flows/assign", json={"flowId": "flow_sec101", "userEmail": "hr@example.com"})
    monkeypatch.setattr(services, "_open_assignment_ids", lambda *args: {})
    items = [{"flowId": "flow_sec101", "userEmail": "user@example.com"},
             {"flowId": "flow_sec101", "userEmail": "hr@example.com"}]
    body = integrator.post("/flows/assign/bulk", json={"assignments": items}).get_json()
    assert [(r["success"], r.get("error")) for r in body["results"]] == [(True, None), (False, "already_assigned")]
    assert body["results"][1]["assignmentId"] == first.get_json()["assignmentId"]


def test_api_answers_carry_no_session(integrator, client, login_as, demo):
    """Bearer-authenticated answers never depend on a cookie: no Vary: Cookie, no Set-Cookie,
    even for a caller that also has a browser session. Pages keep theirs."""
    login_as(demo["admin@company.com"])
    for answer in (integrator.get("/flows"), integrator.post("/flows/assign", json=SEED_BODY),
                   client.get("/v1/flows"), client.get("/api/v1/requests")):
        assert "Cookie" not in answer.headers.get("Vary", ""), answer.request.path
        assert "Set-Cookie" not in answer.headers
    page = client.get("/my-flows")
    assert page.status_code == 200 and "Cookie" in page.headers["Vary"]
