"""An assignment's page and its changes (issue 16): cancel with a reason, change the due
date, send a reminder now, reassign; who may (admins, whoever assigned it; not the
assignee, not other managers, nobody from another organisation); the history line and
the event each writes, and the assignee's notification and email."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow import jobs
from momoflow.accounts.models import Role
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.flows import managing, services
from momoflow.flows.models import Assignment, AssignmentActivity, AssignmentStatus
from momoflow.flows.schemas import iso
from momoflow.flows.validation import parse_assignment
from momoflow.jobs import tick
from momoflow.notifications.models import Email, Notification
from momoflow.templating import date_text
from tests.factories import make_org, make_user
from tests.flows.pages import ADMIN, EMPLOYEE, HR, MANAGER, assign, error_of, fresh, post, token_on

DIRECTOR = "director@royalenfield.com"  # another manager
IN_A_WEEK = iso(utcnow() + timedelta(days=7))


def assigned_by(demo, email, assignee=EMPLOYEE, **fields):
    """``assignee``'s new assignment of flow_123abc, assigned by ``email``."""
    spec = parse_assignment({"flowId": "flow_123abc", "userEmail": assignee, **fields})
    return services.assign_flow(services.Assigner.signed_in(demo[email]), spec).assignment


def page_of(assignment):
    return f"/flows/assignments/{assignment.public_id}"


def events(db, kind):
    return db.session.scalars(sa.select(Event).where(Event.type == kind).order_by(Event.occurred_at)).all()


def history(db, assignment):
    return db.session.scalars(sa.select(AssignmentActivity.summary).where(
        AssignmentActivity.assignment_id == assignment.id).order_by(AssignmentActivity.occurred_at)).all()


# --- the page -------------------------------------------------------------------------


def test_the_page_shows_the_assignment_its_changes_and_its_history(client, demo, login_as):
    assignment = assign(demo, EMPLOYEE, dueDate=IN_A_WEEK, notes="Before the team meeting")
    login_as(demo[ADMIN])
    html = client.get(page_of(assignment)).get_data(as_text=True)
    assert "<h1>Customer Onboarding</h1>" in html and "Priya Sharma" in html and "Before the team meeting" in html
    for label in ('for="cancel-reason"', 'for="change-due-date"', 'for="reassign-email"', ">Send reminder<"):
        assert label in html
    assert "by Sam Taylor" in html and '<datalist id="people-options">' in html
    overview = client.get("/flows/assignments").get_data(as_text=True)
    assert f'href="/flows/assignments/{assignment.public_id}"' in overview
    assert f'value="{assignment.public_id}" form="assignment-bulk" data-bulk-item' in overview


def test_the_page_costs_the_same_queries_however_long_the_history(client, demo, login_as, count_queries, db,
                                                                  monkeypatch):
    assignment = assign(demo, EMPLOYEE, dueDate=IN_A_WEEK)
    login_as(demo[ADMIN])
    client.get(page_of(assignment))
    with count_queries() as short:
        client.get(page_of(assignment))
    admin = services.Assigner.signed_in(demo[ADMIN])
    for hours in range(1, 6):
        monkeypatch.setattr(managing, "utcnow", lambda hours=hours: utcnow() + timedelta(hours=hours * 2))
        managing.remind_assignment(admin, assignment.public_id)
    db.session.commit()
    with count_queries() as long:
        html = client.get(page_of(assignment)).get_data(as_text=True)
    assert html.count("Reminder sent") == 5
    assert len(long) == len(short)


# --- who may ----------------------------------------------------------------------------


def test_whoever_assigned_it_may_change_it_but_other_managers_may_not(client, demo, login_as, db):
    assignment = assigned_by(demo, MANAGER, dueDate=IN_A_WEEK)
    login_as(demo[DIRECTOR])
    html = client.get(page_of(assignment)).get_data(as_text=True)
    assert 'for="cancel-reason"' not in html and "Only administrators and the person who assigned" in html
    assert 'data-bulk-item' not in client.get("/flows/assignments").get_data(as_text=True)
    refused = post(client, f"{page_of(assignment)}/due-date", {"due_date": "2099-01-31"}, htmx=True,
                   token=token_on(client, "/flows/assignments"))
    assert refused.status_code == 403
    assert fresh(db, Assignment, assignment.id).due_date.year != 2099

    login_as(demo[MANAGER])
    response = post(client, f"{page_of(assignment)}/due-date", {"due_date": "2099-01-31"}, htmx=True,
                    token=token_on(client, "/flows/assignments"))
    assert response.status_code == 200
    assert fresh(db, Assignment, assignment.id).due_date.isoformat().startswith("2099-01-31T23:59:59")


