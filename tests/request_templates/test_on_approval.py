"""A template's on-approval flows: the new hire's onboarding starts when HR approves."""

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.events import Event
from momoflow.flows.models import Assignment, Flow
from momoflow.request_templates import on_approval
from momoflow.workflows.models import WorkflowRequest
from tests.request_templates.conftest import raise_from

HIRING_MANAGER, MANAGERS_MANAGER, HR, HIRE = ("manager@royalenfield.com", "director@royalenfield.com",
                                              "hr@royalenfield.com", "sam.lee@company.com")


def new_hire(**changes):
    definition = {
        "name": "New hire", "category": "People",
        "fields": [{"key": "hire", "label": "New hire's email", "type": "PERSON", "required": True},
                   {"key": "start_date", "label": "Start date", "type": "DATE", "required": True}],
        "levels": [{"levelName": "Hiring manager's manager", "tatHours": 24, "approverRule": {"type": "MANAGER"}},
                   {"levelName": "HR", "tatHours": 48, "approverRule": {"type": "PEOPLE", "emails": [HR]}}],
        "onApproval": [{"flowId": "flow_123abc", "assignTo": {"field": "hire"}, "dueInDays": 14}],
    }
    definition.update(changes)
    return definition


def approve_all(api_as, request):
    for level in request["approvalLevels"]:
        response = api_as(level["approverEmail"]).post(
            f"/workflows/{request['requestId']}/levels/{level['levelId']}/approve", json={"comments": "Welcome"})
        assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def from_request(db, request_id):
    return db.session.scalars(sa.select(Assignment).where(
        Assignment.source_request_id == uuid.UUID(request_id))).all()


@pytest.fixture
def raised(make_template, api_as):
    template = make_template(new_hire())
    request = raise_from(api_as(HIRING_MANAGER), template, {"hire": HIRE, "start_date": "2027-01-04"})
    assert request.status_code == 201, request.get_json()
    return request.get_json()["data"]


def test_approval_assigns_the_flow_to_the_hire_once_even_if_the_event_is_handled_twice(raised, api_as, db, demo):
    assert [level["approverEmail"] for level in raised["approvalLevels"]] == [MANAGERS_MANAGER, HR]
    assert from_request(db, raised["requestId"]) == []
    approved = approve_all(api_as, raised)
    assert approved["status"] == "APPROVED"
    (assignment,) = from_request(db, raised["requestId"])
    assert assignment.user_id == demo[HIRE].id
    assert assignment.flow_id == db.session.scalar(sa.select(Flow.id).where(Flow.public_id == "flow_123abc"))
    closed_at = db.session.scalar(sa.select(WorkflowRequest.closed_at).where(
        WorkflowRequest.id == uuid.UUID(raised["requestId"])))
    assert assignment.due_date == closed_at + timedelta(days=14)
    assigned = db.session.scalar(sa.select(Event).where(Event.type == "flow.assigned",
                                                        Event.subject_id == assignment.id))
    assert assigned.payload["sourceRequestId"] == raised["requestId"]
    assert assigned.payload["sourceRequestNumber"] == raised["requestNumber"]
    approval = db.session.scalar(sa.select(Event).where(Event.type == "workflow.approved",
                                                        Event.subject_id == uuid.UUID(raised["requestId"])))
    on_approval.handle([approval])
    on_approval.handle([approval])
    assert len(from_request(db, raised["requestId"])) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.type == "flow.assigned", Event.subject_id == assignment.id)) == 1


def test_the_request_log_and_the_hires_page_say_why(raised, api_as, db, demo, client, login_as):
    approve_all(api_as, raised)
    detail = api_as(HIRING_MANAGER).get(f"/workflows/{raised['requestId']}").get_json()["data"]
    line = next(activity for activity in detail["activities"] if activity["action"] == "flow.assigned_on_approval")
    assert "Customer Onboarding was assigned to Sam Lee" in line["summary"]
    login_as(demo[HIRE])
    page = re.sub(r"<[^>]+>", "", client.get("/my-flows").get_data(as_text=True))
    assert "Customer Onboarding" in page and f"because {raised['requestNumber']} was approved" in page


def test_a_rejected_request_assigns_nothing(raised, api_as, db):
    level = raised["approvalLevels"][0]
    api_as(level["approverEmail"]).post(f"/workflows/{raised['requestId']}/levels/{level['levelId']}/reject",
                                        json={"comments": "Not this quarter"})
    assert from_request(db, raised["requestId"]) == []


def test_the_requester_may_be_the_one_assigned(make_template, api_as, db, demo):
    template = make_template(new_hire(name="Manager training", onApproval=[
        {"flowId": "flow_mgr201", "assignTo": "REQUESTER", "dueInDays": 0}]))
    request = raise_from(api_as(HIRING_MANAGER), template, {"hire": HIRE, "start_date": "2027-01-04"})
    approve_all(api_as, request.get_json()["data"])
    (assignment,) = from_request(db, request.get_json()["data"]["requestId"])
    assert assignment.user_id == demo[HIRING_MANAGER].id and assignment.due_date is None
