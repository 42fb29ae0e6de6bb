"""Flows an approved request assigns (``flows.from_requests``): once however often the
approval is handled, through the integrator API's path, remembered in the JSON, the
``flow.assigned`` webhook, the pages and the email."""

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from momoflow.events import Event
from momoflow.flows import from_requests, services
from momoflow.flows.editing import archive_flow
from momoflow.flows.from_requests import Result, assign_on_approval
from momoflow.flows.models import Assignment
from momoflow.flows.validation import parse_assignment
from momoflow.notifications import handlers, messages
from momoflow.webhooks import services as webhooks
from momoflow.workflows.models import Activity, RequestStatus, WorkflowRequest
from tests.platform.conftest import document  # noqa: F401  (fixture)
from tests.platform.openapi_checks import conformance
from tests.webhooks.receiver import receiver  # noqa: F401  (fixture)
from tests.webhooks.test_delivery import settle
from tests.workflows.conftest import api_as, simple_request  # noqa: F401  (fixture)

INITIATOR = "employee@company.com"
APPROVER = "manager@royalenfield.com"
HIRE = "hr@royalenfield.com"  # named in the request, not taking part in it
ONBOARDING = "flow_123abc"
DUE = datetime(2026, 12, 18, 17, 0, tzinfo=timezone.utc)


@pytest.fixture
def approved(api_as, db):
    """A request the initiator raised and its one approver approved, as a WorkflowRequest."""
    created = api_as(INITIATOR).post("/workflows", json=simple_request(APPROVER))
    assert created.status_code == 201, created.get_json()
    data = created.get_json()["data"]
    [level] = data["approvalLevels"]
    approver = api_as(APPROVER)
    response = approver.post(f"/workflows/{data['requestId']}/levels/{level['levelId']}/approve", json=None)
    assert response.status_code == 200, response.get_json()
    request = db.session.get(WorkflowRequest, uuid.UUID(data["requestId"]))
    assert request.status == RequestStatus.APPROVED
    return request


def _assigned_events(db):
    return db.session.scalars(sa.select(Event).where(Event.type == "flow.assigned")).all()


def _activity(db, request):
    return db.session.scalars(sa.select(Activity.summary).where(
        Activity.request_id == request.id, Activity.action == from_requests.ACTION)
        .order_by(Activity.created_at)).all()


def _from(db, request):
    return db.session.scalars(sa.select(Assignment).where(Assignment.source_request_id == request.id)).all()


# --- the service -----------------------------------------------------------------------


def test_handling_the_approval_twice_assigns_once(approved, demo, db):
    hire = demo[HIRE]
    first = assign_on_approval(approved, ONBOARDING, hire, DUE)
    second = assign_on_approval(approved, ONBOARDING, hire, DUE)

    assert first.result == Result.ASSIGNED and first.assigned
    assert second.result == Result.ALREADY_DONE and not second.assigned
    [assignment] = _from(db, approved)
    assert assignment.public_id == first.assignment.public_id == second.assignment.public_id
    assert (assignment.user_id, assignment.due_date, assignment.assigned_by_user_id,
            assignment.assigned_by_api_key_id) == (hire.id, DUE, None, None)
    [event] = _assigned_events(db)
    assert event.actor_id is None and event.payload["sourceRequestId"] == str(approved.id)
    assert event.payload["sourceRequestNumber"] == approved.request_number
    assert event.payload["assignedBy"] == {"type": "request", "name": f"request {approved.request_number}"}
    name = hire.display_name
    assert _activity(db, approved) == [f"Customer Onboarding was assigned to {name}, due 2026-12-18"]


