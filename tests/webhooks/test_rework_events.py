"""Send back for rework reaches webhooks like every other request event: a real
receiver gets workflow.returned and workflow.resubmitted, signed, with their payloads."""

import pytest

from momoflow import jobs
from momoflow.webhooks import services as webhooks
from momoflow.workflows import services
from momoflow.workflows.validation import parse_new_request, parse_resubmission
from tests.flows.conftest import demo_org  # noqa: F401  (fixture)
from tests.webhooks.receiver import receiver  # noqa: F401  (fixture)
from tests.workflows.conftest import simple_request

INITIATOR, MANAGER = "employee@company.com", "manager@royalenfield.com"


@pytest.fixture
def endpoint(receiver, demo_org, db):  # noqa: F811  (the fixtures above)
    endpoint, receiver.secret = webhooks.create_endpoint(demo_org, receiver.url)
    db.session.commit()
    return endpoint


def settle(db):
    db.session.commit()
    jobs.run_pending_in_process()


def test_returned_and_resubmitted_are_delivered(demo, endpoint, receiver, db):
    created = services.create_request(demo[INITIATOR], parse_new_request(simple_request(MANAGER)))
    db.session.flush()
    level_id = created.levels[0].id
    services.return_request(demo[MANAGER], created.id, level_id, "Attach the quote")
    settle(db)
    services.resubmit_request(demo[INITIATOR], created.id, parse_resubmission({"title": "With the quote"}))
    settle(db)
    received = {delivery.json["type"]: delivery for delivery in receiver.deliveries}
    returned, resubmitted = received["workflow.returned"], received["workflow.resubmitted"]
    assert returned.verified and resubmitted.verified
    assert returned.json["data"]["comments"] == "Attach the quote"
    assert returned.json["data"]["status"] == "RETURNED" and returned.json["data"]["to"] == "INITIATOR"
    assert resubmitted.json["data"]["round"] == 2 and resubmitted.json["data"]["status"] == "PENDING"
    assert resubmitted.json["data"]["changes"] == [
        {"field": "title", "label": "Title", "old": "Purchase Order", "new": "With the quote"}]