def test_the_assignee_may_not_change_their_own_assignment(client, demo, login_as, db):
    demo[HR].role = Role.MANAGER  # a manager who assigned a flow to themselves: still the assignee
    own = assigned_by(demo, HR, assignee=HR)
    theirs = assign(demo, EMPLOYEE)
    for person, assignment in ((demo[EMPLOYEE], theirs), (demo[HR], own)):
        login_as(person)
        token = token_on(client)
        for action, data in (("cancel", {"reason": "Done elsewhere"}), ("remind", {}), ("due-date",
                                                                                    {"due_date": "2099-01-31"})):
            assert post(client, f"{page_of(assignment)}/{action}", data, token=token).status_code == 403
        assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.ASSIGNED
    assert client.get(page_of(own)).status_code == 200  # a manager may look at it all the same
    login_as(demo[EMPLOYEE])
    assert client.get(page_of(theirs)).status_code == 403


def test_another_organisations_assignment_does_not_exist(client, demo, login_as):
    assignment = assign(demo, EMPLOYEE)
    stranger = make_user(make_org(), role=Role.ADMIN)
    login_as(stranger)
    token = token_on(client, "/flows/assignments")
    assert client.get(page_of(assignment)).status_code == 404
    for action in ("cancel", "remind", "due-date", "reassign"):
        assert post(client, f"{page_of(assignment)}/{action}", {"reason": "x", "due_date": "2099-01-01",
                                                                 "email": HR}, token=token).status_code == 404
    assert client.get("/flows/assignments/asgn_" + "x" * 80).status_code == 404


def test_posts_without_a_csrf_token_are_refused(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE)
    login_as(demo[ADMIN])
    assert client.post(f"{page_of(assignment)}/cancel", data={"reason": "x"}).status_code == 400
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.ASSIGNED


# --- cancel -----------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_tells_the_assignee_why(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE, dueDate=IN_A_WEEK)
    login_as(demo[ADMIN])
    token = token_on(client, page_of(assignment))
    for reason, problem in (("  ", "Say why it is cancelled: the person is told."),
                            ("x" * 501, "Keep the reason to 500 characters or fewer.")):
        refused = post(client, f"{page_of(assignment)}/cancel", {"reason": reason}, htmx=True, token=token)
        assert refused.status_code == 422
        assert error_of(refused.get_data(as_text=True), "cancel-reason") == problem
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.ASSIGNED
    assert events(db, "flow.cancelled") == []

    response = post(client, f"{page_of(assignment)}/cancel", {"reason": "Moved to the Pune team"}, htmx=True,
                    token=token)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Assignment cancelled. Priya Sharma has been told." in html
    assert "Cancelled: Moved to the Pune team" in html and 'for="cancel-reason"' not in html
    cancelled = fresh(db, Assignment, assignment.id)
    assert cancelled.status == AssignmentStatus.CANCELLED and cancelled.cancelled_by_user_id == demo[ADMIN].id
    [event] = events(db, "flow.cancelled")
    assert event.payload["reason"] == "Moved to the Pune team" and event.actor_id == demo[ADMIN].id
    assert event.payload["cancelledBy"] == {"type": "user", "email": ADMIN, "name": "Sam Taylor"}
    assert history(db, assignment) == ["Cancelled: Moved to the Pune team"]

    jobs.run_pending_in_process()
    notification = db.session.scalar(sa.select(Notification).where(Notification.kind == "flow.cancelled"))
    assert notification.user_id == demo[EMPLOYEE].id and "“Moved to the Pune team”" in notification.body
    login_as(demo[EMPLOYEE])  # their own page says why too
    own = client.get(f"/my-flows/{assignment.public_id}").get_data(as_text=True)
    assert "This assignment was cancelled" in own and "<strong>Why:</strong> Moved to the Pune team" in own


def test_a_plain_post_redirects_to_the_page_with_a_message(client, demo, login_as):
    assignment = assign(demo, EMPLOYEE)
    login_as(demo[ADMIN])
    response = post(client, f"{page_of(assignment)}/cancel", {"reason": "Not needed"})
    assert response.status_code == 303 and response.headers["Location"].endswith(page_of(assignment))
    assert "Assignment cancelled." in client.get(page_of(assignment)).get_data(as_text=True)


def test_a_closed_assignment_offers_no_changes_and_refuses_them(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE)
    services.cancel_assignment(services.Assigner.signed_in(demo[ADMIN]), assignment.public_id, "Not needed")
    login_as(demo[ADMIN])
    html = client.get(page_of(assignment)).get_data(as_text=True)
    assert "Send reminder" not in html and "Cancelled: Not needed" in html
    response = post(client, f"{page_of(assignment)}/remind", htmx=True, token=token_on(client, page_of(assignment)))
    assert response.status_code == 409
    assert f"Assignment {assignment.public_id} is cancelled: no reminder can be sent" in response.get_data(as_text=True)


