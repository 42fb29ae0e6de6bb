"""Turn-around times: deadlines on the organisation's calendar (STANDARD) or the clock
(EXPRESS), the reminders at 50 % and 75 % and the breach at 100 %, fired by the tick at
the moments the test chooses, and where people see them."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Organization
from momoflow.accounts.services import find_user
from momoflow.events import Event
from momoflow.extensions import db as _db
from momoflow.jobs import tick
from momoflow.workflows import creating, deciding, reassigning, services, tat
from momoflow.workflows.models import Activity, ApprovalLevel, LevelStatus, WorkflowRequest
from momoflow.workflows.validation import parse_new_level, parse_new_request
from momoflow.worktime import DEFAULT_CALENDAR, WorkCalendar, deadline
from tests.conftest import need
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
MANAGER = "manager@royalenfield.com"  # Arjun Mehta, "Manager Approval"
DIRECTOR = "director@royalenfield.com"
TAT_EVENTS = ("level.tat_reminder", "level.tat_breached")


def _next_friday_afternoon():
    """A Friday 16:00 UTC at least a week ahead: the real clock is nowhere near it, so
    only the tick's ``now`` decides what has passed."""
    day = datetime.now(timezone.utc).date() + timedelta(days=7)
    day += timedelta(days=(4 - day.weekday()) % 7)
    return datetime(day.year, day.month, day.day, 16, tzinfo=timezone.utc)


FRIDAY = _next_friday_afternoon()
MONDAY = FRIDAY.replace(hour=0) + timedelta(days=3)


def at(day, hour, minute=0, second=0):
    return day.replace(hour=hour, minute=minute, second=second)


@pytest.fixture
def start(monkeypatch, demo, db):
    """``start(moment, priority, tat_hours)``: a request whose level 1 (the manager's)
    starts at ``moment``, the clock the services read being set to it."""

    def create(moment, priority="STANDARD", tat_hours=4, approvers=(MANAGER,)):
        for module in (creating, deciding, reassigning):  # the clocks the services read
            monkeypatch.setattr(module, "utcnow", lambda: moment)
        body = simple_request(*approvers, priority=priority)
        for level in body["approvalLevels"]:
            level["tatHours"] = tat_hours
        request = services.create_request(demo[INITIATOR], parse_new_request(body))
        db.session.flush()
        return request

    return create


def level_of(db, request, number=1):
    return db.session.scalar(sa.select(ApprovalLevel).where(ApprovalLevel.request_id == request.id,
                                                            ApprovalLevel.level_number == number)
                             .execution_options(populate_existing=True))


def tat_events(db, request):
    """``[(type, percent)]`` of the request's TAT events, oldest first."""
    events = db.session.scalars(sa.select(Event).where(Event.subject_id == request.id, Event.type.in_(TAT_EVENTS))
                                .order_by(Event.occurred_at, Event.id)).all()
    return [(event.type, event.payload.get("percent")) for event in events]


def fire(db, request, now):
    """Run the duty at ``now``; the TAT events it added to ``request``."""
    before = tat_events(db, request)
    tat.check(now)
    return tat_events(db, request)[len(before):]


# --- when --------------------------------------------------------------------------


def test_standard_counts_working_hours_from_friday_afternoon_to_monday(db, start):
    request = start(FRIDAY, "STANDARD", tat_hours=4)
    level = level_of(db, request)
    # Friday 16:00-17:00 is one working hour; the other three are Monday 09:00-12:00.
    assert level.started_at == FRIDAY and level.tat_deadline == at(MONDAY, 12)
    assert (level.tat_stage, level.tat_next_check_at) == (0, at(MONDAY, 10))

    moments = [(at(FRIDAY, 23), []), (at(MONDAY, 9, 59, 59), []),
               (at(MONDAY, 10), [("level.tat_reminder", 50)]), (at(MONDAY, 10), []),
               (at(MONDAY, 10, 59, 59), []), (at(MONDAY, 11), [("level.tat_reminder", 75)]),
               (at(MONDAY, 11, 59, 59), []), (at(MONDAY, 12), [("level.tat_breached", None)]),
               (at(MONDAY, 12), []), (MONDAY + timedelta(days=30), [])]
    for now, expected in moments:
        assert fire(db, request, now) == expected, now
    level = level_of(db, request)
    assert (level.tat_stage, level.tat_next_check_at) == (tat.BREACHED, None)


