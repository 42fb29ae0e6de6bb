"""Automatic reminders (``flows.reminders``): the tick sends each one once (run twice, or
beside another tick), at the organisation's days before the due date and once after it
is overdue; never for closed assignments, never a burst after downtime; and the setting
on Settings → Flow reminders."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.flows import managing, reminders, services
from momoflow.flows.models import Assignment, AssignmentActivity, AssignmentReminder, Flow, Module
from momoflow.flows.schemas import iso
from momoflow.flows.validation import parse_assignment
from momoflow.jobs import tick
from momoflow.notifications.models import Email, Notification
from tests.conftest import need
from tests.factories import make_org, make_user
from tests.flows.pages import ADMIN, EMPLOYEE, HR, MANAGER, assign, error_of, post, token_on

START = utcnow().replace(microsecond=0)


def sent(db):
    """``[(assignee email, reminderType, daysBefore)]`` of the flow.reminded events, oldest first."""
    rows = db.session.scalars(sa.select(Event).where(Event.type == "flow.reminded")
                              .order_by(Event.occurred_at, Event.id)).all()
    return [(event.payload["userEmail"], event.payload["reminderType"], event.payload["daysBefore"]) for event in rows]


def due_in(demo, days, email=EMPLOYEE, flow_id="flow_123abc"):
    return assign(demo, email, flow_id=flow_id, dueDate=iso(START + timedelta(days=days)))


def run_ticks(*moments):
    for moment in moments:
        tick.run(now=moment)


def test_the_default_reminders_go_once_each_at_3_and_1_days_and_after_the_due_date(demo, db):
    assignment = due_in(demo, 10)
    db.session.commit()
    run_ticks(START, START + timedelta(days=6))
    assert sent(db) == []
    run_ticks(START + timedelta(days=7, hours=1), START + timedelta(days=7, hours=2))  # twice: once
    assert sent(db) == [(EMPLOYEE, "before_due", 3)]
    run_ticks(START + timedelta(days=9, hours=1), START + timedelta(days=9, hours=1))
    assert sent(db)[1:] == [(EMPLOYEE, "before_due", 1)]
    run_ticks(START + timedelta(days=10, hours=12))  # overdue, but only a day after the due date
    assert len(sent(db)) == 2
    run_ticks(START + timedelta(days=11, hours=1), START + timedelta(days=12))
    assert sent(db)[2:] == [(EMPLOYEE, "overdue", None)]
    kinds = db.session.scalars(sa.select(AssignmentReminder.kind).where(
        AssignmentReminder.assignment_id == assignment.id).order_by(AssignmentReminder.sent_at)).all()
    assert kinds == ["before-3", "before-1", "overdue"]
    lines = db.session.scalars(sa.select(AssignmentActivity.summary).order_by(AssignmentActivity.occurred_at)).all()
    assert lines == ["Automatic reminder: due in 3 days", "Automatic reminder: due in 1 day",
                     "Automatic reminder: overdue"]
    assert db.session.get(Assignment, assignment.id, populate_existing=True).last_reminded_at is not None


def test_the_assignee_is_notified_and_emailed(demo, db):
    due_in(demo, 10)
    db.session.commit()
    tick.run(now=START + timedelta(days=7, hours=1))  # the tick relays its events too
    [note] = db.session.scalars(sa.select(Notification).where(Notification.kind == "flow.reminded")).all()
    assert note.user_id == demo[EMPLOYEE].id and note.title == "Reminder: Customer Onboarding is due in 3 days"
    [email] = db.session.scalars(sa.select(Email).where(Email.event_id.is_not(None), Email.to_address == EMPLOYEE,
                                                        Email.subject.like("Reminder:%"))).all()
    assert "is due" in email.text_body and "0 of 5 modules are done" in email.text_body


def test_after_downtime_only_the_nearest_reminder_goes(demo, db):
    due_in(demo, 10)
    db.session.commit()
    run_ticks(START + timedelta(days=9, hours=12))  # both the 3-day and the 1-day moments have passed
    assert sent(db) == [(EMPLOYEE, "before_due", 1)]


def test_a_reminder_whose_moment_had_passed_when_assigned_is_skipped(demo, db):
    due_in(demo, 2)  # assigned inside the 3-day window: just told the date
    db.session.commit()
    run_ticks(START + timedelta(hours=1), START + timedelta(days=1, hours=1))
    assert sent(db) == [(EMPLOYEE, "before_due", 1)]


def test_closed_assignments_are_never_reminded(demo, db):
    cancelled = due_in(demo, 5)
    services.cancel_assignment(services.Assigner(demo[ADMIN].organization_id), cancelled.public_id)
    finished = due_in(demo, 5, flow_id="flow_sec101")
    for _ in range(db.session.get(Flow, finished.flow_id).module_count):
        current = db.session.get(Assignment, finished.id, populate_existing=True)
        module = db.session.scalar(sa.select(Module.id).where(Module.flow_id == current.flow_id)
                                   .order_by(Module.position).offset(current.modules_completed))
        services.complete_module(demo[EMPLOYEE], finished.public_id, module)
    assign(demo, HR)  # no due date
    db.session.commit()
    run_ticks(*(START + timedelta(days=day) for day in (3, 4.5, 6.5, 9)))
    assert sent(db) == []


def test_a_new_due_date_starts_the_reminders_again(demo, db, monkeypatch):
    assignment = due_in(demo, 10)
    db.session.commit()
    run_ticks(START + timedelta(days=7, hours=1))
    assert len(sent(db)) == 1
    moved_at = START + timedelta(days=7, hours=2)
    monkeypatch.setattr(managing, "utcnow", lambda: moved_at)
    managing.change_due_date(services.Assigner.signed_in(demo[ADMIN]), assignment.public_id,
                             iso(moved_at + timedelta(days=8)))
    db.session.commit()
    run_ticks(moved_at + timedelta(hours=1))
    assert len(sent(db)) == 1  # the new date is 8 days away
    run_ticks(moved_at + timedelta(days=5, hours=1), moved_at + timedelta(days=7, hours=1))
    assert sent(db)[1:] == [(EMPLOYEE, "before_due", 3), (EMPLOYEE, "before_due", 1)]


def test_each_organisation_is_reminded_as_it_chose(demo, db):
    organization = demo[ADMIN].organization
    organization.flow_reminder_days, organization.flow_overdue_reminder = "7", False
    other = make_org()
    other_admin = make_user(other, email="boss@other.example")
    flow = Flow(organization_id=other.id, name="Safety", module_count=0)
    db.session.add(flow)
    db.session.flush()
    spec = parse_assignment({"flowId": flow.public_id, "userEmail": other_admin.email,
                             "dueDate": iso(START + timedelta(days=10))})
    services.assign_flow(services.Assigner(other.id), spec)
    due_in(demo, 10)
    db.session.commit()
    run_ticks(*(START + timedelta(days=day, hours=1) for day in (3, 7, 9, 11, 12)))
    assert sorted(sent(db)) == sorted([(EMPLOYEE, "before_due", 7), ("boss@other.example", "before_due", 3),
                                       ("boss@other.example", "before_due", 1), ("boss@other.example", "overdue",
                                                                                 None)])


def test_a_reminder_recorded_elsewhere_is_not_sent_again(demo, db):
    """The INSERT … ON CONFLICT DO NOTHING decides: a row another tick recorded first stays quiet."""
    assignment = due_in(demo, 2)
    db.session.add(AssignmentReminder(assignment_id=assignment.id, kind="before-1", sent_at=START))
    db.session.commit()
    now = START + timedelta(days=1, hours=1)
    rows = reminders._claim("before-1", reminders._before_due("3,1", 1, 0, now))
    assert rows == []  # already recorded: not even claimed
    db.session.execute(sa.delete(AssignmentReminder))
    rows = reminders._claim("before-1", reminders._before_due("3,1", 1, 0, now))
    db.session.add(AssignmentReminder(assignment_id=assignment.id, kind="before-1", sent_at=START))
    db.session.flush()  # "another tick" records it between the claim and the insert
    assert reminders._send(rows, "before-1", 1, now) == 0 and sent(db) == []


@pytest.fixture
def committed_assignment(app, committed_demo):
    """An assignment due in two days, committed for real, so another connection can lock it."""
    from momoflow.extensions import db

    with app.app_context():
        organization = db.session.scalar(sa.select(Flow)).organization_id
        spec = parse_assignment({"flowId": "flow_sec101", "userEmail": EMPLOYEE,
                                 "dueDate": iso(START + timedelta(days=2))})
        assignment = services.assign_flow(services.Assigner(organization), spec)
        db.session.commit()
        yield assignment.assignment.id
        db.session.remove()


def test_a_row_another_tick_holds_is_skipped_not_waited_for(app, committed_assignment):
    from momoflow.extensions import db

    with app.app_context():
        need(db.engine.dialect.name == "postgresql", "SKIP LOCKED is PostgreSQL's (SQLite runs one writer at a time)")
        now = START + timedelta(days=1, hours=1)
        with db.engine.connect() as other:
            other.execute(sa.select(Assignment.id).where(Assignment.id == committed_assignment).with_for_update())
            assert reminders.send_due(now) == 0
            db.session.rollback()
        assert reminders.send_due(now) == 1
        db.session.commit()
        assert reminders.send_due(now) == 0


# --- the setting ------------------------------------------------------------------------


def test_admins_choose_the_reminders(client, demo, login_as, db):
    login_as(demo[ADMIN])
    html = client.get("/settings/reminders").get_data(as_text=True)
    assert 'value="3, 1"' in html and 'name="overdue_reminder" value="1"' in html and " checked" in html
    token = token_on(client, "/settings/reminders")
    for bad in ("0", "3, x", "1,2,3,4,5,6", "61"):
        response = post(client, "/settings/reminders", {"reminder_days": bad}, htmx=True, token=token)
        assert response.status_code == 422
        assert error_of(response.get_data(as_text=True), "reminders-days") == reminders.DAYS_PROBLEM
    response = post(client, "/settings/reminders", {"reminder_days": "2; 7 2"}, htmx=True, token=token)
    assert response.status_code == 200 and "Reminder settings saved." in response.get_data(as_text=True)
    organization = demo[ADMIN].organization
    db.session.refresh(organization)
    assert (organization.flow_reminder_days, organization.flow_overdue_reminder) == ("7,2", False)
    post(client, "/settings/reminders", {"reminder_days": "", "overdue_reminder": "1"}, token=token)
    db.session.refresh(organization)
    assert (organization.flow_reminder_days, organization.flow_overdue_reminder) == ("", True)


def test_only_admins_open_the_reminder_settings(client, demo, login_as):
    login_as(demo[MANAGER])
    assert client.get("/settings/reminders").status_code == 403
    assert post(client, "/settings/reminders", {"reminder_days": "1"}).status_code == 403
