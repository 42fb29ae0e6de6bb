"""The overview's bulk bar: several assignments cancelled, re-dated or reminded in one
request, a result per row, a refused row undone alone (its own savepoint), and the
overview's query count with the new controls."""

import re
from datetime import timedelta

import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.flows import bulk, managing, rules, services
from momoflow.flows.models import Assignment, AssignmentActivity, AssignmentStatus, Flow, Module
from momoflow.flows.schemas import iso
from tests.factories import make_user
from tests.flows.pages import ADMIN, EMPLOYEE, HR, MANAGER, assign, error_of, fresh, post, rows, token_on
from tests.flows.test_managing import assigned_by

SAM = "sam.lee@company.com"
IN_A_WEEK = iso(utcnow() + timedelta(days=7))
BULK = "/flows/assignments/bulk"


def bulk_post(client, data, htmx=True, url=BULK):
    return post(client, url, data, htmx=htmx, token=token_on(client, "/flows/assignments"))


def results(html):
    """``[(outcome, words)]`` of the results list."""
    return [(outcome, words.strip()) for outcome, words in re.findall(
        r'<li class="bulk-result bulk-result--(\w+)">.*?<span class="bulk-result__words">(.*?)</span>', html, re.S)]


def events(db, kind):
    return db.session.scalars(sa.select(Event).where(Event.type == kind)).all()


def complete(db, demo, assignment):
    for _ in range(db.session.get(Flow, assignment.flow_id).module_count):
        current = fresh(db, Assignment, assignment.id)
        module_id = db.session.scalar(sa.select(Module.id).where(Module.flow_id == current.flow_id)
                                      .order_by(Module.position).offset(current.modules_completed))
        services.complete_module(demo[EMPLOYEE], assignment.public_id, module_id)


def test_redating_several_with_one_closed_among_them(client, demo, login_as, db):
    first, second = assign(demo, EMPLOYEE, dueDate=IN_A_WEEK), assign(demo, HR, dueDate=IN_A_WEEK)
    finished = assign(demo, EMPLOYEE, flow_id="flow_sec101", dueDate=IN_A_WEEK)
    complete(db, demo, finished)
    login_as(demo[ADMIN])
    response = bulk_post(client, {"action": "redate", "due_date": "2099-01-31",
                                  "selected": [first.public_id, finished.public_id, second.public_id]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert results(html) == [
        ("done", "Due date moved to 31 Jan 2099; the person has been told."),
        ("refused", f"Assignment {finished.public_id} is completed: its due date cannot be changed"),
        ("done", "Due date moved to 31 Jan 2099; the person has been told.")]
    assert "Results: 2 changed, 1 not changed." in html
    # the changed rows come back in their new state, out of band; the form too, cleared
    assert f'id="{first.public_id}" hx-swap-oob="true"' in html and f'id="{finished.public_id}" hx-swap-oob' not in html
    assert '<form id="assignment-bulk"' in html and 'hx-swap-oob="true"' in html
    for assignment in (first, second):
        assert iso(fresh(db, Assignment, assignment.id).due_date) == "2099-01-31T23:59:59Z"
    assert fresh(db, Assignment, finished.id).due_date.year != 2099
    assert len(events(db, "flow.due_date_changed")) == 2


def test_a_bulk_cancel_needs_its_reason_before_anything_is_done(client, demo, login_as, db):
    first = assign(demo, EMPLOYEE)
    login_as(demo[ADMIN])
    response = bulk_post(client, {"action": "cancel", "reason": "", "selected": [first.public_id]})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "bulk-reason") == "Say why it is cancelled: the person is told."
    past = bulk_post(client, {"action": "redate", "due_date": "2001-01-01", "selected": [first.public_id]})
    assert error_of(past.get_data(as_text=True), "bulk-due-date") == "Choose today or a later date."
    nothing = bulk_post(client, {"action": "remind"})
    assert nothing.status_code == 422 and "Tick at least one assignment first" in nothing.get_data(as_text=True)
    odd = bulk_post(client, {"action": "archive", "selected": [first.public_id]})
    assert odd.status_code == 422 and "Choose what to do with the selected assignments" in odd.get_data(as_text=True)
    many = [f"asgn_{number}" for number in range(rules.MAX_BULK_CHANGES + 5)]
    too_many = bulk_post(client, {"action": "remind", "selected": many})
    assert too_many.status_code == 422 and "Change at most 200 assignments at a time" in too_many.get_data(as_text=True)
    assert fresh(db, Assignment, first.id).status == AssignmentStatus.ASSIGNED and events(db, "flow.reminded") == []


def test_cancelling_several_with_one_reason(client, demo, login_as, db):
    first, second = assign(demo, EMPLOYEE), assign(demo, HR)
    login_as(demo[ADMIN])
    response = bulk_post(client, {"action": "cancel", "reason": "Programme stopped",
                                  "selected": [first.public_id, second.public_id, "asgn_nope"]})
    assert [outcome for outcome, _ in results(response.get_data(as_text=True))] == ["done", "done", "refused"]
    assert "An assignment you cannot see" in response.get_data(as_text=True)
    assert sorted(event.payload["reason"] for event in events(db, "flow.cancelled")) == ["Programme stopped"] * 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentActivity)) == 2