def test_express_counts_calendar_hours_through_the_weekend(db, start):
    request = start(FRIDAY, "EXPRESS", tat_hours=4)
    assert level_of(db, request).tat_deadline == at(FRIDAY, 20)
    moments = [(at(FRIDAY, 17, 59, 59), []), (at(FRIDAY, 18), [("level.tat_reminder", 50)]),
               (at(FRIDAY, 19), [("level.tat_reminder", 75)]), (at(FRIDAY, 19, 59), []),
               (at(FRIDAY, 20), [("level.tat_breached", None)]), (at(FRIDAY, 21), [])]
    for now, expected in moments:
        assert fire(db, request, now) == expected, now


def test_after_downtime_only_the_latest_stage_is_announced(db, start):
    late = start(FRIDAY, "STANDARD")
    assert fire(db, late, at(MONDAY, 13)) == [("level.tat_breached", None)]  # never a reminder after it
    assert fire(db, late, at(MONDAY, 14)) == []
    # 50 % (20:00) and 75 % (22:00) both passed since the last tick: only the 75 % reminder.
    express = start(FRIDAY, "EXPRESS", tat_hours=8)
    assert fire(db, express, at(FRIDAY, 22, 30)) == [("level.tat_reminder", 75)]
    assert fire(db, express, at(FRIDAY, 23, 59)) == []
    assert fire(db, express, FRIDAY.replace(hour=0) + timedelta(days=1)) == [("level.tat_breached", None)]


def test_decided_and_withdrawn_levels_are_left_alone(db, demo, start):
    approved = start(FRIDAY, "EXPRESS", approvers=(MANAGER, DIRECTOR))
    withdrawn = start(FRIDAY, "EXPRESS")
    services.approve_level(demo[MANAGER], approved.id, level_of(db, approved).id)
    services.withdraw_request(demo[INITIATOR], withdrawn.id)
    db.session.flush()
    # Level 2 started at the (patched) Friday 16:00 when level 1 was approved.
    assert level_of(db, approved, 2).tat_deadline == at(FRIDAY, 20)
    assert fire(db, approved, at(FRIDAY, 23)) == [("level.tat_breached", None)]
    events = db.session.scalars(sa.select(Event).where(Event.subject_id == approved.id,
                                                       Event.type == "level.tat_breached")).all()
    assert [event.payload["levelNumber"] for event in events] == [2]
    assert fire(db, withdrawn, at(FRIDAY, 23)) == []


def test_a_second_tick_at_the_same_time_adds_nothing(db, start):
    request = start(FRIDAY, "EXPRESS")
    assert tat.check(at(FRIDAY, 18)) >= 1
    assert tat.check(at(FRIDAY, 18)) == 0
    assert tat_events(db, request) == [("level.tat_reminder", 50)]


def test_an_inserted_approver_takes_over_the_clock(db, demo, start):
    request = start(FRIDAY, "EXPRESS")
    services.add_approver_at_level(demo[INITIATOR], request.id,
                                   parse_new_level({"email": DIRECTOR, "tatHours": 2, "level": 1}))
    db.session.flush()
    first, moved = level_of(db, request, 1), level_of(db, request, 2)
    assert (first.status, first.tat_deadline, first.tat_next_check_at) == (
        LevelStatus.IN_PROGRESS, at(FRIDAY, 18), at(FRIDAY, 17))
    assert (moved.status, moved.started_at, moved.tat_deadline, moved.tat_next_check_at) == (
        LevelStatus.PENDING, None, None, None)
    assert fire(db, request, at(FRIDAY, 21)) == [("level.tat_breached", None)]  # only the inserted level


def test_a_tick_runs_the_same_statements_for_one_due_level_or_many(db, start, count_queries):
    start(FRIDAY, "EXPRESS")
    with count_queries() as one:
        assert tat.check(at(FRIDAY, 18)) == 1
    for _ in range(6):
        start(FRIDAY, "EXPRESS")
    with count_queries() as many:
        assert tat.check(at(FRIDAY, 18)) == 6
    assert len(many) == len(one), many


# --- what is recorded -------------------------------------------------------------


