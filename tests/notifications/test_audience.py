"""Who hears what, through real flows: requests raised, decided and commented on over
the API (whose requests relay events and run the handler before they answer), flows
assigned, worked through and overdue, and the events the timers and webhooks write."""

import uuid

import pytest
import sqlalchemy as sa

from momoflow import jobs
from momoflow.accounts.models import Role, User
from momoflow.database import utcnow
from momoflow.events import Event, record_event
from momoflow.extensions import db as _db
from momoflow.flows import overdue, services as flow_services
from momoflow.flows.validation import parse_assignment
from momoflow.notifications import handlers
from momoflow.notifications.models import Email, EmailOptOut, Notification
from tests.factories import make_org, make_user
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
MANAGER = "manager@royalenfield.com"
DIRECTOR = "director@royalenfield.com"
CFO = "cfo@royalenfield.com"
SPECTATOR = "spectator@royalenfield.com"
ADMIN = "admin@company.com"


def heard(kind, subject_id=None):
    """Emails of the people notified of ``kind`` events (about ``subject_id``)."""
    statement = (sa.select(User.email).join(Notification, Notification.user_id == User.id)
                 .join(Event, Event.id == Notification.event_id).where(Notification.kind == kind))
    if subject_id is not None:
        statement = statement.where(Event.subject_id == uuid.UUID(str(subject_id)))
    return sorted(_db.session.scalars(statement))


def emailed(kind):
    return sorted(_db.session.scalars(sa.select(Email.to_address).join(Event, Event.id == Email.event_id)
                                      .where(Event.type == kind)))


def relay(db):
    """Outside a request: commit, then run the drains the commit kicked (as a request's end does)."""
    db.session.commit()
    jobs.run_pending_in_process()


def raise_request(api_as, *approvers, spectators=(SPECTATOR,)):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(*approvers, spectators=spectators))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def level_id(api_as, request_id, number):
    levels = api_as(INITIATOR).get(f"/workflows/{request_id}").get_json()["data"]["approvalLevels"]
    return next(level["levelId"] for level in levels if level["levelNumber"] == number)


def decide(api_as, email, request_id, number, verb="approve", comments="Looks good"):
    response = api_as(email).post(f"/workflows/{request_id}/levels/{level_id(api_as, request_id, number)}/{verb}",
                                  json={"comments": comments})
    assert response.status_code == 200, response.get_json()


# --- approval requests -------------------------------------------------------------------


def test_a_new_request_tells_its_first_approver_and_its_spectators_only(api_as, db):
    created = raise_request(api_as, MANAGER, DIRECTOR)
    assert heard("level.started", created["requestId"]) == [MANAGER]
    assert heard("workflow.created", created["requestId"]) == [SPECTATOR]
    everyone = sa.select(sa.func.count()).select_from(Notification)
    assert db.session.scalar(everyone) == 2  # nobody else: not the initiator, not level 2 yet


def test_approving_a_level_tells_the_initiator_and_spectators_and_starts_the_next_approver(api_as, db):
    created = raise_request(api_as, MANAGER, DIRECTOR)
    decide(api_as, MANAGER, created["requestId"], 1)
    assert heard("level.approved", created["requestId"]) == [INITIATOR, SPECTATOR]  # never the manager who acted
    assert heard("level.started", created["requestId"]) == [DIRECTOR, MANAGER]

    decide(api_as, DIRECTOR, created["requestId"], 2)  # the last level: the request's approval tells, once
    assert heard("workflow.approved", created["requestId"]) == [INITIATOR, SPECTATOR]
    assert heard("level.approved", created["requestId"]) == [INITIATOR, SPECTATOR]


def test_a_rejection_tells_the_initiator_and_spectators_once(api_as, db):
    created = raise_request(api_as, MANAGER, DIRECTOR)
    decide(api_as, MANAGER, created["requestId"], 1, "reject", "Over budget")
    assert heard("level.rejected", created["requestId"]) == []  # it always ends the request
    assert heard("workflow.rejected", created["requestId"]) == [INITIATOR, SPECTATOR]
    [notification] = db.session.scalars(sa.select(Notification).join(User, User.id == Notification.user_id)
                                        .where(User.email == INITIATOR, Notification.kind == "workflow.rejected"))
    assert notification.title == f"{created['requestNumber']}: rejected by Arjun Mehta"
    assert "Over budget" in notification.body and notification.link == f"/requests/{created['requestId']}"


