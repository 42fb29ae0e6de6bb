"""No request ever stuck: out of office, chains and cycles, people who leave, escalation
(issue 12). Absences are rows here; their API and page have tests of their own."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Absence
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.notifications import handlers
from momoflow.notifications.models import Notification
from momoflow.workflows import continuity, queries, tat
from momoflow.workflows.models import ApprovalLevel
from tests.workflows.test_several_approvers import act, create, detail, level, reassign, statuses

INITIATOR, ADMIN = "employee@company.com", "admin@company.com"
A, B, C = "manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com"
D, BOSS = "legal@royalenfield.com", "vp@royalenfield.com"


@pytest.fixture
def away(demo, db):
    """``away(person, delegate)``: an absence covering now (or from ``starts_in``)."""

    def set_absence(email, delegate, starts_in=timedelta(hours=-1), lasts=timedelta(days=3)):
        person = demo[email]
        now = utcnow()
        absence = Absence(organization_id=person.organization_id, user_id=person.id,
                          delegate_id=demo[delegate].id, starts_at=now + starts_in, ends_at=now + starts_in + lasts)
        db.session.add(absence)
        db.session.flush()
        if absence.covers(now):
            continuity.absence_began(absence, now)
            db.session.flush()
        return absence

    return set_absence


def deadline_of(db, request):
    """The first level's deadline (ids from JSON are text: SQLite needs a UUID to compare)."""
    return db.session.scalar(sa.select(ApprovalLevel.tat_deadline).where(
        ApprovalLevel.request_id == uuid.UUID(request["requestId"])))


def inbox(api_as, email):
    return [item["requestId"] for item in api_as(email).get("/workflows?view=approve").get_json()["data"]]


def task(data, email, number=1):
    return next(t for t in data["approvalLevels"][number - 1]["approvers"] if t["email"] == email)


# --- out of office ------------------------------------------------------------------------


def test_waiting_tasks_move_to_the_delegate_and_come_back(api_as, demo, db, away):
    created = create(api_as, level(A, B, mode="ALL"))
    absence = away(A, C)
    assert inbox(api_as, A) == [] and inbox(api_as, C) == [created["requestId"]]
    held = task(detail(api_as, created), C)
    assert (held["onBehalfOf"], held["reason"]) == ({"email": A, "name": demo[A].display_name}, "out_of_office")
    continuity.absence_ended(absence, utcnow())
    assert inbox(api_as, A) == [created["requestId"]] and inbox(api_as, C) == []
    assert task(detail(api_as, created), A)["onBehalfOf"] is None


def test_new_tasks_go_to_the_delegate_and_decisions_record_for_whom(api_as, demo, db, away):
    away(A, C)
    created = create(api_as, level(A, B, mode="ALL"))
    assert inbox(api_as, C) == [created["requestId"]]
    assert act(api_as, C, created, "approve", "for Arjun").status_code == 200
    data = detail(api_as, created)
    decided = task(data, C)
    assert decided["status"] == "APPROVED"
    assert (decided["actedBy"]["email"], decided["onBehalfOf"]["email"], decided["reason"]) == (C, A, "out_of_office")
    line = next(a for a in data["activities"] if a["action"] == "task.approved")
    assert line["summary"].startswith(f"{demo[C].display_name} for {demo[A].display_name} (out of office) approved")
    assert (line["details"]["actedBy"]["email"], line["details"]["onBehalfOf"]["email"]) == (C, A)
    event = db.session.scalar(sa.select(Event).where(Event.type == "task.approved"))
    assert event.payload["onBehalfOf"] == {"email": A, "name": demo[A].display_name}


def test_decided_tasks_stay_with_the_delegate_when_the_absence_ends(api_as, demo, away):
    created = create(api_as, level(A, B, mode="ALL"))
    absence = away(A, C)
    assert act(api_as, C, created, "approve").status_code == 200
    continuity.absence_ended(absence, utcnow())
    assert task(detail(api_as, created), C)["status"] == "APPROVED"
    assert inbox(api_as, A) == []


def test_a_chain_is_followed_to_the_first_available_person(api_as, demo, away):
    away(C, D)
    away(A, C)  # C is away too: D decides for A
    created = create(api_as, level(A, B, mode="ALL"))
    assert inbox(api_as, D) == [created["requestId"]]
    assert task(detail(api_as, created), D)["onBehalfOf"]["email"] == A


def test_a_cycle_ends_with_the_absent_persons_manager(api_as, demo, db, away):
    demo[A].manager_id = demo[BOSS].id
    away(C, A)
    away(A, C)  # A → C → A: nobody in the chain is at work
    created = create(api_as, level(A, B, mode="ALL"))
    assert inbox(api_as, BOSS) == [created["requestId"]]


