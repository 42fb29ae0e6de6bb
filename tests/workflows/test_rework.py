"""Sending a request back for rework, resubmitting it, and its rounds, through the API."""

import io
import uuid

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.events import Event
from momoflow.notifications.models import Notification
from momoflow.workflows.models import ApprovalTask
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
MANAGER, DIRECTOR, CFO = "manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com"
PDF = b"%PDF-1.4\n%%EOF\n"


def _create(api_as, *approvers, **fields):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(*approvers, **fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]["requestId"]


def _detail(api, request_id):
    return api.get(f"/workflows/{request_id}").get_json()["data"]


def _level(api, request_id, number):
    return next(level for level in _detail(api, request_id)["approvalLevels"] if level["levelNumber"] == number)


def _act(api_as, email, request_id, number, verb, **body):
    level = _level(api_as(email), request_id, number)
    return api_as(email).post(f"/workflows/{request_id}/levels/{level['levelId']}/{verb}", json=body)


def _events(db, request_id):
    return db.session.scalars(db.select(Event).where(Event.subject_id == uuid.UUID(request_id))
                              .order_by(Event.occurred_at, Event.id)).all()


def _resubmit(api_as, request_id, **changes):
    return api_as(INITIATOR).post(f"/workflows/{request_id}/resubmit", json=changes)


def test_returned_to_the_initiator_the_request_waits_with_no_clock_running(api_as, db):
    request_id = _create(api_as, MANAGER, DIRECTOR)
    response = _act(api_as, MANAGER, request_id, 1, "return", comments="Attach the quotation")
    assert response.status_code == 200, response.get_json()
    detail = response.get_json()["data"]
    assert (detail["status"], detail["currentLevel"], detail["resumeLevel"], detail["round"]) == (
        "RETURNED", None, 1, 1)
    assert detail["returnedAt"]
    level = detail["approvalLevels"][0]
    assert (level["status"], level["startedAt"], level["tatDeadline"]) == ("PENDING", None, None)
    assert [(task["email"], task["status"], task["comments"]) for task in level["approvers"]] == [
        (MANAGER, "RETURNED", "Attach the quotation")]
    # Nobody's inbox holds it, and nothing can be decided until it is resubmitted.
    assert api_as(MANAGER).get("/workflows?view=approve").get_json()["data"] == []
    refused = _act(api_as, MANAGER, request_id, 1, "approve")
    assert refused.status_code == 409 and "returned" in refused.get_json()["details"]
    event = _events(db, request_id)[-1]
    assert event.type == "workflow.returned"
    assert event.payload["comments"] == "Attach the quotation" and event.payload["to"] == "INITIATOR"
    assert event.payload["returnsLeft"] == 2 and event.payload["round"] == 1


def test_resubmitting_starts_round_two_at_the_level_that_returned_it(api_as, db):
    request_id = _create(api_as, MANAGER, DIRECTOR)
    _act(api_as, MANAGER, request_id, 1, "approve")
    _act(api_as, DIRECTOR, request_id, 2, "return", comments="Which budget line?")
    response = _resubmit(api_as, request_id, description="Office equipment, budget line 4711",
                         comments="Added the budget line")
    assert response.status_code == 200, response.get_json()
    detail = response.get_json()["data"]
    assert (detail["status"], detail["round"], detail["currentLevel"], detail["resumeLevel"]) == (
        "PENDING", 2, 2, None)
    first, second = detail["approvalLevels"]
    assert first["status"] == "APPROVED" and first["round"] == 1  # decided before the return: kept
    assert second["status"] == "IN_PROGRESS" and second["round"] == 2
    assert [(task["email"], task["status"], task["round"]) for task in second["approvers"]] == [
        (DIRECTOR, "PENDING", 2)]
    assert [(task["status"], task["round"]) for task in second["earlierRounds"]] == [("RETURNED", 1)]
    resubmitted = next(a for a in detail["activities"] if a["action"] == "workflow.resubmitted")
    assert resubmitted["round"] == 2
    assert resubmitted["details"]["changes"] == [{"field": "description", "label": "Description",
                                                  "old": "Office equipment",
                                                  "new": "Office equipment, budget line 4711"}]
    returned = next(a for a in detail["activities"] if a["action"] == "workflow.returned")
    assert returned["round"] == 1
    # The director decides round 2; the request is approved.
    assert _act(api_as, DIRECTOR, request_id, 2, "approve").status_code == 200
    assert _detail(api_as(INITIATOR), request_id)["status"] == "APPROVED"
    assert [e.type for e in _events(db, request_id)][-5:] == [
        "workflow.returned", "workflow.resubmitted", "level.started", "level.approved", "workflow.approved"]


