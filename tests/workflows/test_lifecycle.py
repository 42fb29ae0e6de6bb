"""The approval lifecycle through the API: decisions, final approvers, shifting levels,
comments, downloads, the lists, and the events each change records."""

import io
import uuid

from momoflow.events import Event
from momoflow.workflows import services
from momoflow.workflows.validation import parse_new_request
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
PDF = b"%PDF-1.4\n%%EOF\n"


def _create(api_as, *approvers, **fields):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(*approvers, **fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def _levels(api, request_id):
    return api.get(f"/workflows/{request_id}").get_json()["data"]["approvalLevels"]


def _approve(api, request_id, level, **body):
    return api.post(f"/workflows/{request_id}/levels/{level['levelId']}/approve", json=body or None)


def _event_types(db, request_id):
    return db.session.scalars(db.select(Event.type).where(Event.subject_id == uuid.UUID(request_id))
                              .order_by(Event.occurred_at, Event.id)).all()


def test_each_approver_in_turn_approves_the_request(api_as, db):
    request = _create(api_as, "manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com")
    request_id = request["requestId"]
    for number, email in enumerate(["manager@royalenfield.com", "director@royalenfield.com",
                                    "cfo@royalenfield.com"], start=1):
        approver = api_as(email)
        current = [level for level in _levels(approver, request_id) if level["status"] == "IN_PROGRESS"]
        assert [level["levelNumber"] for level in current] == [number]
        assert current[0]["tatDeadline"] > current[0]["startedAt"]
        response = _approve(approver, request_id, current[0], comments=f"ok {number}")
        assert response.status_code == 200, response.get_json()
    detail = api_as(INITIATOR).get(f"/workflows/{request_id}").get_json()["data"]
    assert detail["status"] == "APPROVED" and detail["currentLevel"] is None and detail["closedAt"]
    assert [(l["status"], l["comments"]) for l in detail["approvalLevels"]] == [
        ("APPROVED", "ok 1"), ("APPROVED", "ok 2"), ("APPROVED", "ok 3")]
    assert _event_types(db, request_id) == [
        "workflow.created", "level.started", "level.approved", "level.started", "level.approved", "level.started",
        "level.approved", "workflow.approved"]
    assert [a["action"] for a in detail["activities"]][:2] == ["workflow.approved", "level.approved"]


def test_a_level_marked_final_approves_the_request_and_skips_the_rest(api_as):
    body = simple_request("manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com")
    body["approvalLevels"][0]["isFinalApprover"] = True
    request_id = api_as(INITIATOR).post("/workflows", json=body).get_json()["data"]["requestId"]
    manager = api_as("manager@royalenfield.com")
    assert _approve(manager, request_id, _levels(manager, request_id)[0]).status_code == 200
    detail = manager.get(f"/workflows/{request_id}").get_json()["data"]
    assert detail["status"] == "APPROVED"
    assert [l["status"] for l in detail["approvalLevels"]] == ["APPROVED", "SKIPPED", "SKIPPED"]


def test_rejection_closes_the_request(api_as, db):
    request_id = _create(api_as, "manager@royalenfield.com", "director@royalenfield.com")["requestId"]
    manager = api_as("manager@royalenfield.com")
    level = _levels(manager, request_id)[0]
    response = manager.post(f"/workflows/{request_id}/levels/{level['levelId']}/reject",
                            json={"comments": "Budget exceeded"})
    assert response.status_code == 200
    detail = response.get_json()["data"]
    assert detail["status"] == "REJECTED"
    assert [(l["status"], l["comments"]) for l in detail["approvalLevels"]] == [
        ("REJECTED", "Budget exceeded"), ("SKIPPED", None)]
    assert _event_types(db, request_id) == ["workflow.created", "level.started", "level.rejected",
                                            "workflow.rejected"]


def test_withdraw(api_as, db):
    request_id = _create(api_as, "manager@royalenfield.com")["requestId"]
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/withdraw", json={"reason": "Not needed"})
    assert response.status_code == 200 and response.get_json()["data"]["status"] == "CANCELLED"
    assert api_as("manager@royalenfield.com").get("/workflows?view=approve").get_json()["data"] == []
    assert _event_types(db, request_id) == ["workflow.created", "level.started", "workflow.withdrawn"]


def test_approver_inserted_at_the_current_level_acts_first(api_as, db):
    request_id = _create(api_as, "manager@royalenfield.com", "approver@royalenfield.com")["requestId"]
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/approvers/at-level",
                                      json={"email": "newapprover@royalenfield.com", "tatHours": 4, "level": 1,
                                            "levelName": "Pre-check"})
    assert response.status_code == 201 and response.get_json()["data"]["status"] == "IN_PROGRESS"
    levels = _levels(api_as(INITIATOR), request_id)
    assert [(l["levelNumber"], l["approverEmail"], l["levelName"], l["status"], l["isFinalApprover"])
            for l in levels] == [
        (1, "newapprover@royalenfield.com", "Pre-check", "IN_PROGRESS", False),
        (2, "manager@royalenfield.com", "Manager Approval", "PENDING", False),
        (3, "approver@royalenfield.com", "Level 3 Approval", "PENDING", True),  # renamed with its number
    ]
    assert api_as("manager@royalenfield.com").get("/workflows?view=approve").get_json()["data"] == []
    assert _event_types(db, request_id) == ["workflow.created", "level.started", "approver.added",
                                            "level.started"]  # the inserted level took over the clock