def test_each_start_reminder_and_breach_is_an_event_and_an_activity_line(db, demo, start):
    request = start(FRIDAY, "STANDARD", tat_hours=4)
    level = level_of(db, request)
    started = db.session.scalar(sa.select(Event).where(Event.subject_id == request.id, Event.type == "level.started"))
    assert started.actor_id == demo[INITIATOR].id
    assert started.payload == {
        "requestId": str(request.id), "requestNumber": request.request_number, "title": "Purchase Order",
        "status": "PENDING", "levelId": str(level.id), "levelNumber": 1, "levelName": "Manager Approval",
        "approverId": str(demo[MANAGER].id), "approverEmail": MANAGER, "tatHours": 4,
        "approverIds": [str(demo[MANAGER].id)], "approverEmails": [MANAGER],
        "tatDeadline": at(MONDAY, 12).isoformat()}
    tat.check(at(MONDAY, 11, 30))
    tat.check(at(MONDAY, 12, 30))
    reminder, breach = (db.session.scalar(sa.select(Event).where(Event.subject_id == request.id, Event.type == kind))
                        for kind in TAT_EVENTS)
    assert (reminder.actor_id, reminder.payload["percent"], reminder.payload["approverId"]) == (
        None, 75, str(demo[MANAGER].id))
    assert breach.payload["tatDeadline"] == at(MONDAY, 12).isoformat() and "percent" not in breach.payload
    day = f"Mon {MONDAY.day} {MONDAY:%b}"
    summaries = db.session.scalars(sa.select(Activity.summary).where(Activity.request_id == request.id)
                                   .order_by(Activity.created_at)).all()
    assert summaries == [
        "Priya Sharma created the request with 1 approval level",
        f"Level 1 (Manager Approval) started: waiting on Arjun Mehta until {day} 12:00 UTC",
        f"Level 1 is 75% through its 4-hour TAT: Arjun Mehta has until {day} 12:00 UTC",
        f"Level 1 breached its 4-hour TAT: Arjun Mehta had until {day} 12:00 UTC",
    ]


def test_activity_lines_read_in_the_organisations_time_zone(db, demo, start):
    organization = demo[INITIATOR].organization
    organization.timezone = "Asia/Kolkata"
    request = start(FRIDAY, "EXPRESS")  # due 20:00 UTC, 01:30 on Saturday in India
    saturday = FRIDAY + timedelta(days=1)
    summary = db.session.scalar(sa.select(Activity.summary).where(Activity.request_id == request.id,
                                                                  Activity.action == "level.started"))
    assert summary.endswith(f"until Sat {saturday.day} {saturday:%b} 01:30 IST")


def test_the_tick_fires_the_duty_and_the_breach_shows_in_the_inbox_page_and_api(
        client, db, demo, start, login_as, api_as):
    request = start(FRIDAY, "STANDARD", tat_hours=4)
    level = level_of(db, request)
    login_as(demo[MANAGER])
    before = client.get("/inbox").get_data(as_text=True)
    assert f'id="inbox-item-{level.id}"' in before and "TAT breached" not in before

    tick.run(now=at(MONDAY, 12, 1))

    inbox = client.get("/inbox").get_data(as_text=True)
    assert 'class="card inbox-item inbox-item--overdue"' in inbox
    assert '<span class="badge badge--breached">TAT breached</span>' in inbox
    page = client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "TAT breached" in page and "Level 1 breached its 4-hour TAT: Arjun Mehta had until" in page
    detail = api_as(INITIATOR).get(f"/workflows/{request.id}").get_json()["data"]
    assert [(a["action"], a["details"].get("levelNumber")) for a in detail["activities"]][:2] == [
        ("level.tat_breached", 1), ("level.started", 1)]  # the stages the tick passed over are not announced
    assert detail["activities"][0]["actor"] is None
    notifications = client.get("/notifications").get_data(as_text=True)  # still the manager
    assert "your decision is overdue" in notifications
    login_as(demo[INITIATOR])  # told too: the breach is the only news the initiator has
    initiators = client.get("/notifications").get_data(as_text=True)
    assert f"{request.request_number}: level 1 is past its deadline" in initiators


def test_an_overdue_level_reads_as_breached_before_the_tick_has_run(client, db, demo, start, login_as):
    past = datetime.now(timezone.utc) - timedelta(days=10)
    request = start(past, "EXPRESS", tat_hours=1)
    login_as(demo[MANAGER])
    assert "TAT breached" in client.get("/inbox").get_data(as_text=True)
    assert "TAT breached" in client.get(f"/requests/{request.id}").get_data(as_text=True)
    assert level_of(db, request).tat_stage == 0