# --- the due date -----------------------------------------------------------------------


def test_changing_the_due_date(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE, dueDate="2020-01-31")
    db.session.execute(sa.update(Assignment).where(Assignment.id == assignment.id).values(
        overdue_notified_at=utcnow()))
    login_as(demo[ADMIN])
    token = token_on(client, page_of(assignment))
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    for value, problem in ((yesterday, "Choose today or a later date."), ("", "Choose the new due date."),
                           ("31/01/2099", "Enter the date as year-month-day, e.g. 2025-01-31.")):
        refused = post(client, f"{page_of(assignment)}/due-date", {"due_date": value}, htmx=True, token=token)
        assert refused.status_code == 422
        assert error_of(refused.get_data(as_text=True), "change-due-date") == problem

    today = utcnow().date().isoformat()  # the end of today: not in the past
    response = post(client, f"{page_of(assignment)}/due-date", {"due_date": today}, htmx=True, token=token)
    assert response.status_code == 200 and "Due date changed. Priya Sharma has been told." in response.get_data(
        as_text=True)
    changed = fresh(db, Assignment, assignment.id)
    assert iso(changed.due_date) == f"{today}T23:59:59Z" and changed.redated_at is not None
    assert changed.overdue_notified_at is None  # overdue is announced again if the new date passes
    [event] = events(db, "flow.due_date_changed")
    assert event.payload["previousDueDate"] == "2020-01-31T23:59:59Z" and event.payload["dueDate"] == iso(
        changed.due_date)
    assert event.payload["changedBy"]["email"] == ADMIN
    assert history(db, assignment) == [f"Due date changed from 31 Jan 2020 to {date_text(changed.due_date)}"]

    post(client, f"{page_of(assignment)}/due-date", {"due_date": today}, htmx=True, token=token)
    assert len(events(db, "flow.due_date_changed")) == 1  # the same date again changes nothing


# --- remind -----------------------------------------------------------------------------


def test_a_reminder_goes_to_the_assignee_at_most_once_an_hour(client, demo, login_as, db, monkeypatch):
    assignment = assign(demo, EMPLOYEE, dueDate=IN_A_WEEK)
    login_as(demo[ADMIN])
    token = token_on(client, page_of(assignment))
    response = post(client, f"{page_of(assignment)}/remind", htmx=True, token=token)
    assert response.status_code == 200 and "Reminder sent to Priya Sharma." in response.get_data(as_text=True)
    reminded_at = fresh(db, Assignment, assignment.id).last_reminded_at
    assert reminded_at is not None

    monkeypatch.setattr(managing, "utcnow", lambda: reminded_at + timedelta(minutes=12))
    refused = post(client, f"{page_of(assignment)}/remind", htmx=True, token=token)
    assert refused.status_code == 422
    assert ("A reminder was sent to employee@company.com 12 minutes ago; another can be sent in 48 minutes."
            in refused.get_data(as_text=True))
    monkeypatch.setattr(managing, "utcnow", lambda: reminded_at + timedelta(minutes=61))
    assert post(client, f"{page_of(assignment)}/remind", htmx=True, token=token).status_code == 200

    reminders = events(db, "flow.reminded")
    assert len(reminders) == 2 and reminders[0].payload["reminderType"] == "manual"
    assert reminders[0].payload["remindedBy"]["email"] == ADMIN
    assert history(db, assignment) == ["Reminder sent", "Reminder sent"]
    jobs.run_pending_in_process()
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "flow.reminded")).all()
    assert [note.user_id for note in told] == [demo[EMPLOYEE].id] * 2
    assert told[0].title == "Reminder: please complete Customer Onboarding"
    emails = db.session.scalars(sa.select(Email).join(Event, Event.id == Email.event_id)
                                .where(Event.type == "flow.reminded")).all()
    assert [email.to_address for email in emails] == [EMPLOYEE] * 2
    assert "Sam Taylor reminds you to complete “Customer Onboarding”" in emails[0].text_body


# --- reassign ---------------------------------------------------------------------------