def test_returned_to_an_earlier_level_its_approvers_look_again(api_as):
    request_id = _create(api_as, MANAGER, DIRECTOR, CFO)
    _act(api_as, MANAGER, request_id, 1, "approve", comments="fine")
    _act(api_as, DIRECTOR, request_id, 2, "approve")
    response = _act(api_as, CFO, request_id, 3, "return", comments="Level 1 should check the vendor", to=1)
    assert response.status_code == 200, response.get_json()
    detail = response.get_json()["data"]
    assert detail["resumeLevel"] == 1
    assert [level["status"] for level in detail["approvalLevels"]] == ["PENDING", "PENDING", "PENDING"]
    _resubmit(api_as, request_id, title="Purchase Order (vendor checked)")
    levels = _detail(api_as(INITIATOR), request_id)["approvalLevels"]
    assert [(level["status"], level["round"]) for level in levels] == [
        ("IN_PROGRESS", 2), ("PENDING", 2), ("PENDING", 2)]
    assert [task["status"] for task in levels[0]["earlierRounds"]] == ["APPROVED"]  # round 1's decision, on record
    for email, number in ((MANAGER, 1), (DIRECTOR, 2), (CFO, 3)):
        assert _act(api_as, email, request_id, number, "approve").status_code == 200
    assert _detail(api_as(INITIATOR), request_id)["status"] == "APPROVED"


def test_return_checks_its_fields_and_who_returns(api_as):
    request_id = _create(api_as, MANAGER, DIRECTOR)
    no_comment = _act(api_as, MANAGER, request_id, 1, "return")
    assert no_comment.status_code == 400
    assert "comments: Comments are required to return a request" in no_comment.get_json()["details"]
    not_earlier = _act(api_as, MANAGER, request_id, 1, "return", comments="x", to=1)
    assert not_earlier.status_code == 400 and "earlier level" in not_earlier.get_json()["details"]
    for bad in ("initiator", -1, 1.5, True, [1], 10**30):
        response = _act(api_as, MANAGER, request_id, 1, "return", comments="x", to=bad)
        assert response.status_code == 400, bad
    level = _level(api_as(MANAGER), request_id, 1)
    wrong_person = api_as(INITIATOR).post(f"/workflows/{request_id}/levels/{level['levelId']}/return",
                                          json={"comments": "x"})
    assert wrong_person.status_code == 403
    later = _act(api_as, DIRECTOR, request_id, 2, "return", comments="x")
    assert later.status_code in (403, 409)
    assert _detail(api_as(INITIATOR), request_id)["status"] == "PENDING"


def test_the_revision_limit_refuses_a_further_return_and_offers_reject(api_as, db, demo):
    demo[INITIATOR].organization.max_revisions = 2
    db.session.flush()
    request_id = _create(api_as, MANAGER)
    for round_number in (1, 2):
        assert _act(api_as, MANAGER, request_id, 1, "return", comments=f"again {round_number}").status_code == 200
        assert _resubmit(api_as, request_id).status_code == 200
    refused = _act(api_as, MANAGER, request_id, 1, "return", comments="once more")
    assert refused.status_code == 409
    assert refused.get_json()["details"] == ("This request was already returned 2 times, the most your "
                                             "organisation allows. Reject it instead if it cannot be approved "
                                             "as it is.")
    detail = _detail(api_as(INITIATOR), request_id)
    assert (detail["status"], detail["round"]) == ("PENDING", 3)
    assert _act(api_as, MANAGER, request_id, 1, "reject", comments="No").status_code == 200


def test_an_organisation_can_start_every_round_at_level_one(api_as, db, demo):
    demo[INITIATOR].organization.rounds_restart_at_first_level = True
    db.session.flush()
    request_id = _create(api_as, MANAGER, DIRECTOR)
    _act(api_as, MANAGER, request_id, 1, "approve")
    _act(api_as, DIRECTOR, request_id, 2, "return", comments="Start over")
    assert _detail(api_as(INITIATOR), request_id)["resumeLevel"] == 1
    _resubmit(api_as, request_id)
    assert _detail(api_as(INITIATOR), request_id)["currentLevel"] == 1


