"""What notifications and emails say for each event type: titles, links, the two
email parts rendered from each type's templates, escaping, local times."""

import uuid

import pytest

from momoflow.events import EVENT_TYPES, Event
from momoflow.notifications import handlers, messages
from tests.notifications.conftest import BASE_URL

HOSTILE = "<script>alert(1)</script> & \"quotes\"\nSubject: injected"
REQUEST_ID = str(uuid.uuid4())
ENDPOINT_ID = str(uuid.uuid4())
REQUEST = {"requestId": REQUEST_ID, "requestNumber": "REQ-2026-01-0007", "title": HOSTILE, "status": "PENDING"}
LEVEL = {"levelNumber": 2, "levelName": "Finance <Review>", "tatDeadline": "2026-01-07T11:30:00+00:00"}
ASSIGNMENT = {"assignmentId": "asgn_abc123", "flowId": "flow_123abc", "flowName": HOSTILE,
              "userEmail": "employee@company.com", "dueDate": "2026-01-07T11:30:00Z", "priority": "high",
              "notes": "Bring <ID>", "progress": {"completedModules": 2, "totalModules": 5, "percent": 40},
              "completedAt": "2026-01-06T09:00:00Z", "assignedBy": {"type": "api_key", "name": "Workday"}}
PAYLOADS = {
    "level.started": {**REQUEST, **LEVEL},
    "level.tat_reminder": {**REQUEST, **LEVEL, "percent": 50},
    "level.tat_breached": {**REQUEST, **LEVEL},
    "level.approved": {**REQUEST, "levelNumber": 1, "comments": HOSTILE},
    "level.rejected": {**REQUEST, "levelNumber": 1, "comments": HOSTILE},
    "workflow.approved": {**REQUEST, "status": "APPROVED"},
    "workflow.rejected": {**REQUEST, "status": "REJECTED", "comments": HOSTILE},
    "workflow.created": {**REQUEST, "spectators": ["spectator@royalenfield.com"]},
    "approver.added": {**REQUEST, "levelNumber": 3, "approverEmail": "cfo@royalenfield.com"},
    "spectator.added": {**REQUEST, "userEmail": "hr@royalenfield.com"},
    "comment.added": {**REQUEST, "preview": HOSTILE},
    "flow.assigned": ASSIGNMENT,
    "flow.completed": ASSIGNMENT,
    "flow.overdue": ASSIGNMENT,
    "webhook.disabled": {"endpointId": ENDPOINT_ID, "url": "https://hooks.example.com/<x>", "reason": HOSTILE},
    "absence.set": {"absenceId": str(uuid.uuid4()), "userName": "Arjun <Mehta>", "userEmail": "manager@royalenfield.com",
                    "delegateId": str(uuid.uuid4()), "delegateEmail": "employee@company.com",
                    "start": "2026-01-07T03:30:00+00:00", "end": "2026-01-09T12:30:00+00:00", "message": HOSTILE},
}
LINKS = {"flow.assigned": "/my-flows/asgn_abc123", "flow.overdue": "/my-flows/asgn_abc123",
         "flow.completed": "/flows/assignments?email=employee@company.com",
         "webhook.disabled": f"/settings/webhooks/{ENDPOINT_ID}", "absence.set": "/inbox"}


@pytest.fixture
def reader(demo, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    person = demo["employee@company.com"]
    person.organization.timezone = "Asia/Kolkata"
    return person


def event_of(kind, payload=None):
    return Event(id=uuid.uuid4(), type=kind, organization_id=uuid.uuid4(), subject_id=uuid.uuid4(),
                 payload=PAYLOADS[kind] if payload is None else payload)


def test_every_kind_people_can_choose_is_an_event_type():
    assert set(messages.KINDS) <= EVENT_TYPES
    # webhook.test is for the endpoint it is sent to; nobody is notified of it.
    assert EVENT_TYPES - set(messages.KINDS) == {"workflow.withdrawn", "flow.started", "webhook.test"}


@pytest.mark.parametrize("kind", list(PAYLOADS))
def test_each_event_type_has_a_one_line_title_a_link_and_both_email_parts(app, reader, kind):
    event = event_of(kind)
    message = messages.compose(event, reader, "Arjun <Mehta>")
    assert message.title and "\n" not in message.title and len(message.title) <= messages.TITLE_LENGTH
    assert message.link == LINKS.get(kind, f"/requests/{REQUEST_ID}")

    text, html = handlers.render_email(event, reader, message)
    url = BASE_URL + message.link
    assert f"{url}" in text and f'href="{url.replace("&", "&amp;")}"' in html
    assert f"{BASE_URL}/settings/notifications" in text and f"{BASE_URL}/settings/notifications" in html
    assert "Hello Priya Sharma," in text and message.action in html
    assert "<script>" not in html and "<ID>" not in html and "<Review>" not in html and "<Mehta>" not in html
    if "title" in event.payload and kind not in ("webhook.disabled",):
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
        assert "<script>alert(1)</script>" in text  # the text part is text: nothing to escape


def test_times_read_in_the_organisations_time_zone(app, reader):
    message = messages.compose(event_of("level.started"), reader, "Arjun Mehta")
    assert message.body.endswith("Please decide by 7 Jan 2026, 17:00 IST.")
    text, _ = handlers.render_email(event_of("flow.assigned"), reader,
                                    messages.compose(event_of("flow.assigned"), reader, messages.SOMEONE))
    assert "Due: 7 Jan 2026, 17:00 IST" in text and "Workday assigned you" in text


def test_a_breach_reads_differently_for_the_approver_and_the_initiator(app, reader, demo):
    payload = {**PAYLOADS["level.tat_breached"], "approverId": str(reader.id)}
    assert messages.compose(event_of("level.tat_breached", payload), reader, "x").title.endswith(
        "your decision is overdue")
    other = demo["manager@royalenfield.com"]
    assert messages.compose(event_of("level.tat_breached", payload), other, "x").title.endswith(
        "level 2 is past its deadline")


def test_an_overdue_flow_reads_differently_for_the_assignee_and_the_assigner(app, reader, demo):
    mine = messages.compose(event_of("flow.overdue"), reader, messages.SOMEONE)
    theirs = messages.compose(event_of("flow.overdue"), demo["manager@royalenfield.com"], messages.SOMEONE)
    assert mine.link == "/my-flows/asgn_abc123" and "2 of 5 modules are done" in mine.body
    assert theirs.title.endswith("is overdue for employee@company.com")
    assert theirs.link.startswith("/flows/assignments")


def test_a_stand_in_reads_when_in_their_own_time_zone(app, reader):
    message = messages.compose(event_of("absence.set"), reader, "Arjun Mehta")
    assert message.title == "Arjun <Mehta> is out of office: you stand in"
    assert message.body.startswith("Arjun <Mehta> is out of office from 7 Jan 2026, 09:00 IST to 9 Jan 2026, 18:00 IST: "
                                   "you stand in for them.")
    text, html = handlers.render_email(event_of("absence.set"), reader, message)
    assert "Until: 9 Jan 2026, 18:00 IST" in text and "&lt;script&gt;" in html


def test_long_titles_and_comments_are_clipped(app, reader):
    payload = {**PAYLOADS["comment.added"], "title": "x" * 600, "preview": "y" * 600}
    message = messages.compose(event_of("comment.added", payload), reader, "Arjun Mehta")
    assert len(message.title) <= messages.TITLE_LENGTH
    assert "y" * messages.QUOTE_LENGTH not in message.body and "…" in message.body