def test_a_comment_reaches_everyone_who_has_seen_the_request_except_its_author(api_as, db):
    created = raise_request(api_as, MANAGER, DIRECTOR, CFO)
    decide(api_as, MANAGER, created["requestId"], 1)  # the director's level is reached, the CFO's is not
    response = api_as(INITIATOR).post(f"/workflows/{created['requestId']}/comments", json={"comment": "Any news?"})
    assert response.status_code == 201
    assert heard("comment.added", created["requestId"]) == [DIRECTOR, MANAGER, SPECTATOR]

    api_as(SPECTATOR).post(f"/workflows/{created['requestId']}/comments", json={"comment": "Following"})
    assert heard("comment.added", created["requestId"]) == [DIRECTOR, DIRECTOR, INITIATOR, MANAGER, MANAGER,
                                                             SPECTATOR]


def test_people_added_to_a_request_hear_that_they_were(api_as, db):
    created = raise_request(api_as, MANAGER, spectators=())
    initiator = api_as(INITIATOR)
    initiator.post(f"/workflows/{created['requestId']}/participants/spectator", json={"email": "hr@royalenfield.com"})
    initiator.post(f"/workflows/{created['requestId']}/participants/approver", json={"email": CFO})
    response = initiator.post(f"/workflows/{created['requestId']}/approvers/at-level",
                              json={"email": DIRECTOR, "tatHours": 8, "level": 2})
    assert response.status_code == 201, response.get_json()
    assert heard("spectator.added") == ["hr@royalenfield.com"]
    assert heard("approver.added") == [CFO, DIRECTOR]
    [at_level] = db.session.scalars(sa.select(Notification).where(Notification.kind == "approver.added",
                                                                  Notification.title.contains("level 2")))
    assert at_level.title == f"{created['requestNumber']}: you approve level 2"


def test_tat_reminders_reach_the_approver_and_a_breach_the_initiator_too(api_as, db, demo):
    created = raise_request(api_as, MANAGER)
    payload = {"requestId": created["requestId"], "requestNumber": created["requestNumber"], "title": "Purchase Order",
               "status": "PENDING", "levelNumber": 1, "levelName": "Manager", "approverId": str(demo[MANAGER].id),
               "tatDeadline": "2030-01-07T17:00:00+00:00"}
    for event_type, extra in (("level.tat_reminder", {"percent": 75}), ("level.tat_breached", {})):
        record_event(event_type, organization_id=demo[INITIATOR].organization_id,
                     subject_id=uuid.UUID(created["requestId"]), payload={**payload, **extra})
    relay(db)
    assert heard("level.tat_reminder") == [MANAGER]
    assert heard("level.tat_breached") == [INITIATOR, MANAGER]
    titles = dict(db.session.execute(sa.select(Notification.kind, Notification.title)
                                     .where(Notification.user_id == demo[MANAGER].id)).all())
    assert titles["level.tat_reminder"].endswith("75% of your time to decide has passed")
    assert titles["level.tat_breached"].endswith("your decision is overdue")


# --- flows ---------------------------------------------------------------------------------


def assign(demo, email, assigned_by=None, flow_id="flow_sec101", **fields):
    spec = parse_assignment({"flowId": flow_id, "userEmail": email, **fields})
    assigner = flow_services.Assigner(demo[ADMIN].organization_id, person=assigned_by)
    return flow_services.assign_flow(assigner, spec).assignment


def work_through(db, demo, email, assignment):
    from momoflow.flows.models import Module

    modules = db.session.scalars(sa.select(Module.id).where(Module.flow_id == assignment.flow_id)
                                 .order_by(Module.position)).all()
    for module_id in modules:
        flow_services.complete_module(demo[email], assignment.public_id, module_id)


def test_flows_tell_the_assignee_and_the_person_who_assigned(db, demo):
    assignment = assign(demo, INITIATOR, assigned_by=demo[MANAGER])
    relay(db)
    assert heard("flow.assigned") == [INITIATOR]

    work_through(db, demo, INITIATOR, assignment)
    relay(db)
    assert heard("flow.completed") == [MANAGER]  # not the assignee, who completed it
    assert heard("flow.started") == []

    late = assign(demo, SPECTATOR, assigned_by=demo[MANAGER], dueDate="2020-01-01T00:00:00Z")
    overdue.check(utcnow())
    relay(db)
    assert heard("flow.overdue", late.id) == [MANAGER, SPECTATOR]


def test_flows_an_api_key_assigned_tell_only_the_assignee(db, demo):
    late = assign(demo, SPECTATOR, dueDate="2020-01-01T00:00:00Z")
    overdue.check(utcnow())
    relay(db)
    assert heard("flow.assigned") == [SPECTATOR]
    assert heard("flow.overdue", late.id) == [SPECTATOR]
    work_through(db, demo, SPECTATOR, late)
    relay(db)
    assert heard("flow.completed") == []


# --- administration, organisations, repeats -----------------------------------------------------