def test_reminding_several_refuses_those_reminded_recently(client, demo, login_as, db):
    fresh_one, recent = assign(demo, EMPLOYEE), assign(demo, HR)
    managing.remind_assignment(services.Assigner.signed_in(demo[ADMIN]), recent.public_id)
    login_as(demo[ADMIN])
    response = bulk_post(client, {"action": "remind", "selected": [recent.public_id, fresh_one.public_id]})
    [(refused, why), (done, words)] = results(response.get_data(as_text=True))
    assert (refused, done, words) == ("refused", "done", "Reminder sent.")
    assert why.startswith(f"A reminder was sent to {HR} less than a minute ago; another can be sent in ")
    assert len(events(db, "flow.reminded")) == 2  # the earlier one and the new one: the refused row added none


def test_a_manager_changes_only_what_they_assigned(client, demo, login_as, db):
    theirs = assigned_by(demo, MANAGER, dueDate=IN_A_WEEK)
    not_theirs = assign(demo, HR, dueDate=IN_A_WEEK)
    login_as(demo[MANAGER])
    overview = client.get("/flows/assignments").get_data(as_text=True)
    assert f'value="{theirs.public_id}" form="assignment-bulk"' in overview
    assert f'value="{not_theirs.public_id}" form="assignment-bulk"' not in overview
    response = bulk_post(client, {"action": "redate", "due_date": "2099-01-31",
                                  "selected": [theirs.public_id, not_theirs.public_id]})
    assert results(response.get_data(as_text=True))[1] == (
        "refused", "Only administrators and the person who assigned this flow can change this assignment.")
    assert fresh(db, Assignment, theirs.id).due_date.year == 2099
    assert fresh(db, Assignment, not_theirs.id).due_date.year != 2099


def test_the_bulk_bar_without_javascript_shows_the_overview_with_the_results(client, demo, login_as):
    first = assign(demo, EMPLOYEE, flow_id="flow_sec101")
    login_as(demo[ADMIN])
    response = bulk_post(client, {"action": "remind", "selected": [first.public_id]}, htmx=False,
                         url=f"{BULK}?flow=flow_sec101")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Assignments</h1>" in html
    assert results(html) == [("done", "Reminder sent.")] and rows(html) == 1
    assert 'action="/flows/assignments/bulk?flow=flow_sec101"' in html  # the filters stay with the form


def test_employees_cannot_post_to_the_bulk_bar(client, demo, login_as, db):
    first = assign(demo, EMPLOYEE)
    login_as(demo[EMPLOYEE])
    response = post(client, BULK, {"action": "cancel", "reason": "x", "selected": [first.public_id]})
    assert response.status_code == 403
    assert fresh(db, Assignment, first.id).status == AssignmentStatus.ASSIGNED


def test_rows_are_changed_in_id_order_and_answered_in_the_order_posted(demo, db):
    people = [EMPLOYEE, HR, SAM]
    ids = [assign(demo, email).public_id for email in people]
    changes = bulk.change_many(services.Assigner.signed_in(demo[ADMIN]), bulk.REMIND, ids[::-1] + [ids[0]])
    assert [change.assignment_id for change in changes] == ids[::-1]  # each once
    reminded = db.session.scalars(sa.select(Event).where(Event.type == "flow.reminded")
                                  .order_by(Event.occurred_at, Event.id)).all()
    assert len(reminded) == 3


def test_the_overview_with_its_bulk_bar_costs_the_same_queries_however_many_rows(client, demo, login_as,
                                                                                  count_queries, db):
    organization = demo[ADMIN].organization
    login_as(demo[ADMIN])
    counted, assigned = [], 0
    for count in (3, 20):
        for person in [make_user(organization) for _ in range(count - assigned)]:
            assign(demo, person.email, dueDate=IN_A_WEEK)
        assigned = count
        db.session.commit()
        client.get("/flows/assignments")
        with count_queries() as statements:
            html = client.get("/flows/assignments").get_data(as_text=True)
        assert rows(html) == count and html.count("data-bulk-item") == count and "Select all on this page" in html
        counted.append(len(statements))
    assert counted[0] == counted[1]