# --- the calendar ------------------------------------------------------------------


def test_the_api_shows_the_deadline_the_calendar_gives(db, demo, api_as):
    organization = demo[INITIATOR].organization
    organization.timezone, organization.workdays, organization.work_hours = "Asia/Kolkata", "mon-sat", "10:00-18:30"
    organization.holidays = "2026-12-25  # Christmas\n2027-01-26"
    db.session.flush()
    calendar = WorkCalendar.from_settings("Asia/Kolkata", "mon-sat", "10:00-18:30", "2026-12-25\n2027-01-26")
    manager = api_as(MANAGER)
    created = api_as(INITIATOR).post("/workflows", json=simple_request(MANAGER, DIRECTOR)).get_json()["data"]
    first = created["approvalLevels"][0]
    started = datetime.fromisoformat(first["startedAt"])
    assert first["tatDeadline"] == deadline("STANDARD", calendar, started, 24).isoformat()
    request = db.session.get(WorkflowRequest, uuid.UUID(created["requestId"]))
    level = db.session.get(ApprovalLevel, uuid.UUID(first["levelId"]))
    assert first["tatDeadline"] == tat.deadline_for(request, level, started).isoformat()  # the organisation's

    manager.post(f"/workflows/{created['requestId']}/levels/{first['levelId']}/approve")
    second = manager.get(f"/workflows/{created['requestId']}").get_json()["data"]["approvalLevels"][1]
    assert second["tatDeadline"] == deadline("STANDARD", calendar, datetime.fromisoformat(second["startedAt"]),
                                             24).isoformat()
    started_events = db.session.scalars(sa.select(Event).where(Event.subject_id == uuid.UUID(created["requestId"]),
                                                               Event.type == "level.started")
                                        .order_by(Event.occurred_at)).all()
    assert [(e.payload["levelNumber"], e.payload["tatDeadline"]) for e in started_events] == [
        (1, datetime.fromisoformat(first["tatDeadline"]).isoformat()),
        (2, datetime.fromisoformat(second["tatDeadline"]).isoformat())]


def test_a_new_calendar_applies_to_levels_started_afterwards(db, demo, start):
    before = start(FRIDAY, "STANDARD")
    organization = demo[INITIATOR].organization
    tat.save_calendar(organization, "UTC", [1, 2, 3, 4, 5, 6, 7], "08:00", "20:00", "")
    after = start(FRIDAY, "STANDARD")
    assert level_of(db, before).tat_deadline == at(MONDAY, 12)  # kept
    assert level_of(db, after).tat_deadline == at(FRIDAY, 20)  # every day is a working day now


def test_an_unusable_stored_calendar_falls_back_to_the_default(db, demo, start):
    organization = db.session.get(Organization, demo[INITIATOR].organization_id)
    organization.timezone = "Mars/Olympus_Mons"  # written behind the settings page's back
    assert tat.calendar_for(organization) == DEFAULT_CALENDAR
    assert level_of(db, start(FRIDAY, "STANDARD")).tat_deadline == at(MONDAY, 12)


# --- two ticks at once -------------------------------------------------------------


@pytest.mark.usefixtures("committed_demo")
def test_a_level_another_tick_holds_is_skipped_not_waited_for(app):
    with app.app_context():
        need(_db.engine.dialect.name == "postgresql", "SKIP LOCKED is PostgreSQL's (SQLite runs one writer at a time)")
        body = simple_request(MANAGER, priority="EXPRESS")
        request_id = services.create_request(find_user(INITIATOR), parse_new_request(body)).id
        _db.session.commit()
        later = datetime.now(timezone.utc) + timedelta(days=3)
        with _db.engine.connect() as other:
            other.execute(sa.select(ApprovalLevel.id).where(ApprovalLevel.request_id == request_id)
                          .with_for_update())
            assert tat.check(later) == 0  # held by the other tick: neither waited for nor announced twice
            _db.session.rollback()
        assert tat.check(later) == 1
        _db.session.commit()
        assert _db.session.scalars(sa.select(Event.type).where(Event.subject_id == request_id)
                                   .order_by(Event.occurred_at)).all()[-1] == "level.tat_breached"
        _db.session.remove()