def test_the_clock_restarts_from_the_resubmission(api_as, db, monkeypatch):
    from datetime import timedelta

    from momoflow.workflows import deciding, resubmitting, returning

    request_id = _create(api_as, MANAGER)
    first = _level(api_as(MANAGER), request_id, 1)
    _act(api_as, MANAGER, request_id, 1, "return", comments="Change it")
    later = deciding.utcnow() + timedelta(days=3)
    for module in (deciding, resubmitting, returning):
        monkeypatch.setattr(module, "utcnow", lambda: later)
    _resubmit(api_as, request_id)
    again = _level(api_as(MANAGER), request_id, 1)
    assert again["startedAt"] > first["startedAt"]
    assert again["startedAt"].startswith(later.date().isoformat())
    assert again["tatDeadline"] > again["startedAt"]
    task = db.session.get(ApprovalTask, uuid.UUID(again["approvers"][0]["taskId"]))
    assert task.due_at is not None and task.due_at.isoformat() == again["tatDeadline"]


def test_resubmission_changes_levels_spectators_and_files_and_records_the_diff(api_as, client):
    request_id = _create(api_as, MANAGER, DIRECTOR, spectators=["spectator@royalenfield.com"])
    initiator = api_as(INITIATOR)
    upload = client.post("/api/v1/workflows/multipart", headers=initiator.headers, data={
        "payload": '{"templateType": "CUSTOM", "title": "With file", "description": "d", "priority": "STANDARD",'
                   ' "approvalLevels": [{"email": "manager@royalenfield.com", "tatHours": 24}]}',
        "files": [(io.BytesIO(PDF), "old.pdf")]})
    assert upload.status_code == 201, upload.get_json()
    with_file = upload.get_json()["data"]
    _act(api_as, MANAGER, with_file["requestId"], 1, "return", comments="New quote please")
    old_document = with_file["documents"][0]["documentId"]
    response = client.post(f"/api/v1/workflows/{with_file['requestId']}/resubmit", headers=initiator.headers, data={
        "payload": f'{{"removeDocuments": ["{old_document}"], "title": "With new file"}}',
        "files": [(io.BytesIO(PDF), "new.pdf")]})
    assert response.status_code == 200, response.get_json()
    detail = response.get_json()["data"]
    assert [document["fileName"] for document in detail["documents"]] == ["new.pdf"]
    line = next(a for a in detail["activities"] if a["action"] == "workflow.resubmitted")["details"]
    assert (line["filesAdded"], line["filesRemoved"]) == (["new.pdf"], ["old.pdf"])

    _act(api_as, MANAGER, request_id, 1, "return", comments="Another approver for level 2")
    response = _resubmit(api_as, request_id, spectators=[{"email": "hr@royalenfield.com"}], approvalLevels=[
        {"email": MANAGER, "tatHours": 24}, {"approvers": [{"email": CFO}, {"email": "legal@royalenfield.com"}],
                                             "approvalMode": "ALL", "tatHours": 48}])
    assert response.status_code == 200, response.get_json()
    detail = response.get_json()["data"]
    assert [p["userEmail"] for p in detail["participants"] if p["participantType"] == "SPECTATOR"] == [
        "hr@royalenfield.com"]
    assert [t["email"] for t in detail["approvalLevels"][1]["approvers"]] == [CFO, "legal@royalenfield.com"]
    changes = next(a for a in detail["activities"] if a["action"] == "workflow.resubmitted")["details"]["changes"]
    assert {change["field"] for change in changes} == {"approvalLevels.2", "spectators"}
    level_two = next(change for change in changes if change["field"] == "approvalLevels.2")
    assert "Director" in level_two["old"] or DIRECTOR.split("@")[0] in level_two["old"].lower()
    assert "all 2 must approve" in level_two["new"] and "48 h" in level_two["new"]