def test_a_delegate_already_in_the_level_passes_to_the_next(api_as, demo, db, away):
    demo[A].manager_id = demo[BOSS].id
    away(A, B)  # B approves this level already: A's task goes to A's manager
    created = create(api_as, level(A, B, mode="ALL"))
    assert statuses(detail(api_as, created)) == {BOSS: "PENDING", B: "PENDING"}


def test_an_absence_that_starts_later_moves_tasks_on_the_tick(api_as, demo, db, away):
    created = create(api_as, level(A, B, mode="ALL"))
    absence = away(A, C, starts_in=timedelta(hours=2))
    assert inbox(api_as, A) == [created["requestId"]]
    continuity.absence_began(absence, utcnow() + timedelta(hours=3))
    assert inbox(api_as, C) == [created["requestId"]]


# --- people who leave -----------------------------------------------------------------------


def test_a_leavers_tasks_go_to_their_delegate(api_as, demo, db, away):
    created = create(api_as, level(A, B, mode="ALL"))
    away(A, C, starts_in=timedelta(days=5))  # upcoming: the delegate is still who A named
    leave(demo, db, A)
    data = detail(api_as, created)
    assert task(data, A)["status"] == "REASSIGNED"
    moved = task(data, C)
    assert (moved["status"], moved["reason"], moved["onBehalfOf"]["email"]) == ("PENDING", "deactivated", A)
    assert inbox(api_as, C) == [created["requestId"]]


def test_a_leavers_tasks_go_to_their_manager(api_as, demo, db):
    demo[A].manager_id = demo[BOSS].id
    created = create(api_as, level(A, B, mode="ALL"), {"email": D, "tatHours": 8})
    demo[D].manager_id = demo[BOSS].id
    leave(demo, db, A)
    assert inbox(api_as, BOSS) == [created["requestId"]]
    # A later level's task moves too, and is offered when that level starts.
    leave(demo, db, D)
    for email in (BOSS, B):
        assert act(api_as, email, created, "approve").status_code == 200
    data = detail(api_as, created)
    assert data["currentLevel"] == 2 and task(data, BOSS, 2)["status"] == "PENDING"


def test_nobody_to_stand_in_alerts_the_admins_until_one_reassigns(api_as, demo, db, client, login_as):
    created = create(api_as, level(A, B, mode="ALL"))
    leave(demo, db, A)
    alert = db.session.scalar(sa.select(Event).where(Event.type == "task.needs_approver"))
    assert alert.payload["formerEmail"] == A
    handlers.handle([alert])
    told = db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "task.needs_approver")).all()
    assert demo[ADMIN].id in told
    login_as(demo[ADMIN])
    page = client.get(f"/requests/{created['requestId']}").get_data(as_text=True)
    assert "Needs a new approver" in page
    response = reassign(api_as, ADMIN, created, {"from": A, "to": C, "reason": "Arjun left"})
    assert response.status_code == 200, response.get_json()
    assert inbox(api_as, C) == [created["requestId"]]


def test_a_request_whose_initiator_left_can_be_withdrawn_by_an_admin(api_as, demo, db):
    created = create(api_as, level(A))
    leave(demo, db, INITIATOR)
    response = api_as(ADMIN).post(f"/workflows/{created['requestId']}/withdraw", json={"reason": "Priya left"})
    assert response.status_code == 200 and response.get_json()["data"]["status"] == "CANCELLED"
    assert statuses(detail(api_as, created, ADMIN)) == {A: "SUPERSEDED"}


def leave(demo, db, email):
    person = demo[email]
    person.active = False
    continuity.person_left(person, demo[ADMIN], utcnow())
    db.session.flush()


# --- escalation -----------------------------------------------------------------------------


def test_a_breached_escalate_level_offers_each_task_to_the_holders_manager_once(api_as, demo, db):
    demo[A].manager_id, demo[B].manager_id = demo[BOSS].id, None
    created = create(api_as, level(A, B, mode="ALL", onBreach="ESCALATE") | {"tatHours": 1})
    assert created["approvalLevels"][0]["onBreach"] == "ESCALATE"
    deadline = deadline_of(db, created)
    tat.check(deadline + timedelta(minutes=1))
    tat.check(deadline + timedelta(minutes=2))
    escalations = db.session.scalars(sa.select(Event).where(Event.type == "task.escalated")).all()
    assert [event.payload["assigneeEmail"] for event in escalations] == [BOSS]  # B has no manager
    assert inbox(api_as, BOSS) == [created["requestId"]]
    assert task(detail(api_as, created), A)["escalatedTo"]["email"] == BOSS
    assert act(api_as, BOSS, created, "approve", "Approving for Arjun").status_code == 200
    decided = task(detail(api_as, created), A)
    assert (decided["status"], decided["actedBy"]["email"], decided["onBehalfOf"]["email"], decided["reason"]) == (
        "APPROVED", BOSS, A, "escalated")
    assert inbox(api_as, BOSS) == [] and inbox(api_as, A) == []