def test_a_spectator_can_be_made_an_approver(api_as):
    request_id = _create(api_as, "manager@royalenfield.com", spectators=["spectator@royalenfield.com"])["requestId"]
    response = api_as(INITIATOR).post(f"/workflows/{request_id}/approvers/at-level",
                                      json={"email": "spectator@royalenfield.com", "tatHours": 8, "level": 2})
    assert response.status_code == 201
    detail = api_as(INITIATOR).get(f"/workflows/{request_id}").get_json()["data"]
    spectator = next(p for p in detail["participants"] if p["userEmail"] == "spectator@royalenfield.com")
    assert (spectator["participantType"], spectator["canDownloadDocuments"]) == ("APPROVER", True)


def test_comments_from_participants(api_as, db):
    request_id = _create(api_as, "manager@royalenfield.com", spectators=["spectator@royalenfield.com"])["requestId"]
    response = api_as("spectator@royalenfield.com").post(f"/workflows/{request_id}/comments",
                                                         json={"comment": "  Looks good to me  "})
    assert response.status_code == 201
    assert response.get_json()["data"]["comment"] == "Looks good to me"
    empty = api_as("manager@royalenfield.com").post(f"/workflows/{request_id}/comments", json={"comment": ""})
    assert empty.status_code == 400
    assert empty.get_json()["details"] == "comment: Comment cannot be empty"
    detail = api_as(INITIATOR).get(f"/workflows/{request_id}").get_json()["data"]
    assert [(c["comment"], c["author"]["email"]) for c in detail["comments"]] == [
        ("Looks good to me", "spectator@royalenfield.com")]
    assert "comment.added" in _event_types(db, request_id)


def test_documents_download_for_participants_who_may(api_as):
    response = api_as(INITIATOR).post("/workflows/multipart", data={
        "payload": '{"templateType":"CUSTOM","title":"Budget","description":"Annual","priority":"STANDARD",'
                   '"approvalLevels":[{"email":"manager@royalenfield.com","tatHours":48}],'
                   '"spectators":[{"email":"spectator@royalenfield.com"}]}',
        "files": (io.BytesIO(PDF), "Budget 2025.pdf"), "category": "supporting"})
    assert response.status_code == 201, response.get_json()
    request_id = response.get_json()["data"]["requestId"]

    spectator_view = api_as("spectator@royalenfield.com").get(f"/workflows/{request_id}").get_json()["data"]
    document = spectator_view["documents"][0]
    assert document["fileName"] == "Budget 2025.pdf" and document["downloadUrl"] is None
    path = f"/workflows/{request_id}/documents/{document['documentId']}"
    denied = api_as("spectator@royalenfield.com").get(path)
    assert denied.status_code == 403
    assert denied.get_json()["details"] == "You are not allowed to download documents of this request"

    download = api_as("manager@royalenfield.com").get(path)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Budget%202025.pdf" in download.headers["Content-Disposition"] or "Budget 2025.pdf" in download.headers[
        "Content-Disposition"]
    assert api_as("cfo@royalenfield.com").get(path).status_code == 404


def test_list_views_and_keyset_pagination(api_as):
    # EXPRESS, so each deadline is later than the one before (STANDARD ones started outside
    # working hours all fall at the same moment).
    ids = [_create(api_as, "manager@royalenfield.com", title=f"Request {n}", priority="EXPRESS",
                   spectators=["spectator@royalenfield.com"])["requestId"] for n in range(5)]
    mine, cursor, pages = [], None, 0
    while True:
        query = "/workflows?view=mine&limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = api_as(INITIATOR).get(query).get_json()
        mine += [item["requestId"] for item in body["data"]]
        cursor, pages = body["pagination"]["nextCursor"], pages + 1
        if not cursor:
            break
    assert mine == ids[::-1] and pages == 3

    inbox = api_as("manager@royalenfield.com").get("/workflows?view=approve").get_json()["data"]
    assert [item["requestId"] for item in inbox] == ids  # oldest deadline first
    assert inbox[0]["currentApproval"]["approverEmail"] == "manager@royalenfield.com"
    watching = api_as("spectator@royalenfield.com").get("/workflows?view=watching").get_json()["data"]
    assert len(watching) == 5
    assert api_as(INITIATOR).get("/workflows?view=mine&status=APPROVED").get_json()["data"] == []
    assert len(api_as(INITIATOR).get("/workflows?priority=express").get_json()["data"]) == 5
    assert len(api_as("admin@company.com").get("/workflows?view=all").get_json()["data"]) == 5


def test_events_roll_back_with_the_change(demo, db):
    """A change that fails after recording its event leaves neither behind."""
    spec = parse_new_request(simple_request("manager@royalenfield.com"))
    count_events = db.select(db.func.count(Event.id))
    savepoint = db.session.begin_nested()
    services.create_request(demo[INITIATOR], spec)
    assert db.session.scalar(count_events) == 2  # workflow.created, level.started
    savepoint.rollback()
    assert db.session.scalar(count_events) == 0


def test_closed_requests_stay_in_the_lists(api_as):
    """A closed request has no current level (nor approver) to join; it must still be listed."""
    request_id = _create(api_as, "manager@royalenfield.com", spectators=["spectator@royalenfield.com"])["requestId"]
    api_as(INITIATOR).post(f"/workflows/{request_id}/withdraw")
    for email, view in [(INITIATOR, "mine"), ("spectator@royalenfield.com", "watching"), ("admin@company.com", "all")]:
        items = api_as(email).get(f"/workflows?view={view}").get_json()["data"]
        assert [(item["requestId"], item["status"]) for item in items] == [(request_id, "CANCELLED")], view
        assert "currentApproval" not in items[0]