def test_resubmit_refusals(api_as):
    request_id = _create(api_as, MANAGER, DIRECTOR)
    pending = _resubmit(api_as, request_id, title="x")
    assert pending.status_code == 409 and pending.get_json()["details"] == (
        "Only a returned request can be resubmitted: this one is pending")
    _act(api_as, MANAGER, request_id, 1, "return", comments="fix")
    not_initiator = api_as(MANAGER).post(f"/workflows/{request_id}/resubmit", json={"title": "x"})
    assert not_initiator.status_code == 403
    for body, said in (({"title": ""}, "title: Title is required"), ({"title": 5}, "title: Title must be text"),
                       ({"approvalLevels": []}, "approvalLevels: At least one"),
                       ({"removeDocuments": ["nope"]}, "No such document on this request"),
                       ({"removeDocuments": "x"}, "removeDocuments: removeDocuments must be a list"),
                       ({"priority": "URGENT"}, "priority: Priority must be"),
                       ({"approvalLevels": [{"email": INITIATOR, "tatHours": 1}]}, "You cannot approve your own"),
                       ({"comments": "\ud800"}, "comments: comments must be valid text")):
        response = _resubmit(api_as, request_id, **body)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["details"].startswith(said), response.get_json()
    assert _detail(api_as(INITIATOR), request_id)["status"] == "RETURNED"  # nothing half-written


def test_the_initiator_can_withdraw_a_returned_request(api_as):
    request_id = _create(api_as, MANAGER)
    _act(api_as, MANAGER, request_id, 1, "return", comments="fix")
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/withdraw", json={"reason": "No longer needed"})
    assert response.status_code == 200
    assert response.get_json()["data"]["status"] == "CANCELLED"


@pytest.mark.parametrize("verb", ["return", "resubmit"])
def test_the_new_events_reach_the_right_people(api_as, db, verb):
    request_id = _create(api_as, MANAGER, DIRECTOR, spectators=["spectator@royalenfield.com"])
    _act(api_as, MANAGER, request_id, 1, "return", comments="Please fix the amount")
    if verb == "resubmit":
        _resubmit(api_as, request_id, title="Fixed amount")
    kind = {"return": "workflow.returned", "resubmit": "workflow.resubmitted"}[verb]
    expected = {"return": [INITIATOR, "spectator@royalenfield.com"],
                "resubmit": [MANAGER, "spectator@royalenfield.com"]}[verb]
    assert _heard(db, kind, request_id) == sorted(expected)
    if verb == "return":
        note = db.session.scalar(db.select(Notification).join(User, User.id == Notification.user_id)
                                 .where(Notification.kind == kind, User.email == INITIATOR))
        assert "asks for changes" in note.title and "Please fix the amount" in note.body


def _heard(db, kind, request_id):
    return sorted(db.session.scalars(
        sa.select(User.email).join(Notification, Notification.user_id == User.id)
        .join(Event, Event.id == Notification.event_id)
        .where(Notification.kind == kind, Event.subject_id == uuid.UUID(request_id))))


def test_an_approver_who_left_between_rounds_must_be_replaced(api_as, db, demo):
    request_id = _create(api_as, MANAGER, DIRECTOR)
    _act(api_as, MANAGER, request_id, 1, "return", comments="fix")
    demo[DIRECTOR].active = False
    db.session.flush()
    refused = _resubmit(api_as, request_id, title="Fixed")
    assert refused.status_code == 400
    assert refused.get_json()["details"] == ("Kavita Rao no longer works here: give level 2's approvers again in "
                                             "approvalLevels to choose someone else")
    assert _detail(api_as(INITIATOR), request_id)["status"] == "RETURNED"
    replaced = _resubmit(api_as, request_id, title="Fixed", approvalLevels=[
        {"email": MANAGER, "tatHours": 24}, {"email": CFO, "tatHours": 24}])
    assert replaced.status_code == 200, replaced.get_json()
    assert [t["email"] for t in replaced.get_json()["data"]["approvalLevels"][1]["approvers"]] == [CFO]


def test_an_admin_cannot_resubmit_for_the_initiator_but_can_withdraw(api_as):
    request_id = _create(api_as, MANAGER)
    _act(api_as, MANAGER, request_id, 1, "return", comments="fix")
    admin = api_as("admin@company.com")
    assert admin.post(f"/workflows/{request_id}/resubmit", json={}).status_code == 403
    assert admin.post(f"/workflows/{request_id}/withdraw", json={}).status_code == 200
