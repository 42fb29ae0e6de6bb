"""A small fixed set of assignments whose report numbers are worked out by hand in
tests/flows/test_report.py and test_analytics.py (import the ``report_data`` fixture)."""

from datetime import datetime, timedelta, timezone

import pytest

from momoflow.flows.editing import create_flow, parse_flow
from momoflow.flows.models import Assignment, AssignmentStatus, FlowSchedule, ModuleProgress, ScheduleUnit

FUTURE = datetime(2099, 1, 1, tzinfo=timezone.utc)


def at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# (name, assigned at, status, modules done, due, completed at)
ROWS = [
    ("a1", "2024-10-07T09:00:00Z", AssignmentStatus.COMPLETED, 4, FUTURE, "2024-10-08T21:00:00Z"),  # 1.5 days
    ("a2", "2024-10-09T12:00:00Z", AssignmentStatus.COMPLETED, 4, None, "2024-10-09T18:00:00Z"),  # 6 hours
    ("a3", "2024-10-15T08:00:00Z", AssignmentStatus.IN_PROGRESS, 2, FUTURE, None),
    ("a4", "2024-10-21T10:00:00Z", AssignmentStatus.IN_PROGRESS, 1, at("2024-10-25T00:00:00Z"), None),  # overdue
    ("a5", "2024-10-22T20:00:00Z", AssignmentStatus.ASSIGNED, 0, FUTURE, None),  # 23 Oct in Kolkata
    ("a6", "2024-10-23T10:00:00Z", AssignmentStatus.ASSIGNED, 0, at("2024-10-24T00:00:00Z"), None),  # overdue
    ("a7", "2024-10-24T10:00:00Z", AssignmentStatus.CANCELLED, 0, FUTURE, None),  # never in a report
]


@pytest.fixture
def report_data(db, demo, demo_org):
    """A four-module flow with the ROWS above, one person each, and a weekly and a
    yearly schedule; the organisation is in Asia/Kolkata (UTC+5:30)."""
    demo_org.timezone = "Asia/Kolkata"
    flow = create_flow(demo_org, parse_flow({"name": "Report flow", "modules": [
        {"title": f"Module {n}", "minutes": 30} for n in range(1, 5)]}))
    modules = sorted(flow.modules, key=lambda module: module.position)
    people = [person for email, person in sorted(demo.items())][: len(ROWS)]
    assignments = {}
    for person, (name, assigned, status, done, due, completed) in zip(people, ROWS):
        assigned_at = at(assigned)
        assignment = Assignment(organization_id=demo_org.id, flow_id=flow.id, module_total=4, user_id=person.id,
                                status=status,
                                assigned_at=assigned_at, due_date=due, modules_completed=done,
                                started_at=assigned_at + timedelta(hours=1) if done else None,
                                completed_at=at(completed) if completed else None)
        db.session.add(assignment)
        db.session.flush()
        for position in range(done):  # each module an hour after the one before
            db.session.add(ModuleProgress(assignment_id=assignment.id, module_id=modules[position].id,
                                          completed_at=assigned_at + timedelta(hours=2 + position)))
        assignments[name] = (assignment, person)
    other = create_flow(demo_org, parse_flow({"name": "Other flow", "modules": [{"title": "Only", "minutes": 5}]}))
    db.session.add(Assignment(organization_id=demo_org.id, flow_id=other.id, module_total=1, user_id=people[0].id,
                              assigned_at=at("2024-10-10T00:00:00Z")))
    db.session.add_all([
        FlowSchedule(organization_id=demo_org.id, flow_id=flow.id, user_emails=["b@company.com", "a@company.com"],
                     every=7, unit=ScheduleUnit.DAYS, next_run_at=at("2030-01-07T10:00:00Z")),
        FlowSchedule(organization_id=demo_org.id, flow_id=flow.id, user_emails=["c@company.com"],
                     every=12, unit=ScheduleUnit.MONTHS, next_run_at=at("2030-01-01T09:00:00Z")),
        FlowSchedule(organization_id=demo_org.id, flow_id=flow.id, user_emails=["gone@company.com"],
                     every=3, unit=ScheduleUnit.DAYS, next_run_at=at("2030-01-01T09:00:00Z"), active=False),
    ])
    db.session.flush()
    return flow, modules, assignments
