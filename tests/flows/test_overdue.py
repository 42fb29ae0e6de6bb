"""Overdue assignments: the tick announces each one once (``flow.overdue``), never a
closed one, and a due date in the future only once it has passed."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.flows import overdue, services
from momoflow.flows.models import Assignment, AssignmentStatus, Flow, Module
from momoflow.flows.schemas import iso
from momoflow.flows.validation import parse_assignment
from momoflow.jobs import tick
from tests.conftest import need
from tests.flows.conftest import SEED_BODY

EMPLOYEE = "employee@company.com"


def overdue_events(db):
    return db.session.scalars(sa.select(Event).where(Event.type == "flow.overdue")).all()


def assign(demo, email, flow_id="flow_123abc", **fields):
    spec = parse_assignment({"flowId": flow_id, "userEmail": email, **fields})
    organization = demo["admin@company.com"].organization
    return services.assign_flow(services.Assigner(organization.id, person=demo["admin@company.com"]), spec).assignment


def test_a_past_due_date_from_the_api_is_announced_on_the_next_tick_once(integrator, db):
    response = integrator.post("/flows/assign", json=SEED_BODY)  # due 2024-11-25: overdue at once
    assignment_id = response.get_json()["assignmentId"]
    assert overdue_events(db) == []  # assigning announces flow.assigned only
    db.session.commit()

    tick.run(now=utcnow())
    [event] = overdue_events(db)
    assert event.payload["assignmentId"] == assignment_id and event.payload["status"] == "overdue"
    assert event.payload["dueDate"] == "2024-11-25T23:59:59Z" and event.payload["userEmail"] == EMPLOYEE
    assert event.payload["assignedBy"] == {"type": "api_key", "name": "HR system"}
    assert event.dispatched_at is not None  # the tick relayed it to the handlers
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.public_id == assignment_id))
    assert assignment.overdue_notified_at is not None

    tick.run(now=utcnow() + timedelta(hours=1))
    assert len(overdue_events(db)) == 1


def test_a_future_due_date_waits_until_it_has_passed(demo, db):
    now = utcnow()
    assignment = assign(demo, EMPLOYEE, dueDate=iso(now + timedelta(days=2)))
    db.session.commit()
    tick.run(now=now)
    tick.run(now=now + timedelta(days=1))
    assert overdue_events(db) == []
    tick.run(now=now + timedelta(days=3))
    [event] = overdue_events(db)
    # Overdue by the tick's clock, even where the wall clock has not caught up.
    assert event.subject_id == assignment.id and event.payload["status"] == "overdue"
    assert event.payload["assignedBy"] is None and event.actor_id is None


def test_closed_assignments_and_ones_without_a_due_date_are_never_overdue(demo, db):
    past = iso(utcnow() - timedelta(days=3))
    cancelled = assign(demo, EMPLOYEE, dueDate=past)
    services.cancel_assignment(services.Assigner(demo[EMPLOYEE].organization_id), cancelled.public_id)
    finished = assign(demo, EMPLOYEE, flow_id="flow_sec101", dueDate=past)
    for _ in range(db.session.get(Flow, finished.flow_id).module_count):
        assignment = db.session.get(Assignment, finished.id)
        services.complete_module(demo[EMPLOYEE], finished.public_id, _next_module(db, assignment))
    assign(demo, "manager@royalenfield.com")  # no due date
    assert db.session.get(Assignment, finished.id).status == AssignmentStatus.COMPLETED
    db.session.commit()
    tick.run(now=utcnow() + timedelta(days=365))
    assert overdue_events(db) == []


def _next_module(db, assignment):
    return db.session.scalar(sa.select(Module.id).where(Module.flow_id == assignment.flow_id)
                             .order_by(Module.position).offset(assignment.modules_completed))


def test_a_flow_in_progress_is_still_overdue(demo, db):
    assignment = assign(demo, EMPLOYEE, dueDate=iso(utcnow() - timedelta(minutes=5)))
    services.start_assignment(demo[EMPLOYEE], assignment.public_id)
    db.session.commit()
    assert overdue.check(utcnow()) == 1
    assert overdue.check(utcnow()) == 0


def test_a_backlog_is_claimed_in_batches(demo, db, monkeypatch):
    monkeypatch.setattr(overdue, "BATCH", 2)
    people = ["employee@company.com", "manager@royalenfield.com", "hr@royalenfield.com", "admin@company.com",
              "cfo@royalenfield.com"]
    for email in people:
        assign(demo, email, dueDate="2024-01-31")
    assert overdue.check(utcnow()) == 5
    assert sorted(event.payload["userEmail"] for event in overdue_events(db)) == sorted(people)


def test_the_backlog_beyond_a_ticks_share_waits_for_the_next_tick(demo, db, monkeypatch):
    monkeypatch.setattr(overdue, "BATCH", 1)
    monkeypatch.setattr(overdue, "MAX_PER_TICK", 2)
    for email in ("employee@company.com", "manager@royalenfield.com", "hr@royalenfield.com"):
        assign(demo, email, dueDate="2024-01-31")
    assert [overdue.check(utcnow()) for _ in range(3)] == [2, 1, 0]


@pytest.fixture
def committed_assignment(app, committed_demo):
    """A past-due assignment committed for real, so another connection can lock it."""
    from momoflow.extensions import db

    with app.app_context():
        organization = db.session.scalar(sa.select(Flow)).organization_id
        spec = parse_assignment({"flowId": "flow_123abc", "userEmail": EMPLOYEE, "dueDate": "2024-01-31"})
        assignment = services.assign_flow(services.Assigner(organization), spec)
        db.session.commit()
        yield assignment.assignment.id
        db.session.remove()


def test_a_row_another_tick_holds_is_skipped_not_waited_for(app, committed_assignment):
    from momoflow.extensions import db

    with app.app_context():
        need(db.engine.dialect.name == "postgresql", "SKIP LOCKED is PostgreSQL's (SQLite runs one writer at a time)")
        with db.engine.connect() as other:
            other.execute(sa.select(Assignment.id).where(Assignment.id == committed_assignment).with_for_update())
            assert overdue.check(utcnow()) == 0  # claimed elsewhere: not announced twice
            db.session.rollback()
        assert overdue.check(utcnow()) == 1
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                                 .where(Event.type == "flow.overdue")) == 1