def test_a_disabled_webhook_tells_the_organisations_active_admins(db, demo):
    organization = demo[ADMIN].organization
    second = make_user(organization, email="second-admin@company.com", role=Role.ADMIN)
    make_user(organization, email="former-admin@company.com", role=Role.ADMIN, active=False)
    make_user(make_org(), email="admin@elsewhere.example", role=Role.ADMIN)
    record_event("webhook.disabled", organization_id=organization.id, subject_id=second.id,
                 payload={"endpointId": str(second.id), "url": "https://hooks.example.com/x", "reason": "HTTP 410"})
    relay(db)
    assert heard("webhook.disabled") == [ADMIN, "second-admin@company.com"]


def test_setting_an_out_of_office_tells_the_stand_in_only(db, demo):
    from datetime import timedelta

    from momoflow.accounts.absences import set_absence

    admin, employee = demo[ADMIN], demo[INITIATOR]
    set_absence(admin, employee, utcnow() + timedelta(days=1), utcnow() + timedelta(days=2), MANAGER)
    relay(db)
    assert heard("absence.set") == [MANAGER] and emailed("absence.set") == [MANAGER]
    set_absence(admin, employee, utcnow() + timedelta(days=1), utcnow() + timedelta(days=2), ADMIN)
    relay(db)
    assert heard("absence.set") == [MANAGER]  # an admin who names themself knows already


def test_people_of_another_organisation_never_hear(db, demo, api_as):
    created = raise_request(api_as, MANAGER)
    stranger = make_user(make_org(), email="stranger@elsewhere.example")
    record_event("level.started", organization_id=demo[INITIATOR].organization_id,
                 subject_id=uuid.UUID(created["requestId"]),
                 payload={"requestId": created["requestId"], "requestNumber": created["requestNumber"],
                          "title": "Purchase Order", "levelNumber": 1, "approverId": str(stranger.id)})
    record_event("spectator.added", organization_id=demo[INITIATOR].organization_id,
                 subject_id=uuid.UUID(created["requestId"]),
                 payload={"requestId": created["requestId"], "userEmail": stranger.email})
    relay(db)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == stranger.id)) == 0


def test_handling_an_event_twice_adds_nothing(db, demo, api_as):
    created = raise_request(api_as, MANAGER, DIRECTOR)
    decide(api_as, MANAGER, created["requestId"], 1)
    event = db.session.scalar(sa.select(Event).where(Event.type == "level.approved"))
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Notification, Email)]
    handlers.handle([event])
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Notification, Email)] == counts


def test_an_email_is_written_for_everyone_told_unless_they_opted_out_of_that_kind(db, demo, api_as):
    db.session.add(EmailOptOut(user_id=demo[SPECTATOR].id, kind="level.approved"))
    db.session.flush()
    created = raise_request(api_as, MANAGER, DIRECTOR)
    decide(api_as, MANAGER, created["requestId"], 1)
    assert heard("level.approved") == [INITIATOR, SPECTATOR]  # in the app, everyone
    assert emailed("level.approved") == [INITIATOR]
    assert emailed("workflow.created") == [SPECTATOR]  # other kinds still come


@pytest.mark.parametrize("kind", ["workflow.withdrawn", "flow.started"])
def test_some_events_tell_nobody(db, demo, kind):
    event = record_event(kind, organization_id=demo[ADMIN].organization_id, subject_id=demo[ADMIN].id, payload={})
    db.session.flush()
    handlers.handle([event])
    assert heard(kind) == []


def test_the_handler_needs_three_statements_however_many_hear(db, demo, api_as, count_queries):
    created = raise_request(api_as, MANAGER, spectators=(SPECTATOR, "hr@royalenfield.com", "finance@royalenfield.com",
                                                          "user@example.com", "hr@example.com"))
    event = record_event("workflow.approved", organization_id=demo[INITIATOR].organization_id,
                         subject_id=uuid.UUID(created["requestId"]), actor=demo[MANAGER],
                         payload={"requestId": created["requestId"], "requestNumber": created["requestNumber"],
                                  "title": "Purchase Order", "status": "APPROVED"})
    db.session.flush()
    with count_queries() as statements:
        handlers.handle([event])
    assert len(heard("workflow.approved")) == 6
    assert len(statements) == 3, statements


def test_a_batch_of_events_costs_a_query_each_and_two_inserts_in_all(db, demo, api_as, count_queries):
    created = raise_request(api_as, MANAGER, spectators=(SPECTATOR, "hr@royalenfield.com"))
    events = [record_event("comment.added", organization_id=demo[INITIATOR].organization_id,
                           subject_id=uuid.UUID(created["requestId"]), actor=demo[INITIATOR],
                           payload={"requestId": created["requestId"], "requestNumber": created["requestNumber"],
                                    "title": "Purchase Order", "status": "PENDING", "comment": f"Note {n}"})
              for n in range(5)]
    db.session.flush()
    with count_queries() as statements:
        handlers.handle(events)
    assert len(heard("comment.added")) == 5 * 3  # the manager and two spectators, for each comment
    assert len(statements) == 5 + 2, statements