def test_a_notify_level_is_not_escalated(api_as, demo, db):
    demo[A].manager_id = demo[BOSS].id
    created = create(api_as, level(A, B) | {"tatHours": 1})
    deadline = deadline_of(db, created)
    tat.check(deadline + timedelta(minutes=1))
    assert db.session.scalar(sa.select(Event).where(Event.type == "task.escalated")) is None




def test_a_stand_in_who_goes_away_passes_the_task_on_still_for_the_first(api_as, demo, away):
    created = create(api_as, level(A, B, mode="ALL"))
    away(A, C)
    away(C, D)  # C holds A's task and leaves too: D decides, still for A
    held = task(detail(api_as, created), D)
    assert (held["onBehalfOf"]["email"], held["reason"]) == (A, "out_of_office")
    assert inbox(api_as, D) == [created["requestId"]]


# --- reassign all of someone's tasks ---------------------------------------------------------


def test_an_admin_moves_all_of_someones_tasks_in_one_go(api_as, demo):
    first = create(api_as, level(A, B, mode="ALL"))
    second = create(api_as, level(A), {"email": D, "tatHours": 8})
    third = create(api_as, level(A, C))  # C already decides this level: skipped, with the reason
    response = api_as(ADMIN).post(f"/users/{A}/tasks/reassign", json={"to": C, "reason": "Arjun moved teams"})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["moved"] == 2
    assert data["skipped"] == [{"requestId": third["requestId"], "requestNumber": third["requestNumber"],
                                "levelNumber": 1, "reason": f"{demo[C].display_name} is already an approver of level 1"}]
    assert sorted(inbox(api_as, C)) == sorted([first["requestId"], second["requestId"], third["requestId"]])
    assert inbox(api_as, A) == [third["requestId"]]


@pytest.mark.parametrize("email, body, status", [
    (A, {"to": C, "reason": "x"}, 403),  # not an admin (as the initiator)
    ("nobody@royalenfield.com", {"to": C, "reason": "x"}, 404),
    ("%ED%A0%80@x.com", {"to": C, "reason": "x"}, 404),  # a lone surrogate, as a browser sends it
])
def test_reassign_all_refusals(api_as, demo, email, body, status):
    response = api_as(INITIATOR if status == 403 else ADMIN).post(f"/users/{email}/tasks/reassign", json=body)
    assert response.status_code == status, response.get_json()


def test_out_of_office_through_the_api_moves_tasks_and_back(api_as, demo):
    created = create(api_as, level(A, B, mode="ALL"))
    now = utcnow()
    body = {"start": (now - timedelta(minutes=5)).isoformat(), "end": (now + timedelta(days=2)).isoformat(),
            "delegateEmail": C, "message": "Back on Monday"}
    assert api_as(A).put("/me/out-of-office", json=body).status_code == 200
    assert inbox(api_as, A) == [] and inbox(api_as, C) == [created["requestId"]]
    assert api_as(A).delete("/me/out-of-office").status_code == 200
    assert inbox(api_as, A) == [created["requestId"]] and inbox(api_as, C) == []


def test_lists_show_who_acted_and_who_was_escalated_to_from_a_fresh_session(api_as, demo, db):
    # A list's current level names, per task, its holder, who acted and who it was escalated
    # to: all loaded with the tasks (nothing may load lazily once the session is fresh).
    demo[B].manager_id = demo[BOSS].id
    created = create(api_as, level(A, B, mode="ALL", onBreach="ESCALATE") | {"tatHours": 1})
    assert act(api_as, A, created, "approve").status_code == 200
    deadline = deadline_of(db, created)
    tat.check(deadline + timedelta(minutes=1))
    tat.check(deadline + timedelta(minutes=2))
    db.session.flush()
    for email, view in ((INITIATOR, "mine"), (BOSS, "approve"), (B, "approve"), (ADMIN, "all")):
        db.session.expunge_all()
        response = api_as(email).get(f"/workflows?view={view}")
        assert response.status_code == 200, (email, view, response.get_json())
        current = response.get_json()["data"][0]["currentApproval"]
        approver = {task["email"]: task for task in current["approvers"]}
        assert approver[A]["actedBy"]["email"] == A
        assert approver[B]["escalatedTo"]["email"] == BOSS


def test_inbox_count_adds_escalated_tasks_and_stops_at_its_cap(api_as, demo, db, monkeypatch):
    demo[A].manager_id = demo[BOSS].id
    created = create(api_as, level(A, onBreach="ESCALATE") | {"tatHours": 1})
    deadline = deadline_of(db, created)
    tat.check(deadline + timedelta(minutes=1))
    tat.check(deadline + timedelta(minutes=2))
    create(api_as, level(BOSS))
    assert queries.inbox_count(demo[BOSS]) == 2  # one held, one escalated
    monkeypatch.setattr(queries, "INBOX_COUNT_CAP", 0)
    assert queries.inbox_count(demo[BOSS]) == 1