@pytest.mark.parametrize("cancelled", [False, True], ids=["open", "cancelled since"])
def test_a_second_handler_racing_the_first_is_stopped_by_the_indexes(approved, demo, db, monkeypatch, cancelled):
    """The check-first finds nothing (as for a handler that read before the other's commit):
    the open-assignment index, or once that one is closed the source index, refuses the
    second row, and the outcome is the first one's."""
    hire = demo[HIRE]
    first = assign_on_approval(approved, ONBOARDING, hire, DUE)
    if cancelled:
        services.cancel_assignment(services.Assigner.on_approval(approved), first.assignment.public_id)
    calls = []
    real = from_requests._from_this_request

    def stale_first_read(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(from_requests, "_from_this_request", stale_first_read)

    again = assign_on_approval(approved, ONBOARDING, hire, DUE)
    assert again.result == Result.ALREADY_DONE and again.assignment.public_id == first.assignment.public_id
    assert len(calls) == 2 and len(_from(db, approved)) == 1 and len(_assigned_events(db)) == 1


def test_a_person_with_the_flow_open_from_elsewhere_keeps_it(approved, demo, db):
    admin, hire = demo["admin@company.com"], demo[HIRE]
    earlier = services.assign_flow(services.Assigner.signed_in(admin),
                                   parse_assignment({"flowId": ONBOARDING, "userEmail": HIRE})).assignment

    outcome = assign_on_approval(approved, ONBOARDING, hire, DUE)
    assert outcome.result == Result.ALREADY_OPEN and outcome.assignment.public_id == earlier.public_id
    assert outcome.assignment.source_request_id is None
    assert _from(db, approved) == [] and len(_assigned_events(db)) == 1
    assert _activity(db, approved) == [
        f"Customer Onboarding was not assigned to {hire.display_name}: {hire.display_name} already has it open"]


def test_an_archived_or_unknown_flow_or_a_person_who_left_is_an_outcome(approved, demo, demo_org, db):
    hire = demo[HIRE]
    archive_flow(demo_org, ONBOARDING)
    assert assign_on_approval(approved, ONBOARDING, hire, None).result == Result.FLOW_ARCHIVED
    assert assign_on_approval(approved, "flow_nope", hire, None).result == Result.FLOW_NOT_FOUND
    assert assign_on_approval(approved, "flow_\x00", hire, None).result == Result.FLOW_NOT_FOUND
    hire.active = False
    outcome = assign_on_approval(approved, "flow_sec101", hire, None)
    assert outcome.result == Result.PERSON_INACTIVE and outcome.assignment is None
    assert assign_on_approval(approved, "flow_sec101", hire, None) == outcome  # handled again: logged once
    assert _from(db, approved) == [] and _assigned_events(db) == []
    assert _activity(db, approved) == [
        f"Customer Onboarding was not assigned to {hire.display_name}: the flow is archived",
        "Flow flow_nope was not assigned: it does not exist",
        "Flow flow_ was not assigned: it does not exist",
        f"Security Awareness was not assigned to {hire.display_name}: their account is deactivated"]


# --- JSON, webhooks, email -------------------------------------------------------------


def test_the_api_shows_where_an_assignment_came_from(approved, demo, integrator, db, count_queries, document):
    made = assign_on_approval(approved, ONBOARDING, demo[HIRE], DUE).assignment
    plain = integrator.post("/flows/assign", json={"flowId": ONBOARDING, "userEmail": INITIATOR})
    assert plain.status_code == 200

    one = integrator.get(f"/assignments/{made.public_id}").get_json()
    assert (one["sourceRequestId"], one["sourceRequestNumber"]) == (str(approved.id), approved.request_number)
    assert conformance(document, one, {"$ref": "#/components/schemas/AssignmentDetail"}) == []
    with count_queries() as statements:
        listed = integrator.get("/assignments").get_json()["data"]
    sources = {row["userEmail"]: (row["sourceRequestId"], row["sourceRequestNumber"]) for row in listed}
    assert sources == {HIRE: (str(approved.id), approved.request_number), INITIATOR: (None, None)}
    listing = [s for s in statements if "FROM assignments" in s]
    assert len(listing) == 1 and "workflow_requests" in listing[0]


def test_the_list_reads_sources_in_a_fixed_number_of_queries(approved, demo, integrator, db, count_queries):
    def listing_queries():
        with count_queries() as statements:
            assert integrator.get("/assignments").status_code == 200
        return len(statements)

    assign_on_approval(approved, ONBOARDING, demo[HIRE], DUE)
    listing_queries()  # the key's first use is noted once
    one = listing_queries()
    for email in ("cfo@royalenfield.com", "finance@royalenfield.com", "director@royalenfield.com"):
        assign_on_approval(approved, ONBOARDING, demo[email], DUE)
    assert listing_queries() == one


def test_the_flow_assigned_webhook_names_the_request(approved, demo, demo_org, receiver, db, document):
    endpoint, receiver.secret = webhooks.create_endpoint(demo_org, receiver.url, ["flow.assigned"])
    settle(db)
    outcome = assign_on_approval(approved, ONBOARDING, demo[HIRE], DUE)
    settle(db)

    [received] = receiver.deliveries
    assert received.verified, received.problem
    data = received.json["data"]
    assert received.json["type"] == "flow.assigned" and data["assignmentId"] == outcome.assignment.public_id
    assert data["sourceRequestId"] == str(approved.id)
    assert data["sourceRequestNumber"] == approved.request_number
    assert data["assignedBy"] == {"type": "request", "name": f"request {approved.request_number}"}
    assert conformance(document, data, {"$ref": "#/components/schemas/AssignmentEvent"}) == []


def test_the_email_says_which_approval_assigned_it(app, approved, demo, db):
    hire = demo[HIRE]
    assign_on_approval(approved, ONBOARDING, hire, DUE)
    [event] = _assigned_events(db)
    message = messages.compose(event, hire, messages.SOMEONE)
    assert f"because {approved.request_number} was approved" in message.body
    text, html = handlers.render_email(event, hire, message)
    assert f"Assigned because: {approved.request_number} was approved" in text
    assert f"{approved.request_number} was approved" in html


# --- pages -----------------------------------------------------------------------------


def _because(approved):
    return f'Assigned because <span class="nowrap">{approved.request_number}</span> was approved'


def _link(approved):
    return f'href="/requests/{approved.id}">{approved.request_number}</a> was approved'


def test_my_flows_and_the_flow_page_link_the_request_for_its_initiator(approved, demo, client, login_as, db):
    made = assign_on_approval(approved, ONBOARDING, demo[INITIATOR], DUE).assignment
    login_as(demo[INITIATOR])
    for path in ("/my-flows", f"/my-flows/{made.public_id}"):
        html = client.get(path).get_data(as_text=True)
        assert _link(approved) in html, path


def test_someone_not_taking_part_reads_the_number_without_a_link(approved, demo, client, login_as, db):
    made = assign_on_approval(approved, ONBOARDING, demo[HIRE], DUE).assignment
    login_as(demo[HIRE])
    for path in ("/my-flows", f"/my-flows/{made.public_id}"):
        html = " ".join(client.get(path).get_data(as_text=True).split())
        assert _because(approved) in html and f'href="/requests/{approved.id}"' not in html, path
    assert client.get(f"/requests/{approved.id}").status_code == 404  # as the plain text promises


def test_the_overview_links_for_an_admin_and_not_for_a_manager_outside_it(approved, demo, client, login_as, db):
    assign_on_approval(approved, ONBOARDING, demo[HIRE], DUE)
    login_as(demo["admin@company.com"])
    assert _link(approved) in client.get("/flows/assignments").get_data(as_text=True)
    login_as(demo["director@royalenfield.com"])
    html = " ".join(client.get("/flows/assignments").get_data(as_text=True).split())
    assert _because(approved) in html and f'href="/requests/{approved.id}"' not in html


def test_ordinary_assignments_say_nothing_of_requests(demo, integrator, client, login_as, db):
    assert integrator.post("/flows/assign", json={"flowId": ONBOARDING, "userEmail": INITIATOR}).status_code == 200
    login_as(demo[INITIATOR])
    assert "Assigned because" not in client.get("/my-flows").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/my-flows", "/flows/assignments"])
def test_the_lists_read_sources_in_a_fixed_number_of_queries(approved, demo, client, login_as, db, count_queries,
                                                              path):
    def page_queries():
        with count_queries() as statements:
            html = client.get(path).get_data(as_text=True)
        return len(statements), html.count(_link(approved))

    assign_on_approval(approved, ONBOARDING, demo[INITIATOR], DUE)
    login_as(demo["admin@company.com"] if path == "/flows/assignments" else demo[INITIATOR])
    page_queries()
    one = page_queries()
    for flow_id in ("flow_sec101", "flow_mgr201"):
        assign_on_approval(approved, flow_id, demo[INITIATOR], DUE)
    assert page_queries() == (one[0], 3) and one[1] == 1


def test_the_request_page_and_its_api_twin_show_the_activity_line(approved, demo, api_as, client, login_as, db):
    assign_on_approval(approved, ONBOARDING, demo[HIRE], DUE)
    line = f"Customer Onboarding was assigned to {demo[HIRE].display_name}, due 2026-12-18"
    [activity] = [a for a in api_as(INITIATOR).get(f"/workflows/{approved.id}").get_json()["data"]["activities"]
                  if a["action"] == from_requests.ACTION]
    assert activity["summary"] == line and activity["actor"] is None
    assert activity["details"]["result"] == "assigned" and activity["details"]["userEmail"] == HIRE
    login_as(demo[INITIATOR])
    assert line in client.get(f"/requests/{approved.id}").get_data(as_text=True)