def test_reassigning_cancels_the_old_one_and_assigns_the_same_flow_and_due_date(client, demo, login_as, db):
    old = assign(demo, EMPLOYEE, dueDate=IN_A_WEEK, priority="high", notes="Before the team meeting")
    services.start_assignment(demo[EMPLOYEE], old.public_id)
    login_as(demo[ADMIN])
    response = post(client, f"{page_of(old)}/reassign", {"email": HR.upper()}, htmx=True,
                    token=token_on(client, page_of(old)))
    assert response.status_code == 204
    new = db.session.scalar(sa.select(Assignment).where(Assignment.user_id == demo[HR].id))
    assert response.headers["HX-Redirect"] == page_of(new)
    assert (new.flow_id, new.due_date, new.priority.value, new.notes) == (old.flow_id, old.due_date, "high",
                                                                           "Before the team meeting")
    assert new.status == AssignmentStatus.ASSIGNED and new.modules_completed == 0  # progress does not move
    old = fresh(db, Assignment, old.id)
    assert old.status == AssignmentStatus.CANCELLED
    [cancelled] = events(db, "flow.cancelled")
    assert cancelled.payload["reason"] == "Reassigned to Meera Nair"
    assert cancelled.payload["reassignedTo"] == {"assignmentId": new.public_id, "userEmail": HR, "name": "Meera Nair"}
    assert [event.subject_id for event in events(db, "flow.assigned")][-1] == new.id
    assert history(db, old) == ["Cancelled: Reassigned to Meera Nair"]
    assert history(db, new) == [f"Reassigned from Priya Sharma ({EMPLOYEE})"]
    html = client.get(page_of(new)).get_data(as_text=True)
    assert "Reassigned to Meera Nair. Both of them have been told." in html


@pytest.mark.parametrize("email, status, problem", [
    ("", 422, "Enter the email address of the person to give it to."),
    (EMPLOYEE, 422, "Priya Sharma already has this assignment: choose someone else"),
    ("ghost@company.com", 422, "No one with the email ghost@company.com can be assigned in your organisation"),
])
def test_reassigning_to_nobody_or_the_same_person_is_refused(client, demo, login_as, db, email, status, problem):
    old = assign(demo, EMPLOYEE)
    login_as(demo[ADMIN])
    response = post(client, f"{page_of(old)}/reassign", {"email": email}, htmx=True,
                    token=token_on(client, page_of(old)))
    assert response.status_code == status
    assert error_of(response.get_data(as_text=True), "reassign-email") == problem
    assert fresh(db, Assignment, old.id).status == AssignmentStatus.ASSIGNED


def test_reassigning_to_someone_who_has_it_open_undoes_both_halves(client, demo, login_as, db):
    old, theirs = assign(demo, EMPLOYEE), assign(demo, HR)
    login_as(demo[ADMIN])
    response = post(client, f"{page_of(old)}/reassign", {"email": HR}, htmx=True,
                    token=token_on(client, page_of(old)))
    assert response.status_code == 409
    assert f"already assigned to {HR} (assignment {theirs.public_id})" in response.get_data(as_text=True)
    assert fresh(db, Assignment, old.id).status == AssignmentStatus.ASSIGNED
    assert events(db, "flow.cancelled") == [] and len(events(db, "flow.assigned")) == 2


def test_a_refused_reassignment_undoes_itself_for_a_caller_that_carries_on(demo, db):
    old, theirs = assign(demo, EMPLOYEE), assign(demo, HR)
    with pytest.raises(services.AlreadyAssigned):
        managing.reassign_assignment(services.Assigner.signed_in(demo[ADMIN]), old.public_id, HR)
    assert fresh(db, Assignment, old.id).status == AssignmentStatus.ASSIGNED
    assert fresh(db, Assignment, theirs.id).status == AssignmentStatus.ASSIGNED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentActivity)) == 0


@pytest.mark.parametrize("action, data, input_id", [
    ("cancel", {"reason": "Stop\x00now"}, "cancel-reason"),
    ("cancel", {"reason": "x" * 100_000}, "cancel-reason"),
    ("due-date", {"due_date": "9" * 5000}, "change-due-date"),
    ("due-date", {"due_date": "9999-12-31T23:59:59+00:00x"}, "change-due-date"),
    ("reassign", {"email": "x" * 5000 + "@company.com"}, "reassign-email"),
    ("reassign", {"email": "ghost\x00@company.com"}, "reassign-email"),
])
def test_hostile_form_values_are_refused_next_to_their_field(client, demo, login_as, db, action, data, input_id):
    assignment = assign(demo, EMPLOYEE)
    login_as(demo[ADMIN])
    response = post(client, f"{page_of(assignment)}/{action}", data, htmx=True,
                    token=token_on(client, page_of(assignment)))
    assert response.status_code == 422 and error_of(response.get_data(as_text=True), input_id)
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.ASSIGNED


def test_the_latest_possible_due_date_is_kept_and_reminded_about_without_overflowing(demo, db):
    assignment = assign(demo, EMPLOYEE)
    managing.change_due_date(services.Assigner.signed_in(demo[ADMIN]), assignment.public_id, "9999-12-31")
    db.session.commit()
    tick.run(now=utcnow())
    assert iso(fresh(db, Assignment, assignment.id).due_date) == "9999-12-31T23:59:59Z"
