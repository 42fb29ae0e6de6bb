"""Changing an assignment reaches webhooks like the other flow events: a real receiver gets
flow.cancelled (with the reason), flow.due_date_changed, flow.reminded (by hand and
automatic) and, for a reassignment, flow.cancelled with reassignedTo and flow.assigned,
each signed and shaped as the OpenAPI document's AssignmentEvent."""

from datetime import timedelta

from momoflow.database import utcnow
from momoflow.flows import managing, services
from momoflow.flows.schemas import iso
from momoflow.flows.validation import parse_assignment
from momoflow.jobs import tick
from tests.flows.conftest import demo_org  # noqa: F401  (fixture)
from tests.platform.openapi_checks import conformance
from tests.webhooks.receiver import receiver  # noqa: F401  (fixture)
from tests.webhooks.test_rework_events import endpoint, settle  # noqa: F401  (fixture, helper)

ADMIN, EMPLOYEE, HR = "admin@company.com", "employee@company.com", "hr@royalenfield.com"


def assign(demo, email, days):
    spec = parse_assignment({"flowId": "flow_123abc", "userEmail": email,
                             "dueDate": iso(utcnow() + timedelta(days=days))})
    return services.assign_flow(services.Assigner.signed_in(demo[ADMIN]), spec).assignment


def test_every_change_is_delivered(app, client, demo, endpoint, receiver, db):
    admin = services.Assigner.signed_in(demo[ADMIN])
    kept = assign(demo, EMPLOYEE, 10)
    managing.change_due_date(admin, kept.public_id, "2099-01-31")
    managing.remind_assignment(admin, kept.public_id)
    moved = assign(demo, "sam.lee@company.com", 10)
    managing.reassign_assignment(admin, moved.public_id, HR)
    settle(db)
    services.cancel_assignment(admin, kept.public_id, "Programme stopped")
    settle(db)
    tick.run(now=utcnow() + timedelta(days=7, hours=1))  # moved's new assignment: the 3-day reminder
    settle(db)

    received = {}
    for delivery in receiver.deliveries:
        assert delivery.verified
        received.setdefault(delivery.json["type"], []).append(delivery.json["data"])
    [changed] = received["flow.due_date_changed"]
    assert changed["dueDate"] == "2099-01-31T23:59:59Z" and changed["changedBy"]["email"] == ADMIN
    automatic, by_hand = sorted(received["flow.reminded"], key=lambda data: data["reminderType"])
    assert (by_hand["reminderType"], by_hand["remindedBy"]["email"]) == ("manual", ADMIN)
    assert (automatic["reminderType"], automatic["daysBefore"], automatic["remindedBy"]) == ("before_due", 3, None)
    assert automatic["userEmail"] == HR
    stopped, reassigned = sorted(received["flow.cancelled"], key=lambda data: data["reason"])
    assert stopped["reason"] == "Programme stopped" and stopped["assignmentId"] == kept.public_id
    assert reassigned["reason"] == "Reassigned to Meera Nair" and reassigned["reassignedTo"]["userEmail"] == HR
    assert reassigned["reassignedTo"]["assignmentId"] in {data["assignmentId"] for data in received["flow.assigned"]}

    document = client.get("/openapi.json").get_json()
    for data in [changed, by_hand, automatic, reassigned, stopped]:
        assert conformance(document, data, {"$ref": "#/components/schemas/AssignmentEvent"}) == []
