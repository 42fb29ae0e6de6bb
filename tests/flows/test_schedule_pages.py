"""The Schedules page (admins): setting up recurring assignments with inline errors,
cancelling, its permissions and query counts."""

import re

import pytest
import sqlalchemy as sa

from momoflow.flows import schedules
from momoflow.flows.models import FlowSchedule, ScheduleUnit
from tests.factories import make_org, make_user
from tests.conftest import csrf_token_from
from tests.flows.scheduling import ADMIN, EMPLOYEE, HR, HTMX, MANAGER, assignments_of, form, new_schedule, page_token, utc


# --- the page ------------------------------------------------------------------------


def error_of(html, input_id):
    match = re.search(rf'<p class="field__error" id="{re.escape(input_id)}-error">([^<]*)</p>', html)
    return match and match.group(1)


@pytest.mark.parametrize("email", [EMPLOYEE, MANAGER])
def test_the_page_is_for_admins(client, demo, login_as, email):
    login_as(demo[email])
    assert client.get("/flows/schedules").status_code == 403


def test_admins_reach_the_page_from_the_flow_pages(client, demo, login_as):
    login_as(demo[ADMIN])
    assert 'href="/flows/schedules"' in client.get("/flows/manage").get_data(as_text=True)
    login_as(demo[MANAGER])
    assert 'href="/flows/schedules"' not in client.get("/flows/assign").get_data(as_text=True)


def test_creating_a_schedule_on_the_page(client, demo, login_as, db):
    login_as(demo[ADMIN])
    token = page_token(client)
    response = client.post("/flows/schedules", data=form(start_date="2030-01-31"), headers={"X-CSRFToken": token})
    assert response.status_code == 303
    schedule = db.session.scalar(sa.select(FlowSchedule))
    assert schedule.user_emails == [EMPLOYEE, MANAGER] and schedule.created_by_user_id == demo[ADMIN].id
    assert (schedule.every, schedule.unit, schedule.due_in_days, schedule.next_run_at) == (
        12, ScheduleUnit.MONTHS, 30, utc(2030, 1, 31))
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'id="schedule-{schedule.public_id}"' in html and "Every 12 months" in html
    assert "is scheduled for 2 people, every 12 months." in html


def test_creating_with_htmx_swaps_the_panel_and_toasts(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = client.post("/flows/schedules", data=form(every="1", unit="months"),
                           headers={"X-CSRFToken": page_token(client), **HTMX})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<div id="schedules-panel"' in html and "<html" not in html
    assert "every month." in html and 'hx-swap-oob' in html
    assert html.count('<li class="key-row') == 1


def test_form_problems_show_next_to_their_fields(client, demo, login_as, db):
    login_as(demo[ADMIN])
    token = page_token(client)
    response = client.post("/flows/schedules", data=form(flow="", people="", every="0", unit="years",
                                                         due_in_days="x", start_date="31/01/2030"),
                           headers={"X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "schedule-flow") == "Choose a flow"
    assert error_of(html, "schedule-people") == "Add 1 to 500 people"
    assert error_of(html, "schedule-unit") == "Choose days or months"
    assert error_of(html, "schedule-every") == "Repeat every must be a whole number from 1 to 3660"
    assert error_of(html, "schedule-due") == "Due in (days) must be a whole number from 0 to 3650"
    assert error_of(html, "schedule-start").startswith("The start date must be ISO 8601")
    assert 'href="#schedule-people"' in html and 'value="31/01/2030"' in html


@pytest.mark.parametrize("changes, field, message", [
    ({"people": "employee@company.com\nnot-an-email"}, "schedule-people",
     "&#39;not-an-email&#39; is not a valid email address"),
    ({"people": "ghost@company.com"}, "schedule-people",
     "User with email &#39;ghost@company.com&#39; does not exist in your organization"),
    ({"flow": "flow_nope"}, "schedule-flow", "Flow with ID &#39;flow_nope&#39; does not exist"),
])
def test_unknown_people_and_flows_are_inline_errors(client, demo, login_as, db, changes, field, message):
    login_as(demo[ADMIN])
    response = client.post("/flows/schedules", data=form(**changes), headers={"X-CSRFToken": page_token(client)})
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), field) == message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FlowSchedule)) == 0


def test_cancelling_on_the_page(client, demo, login_as, db):
    schedule = new_schedule(demo, start=utc(2030, 1, 1))
    login_as(demo[ADMIN])
    token = page_token(client)
    url = f"/flows/schedules/{schedule.public_id}/cancel"
    assert client.post(url).status_code == 400  # no CSRF token
    response = client.post(url, headers={"X-CSRFToken": token, **HTMX})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Cancelled</span>" in html and "hx-swap-oob" in html
    assert db.session.get(FlowSchedule, schedule.id, populate_existing=True).active is False
    response = client.post(url, headers={"X-CSRFToken": token})
    assert response.status_code == 303


def test_another_organisations_schedule_cannot_be_cancelled(client, demo, login_as, db):
    other = make_org()
    admin = make_user(other, email="admin@other.example", role=demo[ADMIN].role)
    schedule = new_schedule(demo, start=utc(2030, 1, 1))
    login_as(admin)
    token = page_token(client)
    response = client.post(f"/flows/schedules/{schedule.public_id}/cancel", headers={"X-CSRFToken": token})
    assert response.status_code == 404
    assert db.session.get(FlowSchedule, schedule.id, populate_existing=True).active is True
    assert schedule.public_id not in client.get("/flows/schedules").get_data(as_text=True)


def test_the_page_runs_a_fixed_number_of_queries(client, demo, login_as, count_queries, db):
    login_as(demo[ADMIN])
    new_schedule(demo, start=utc(2030, 1, 1))
    client.get("/flows/schedules")
    with count_queries() as few:
        client.get("/flows/schedules")
    for every in range(2, 8):
        new_schedule(demo, every=every, start=utc(2030, 1, 1))
    with count_queries() as many:
        html = client.get("/flows/schedules").get_data(as_text=True)
    assert html.count('<li class="key-row') == 7
    assert len(many) == len(few)


def test_a_directory_that_does_not_answer_is_a_message_not_an_error_page(client, demo, login_as, db, monkeypatch):
    from momoflow.directory import DirectoryUnavailable

    def down(*args, **kwargs):
        raise DirectoryUnavailable()

    monkeypatch.setattr(schedules, "provision_user", down)
    login_as(demo[ADMIN])
    response = client.post("/flows/schedules", data=form(people="someone.new@company.com"),
                           headers={"X-CSRFToken": page_token(client), **HTMX})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and DirectoryUnavailable().message in html and 'id="error-summary"' in html


# --- editing and running now ---------------------------------------------------------------


def test_editing_a_schedule_applies_from_its_next_run(client, demo, login_as, db):
    schedule = new_schedule(demo, every=1, unit="months", start=utc(2030, 1, 31))
    db.session.commit()
    login_as(demo[ADMIN])
    page = client.get(f"/flows/schedules/{schedule.public_id}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"{EMPLOYEE}\n{MANAGER}" in html and "Changes apply from that run on" in html
    response = client.post(f"/flows/schedules/{schedule.public_id}/edit",
                           data=form(people=HR, every="3", unit="months", due_in_days="10", priority="low",
                                     notes="Quarterly now", flow="flow_123abc", start_date="2020-01-01"),
                           headers={"X-CSRFToken": page_token(client)})
    assert response.status_code == 303
    db.session.expire_all()
    changed = db.session.get(FlowSchedule, schedule.id)
    assert (changed.user_emails, changed.every, changed.due_in_days, changed.priority.value, changed.notes) == (
        [HR], 3, 10, "low", "Quarterly now")
    # The flow and the planned run stay; months now count from that run.
    assert changed.flow_id == schedule.flow_id and changed.next_run_at == utc(2030, 1, 31)
    assert changed.first_run_at == utc(2030, 1, 31)
    assert schedules.next_run_after(changed.next_run_at, 3, ScheduleUnit.MONTHS, utc(2030, 2, 1),
                                    first=changed.first_run_at) == utc(2030, 4, 30)
    assert "saved: every 3 months for 1 person, from its next run." in client.get(
        response.headers["Location"]).get_data(as_text=True)


def test_editing_names_each_mistake_and_changes_nothing(client, demo, login_as, db):
    schedule = new_schedule(demo)
    db.session.commit()
    login_as(demo[ADMIN])
    response = client.post(f"/flows/schedules/{schedule.public_id}/edit",
                           data=form(people="nobody@company.com, not-an-email", every="0"),
                           headers={"X-CSRFToken": page_token(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="error-summary"' in html
    assert error_of(html, "schedule-every") == "Repeat every must be a whole number from 1 to 120"
    assert "not-an-email" in html
    db.session.expire_all()
    assert db.session.get(FlowSchedule, schedule.id).user_emails == [EMPLOYEE, MANAGER]


def test_running_a_schedule_now(client, demo, login_as, db):
    schedule = new_schedule(demo, start=utc(2030, 1, 31))
    db.session.commit()
    login_as(demo[ADMIN])
    url = f"/flows/schedules/{schedule.public_id}/run"
    first = client.post(url, headers={"X-CSRFToken": page_token(client), **HTMX})
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and f'id="schedule-{schedule.public_id}"' in html
    assert "Security Awareness assigned to 2 people. The next run stays as planned." in html
    again = client.post(url, headers={"X-CSRFToken": page_token(client), **HTMX}).get_data(as_text=True)
    assert "assigned to 0 people; 2 people still had it open." in again
    assert len(assignments_of(db)) == 2
    db.session.expire_all()
    ran = db.session.get(FlowSchedule, schedule.id)
    assert ran.next_run_at == utc(2030, 1, 31) and ran.last_run_at is not None

    schedules.cancel_schedule(demo[ADMIN].organization, schedule.public_id)
    db.session.commit()
    refused = client.post(url, headers={"X-CSRFToken": page_token(client), **HTMX}).get_data(as_text=True)
    assert "This schedule was cancelled: set up a new one" in refused
    assert client.get(f"/flows/schedules/{schedule.public_id}/edit").status_code == 200
    closed = client.post(f"/flows/schedules/{schedule.public_id}/edit", data=form(),
                         headers={"X-CSRFToken": page_token(client)})
    assert closed.status_code == 422 and "This schedule was cancelled: set up a new one" in closed.get_data(as_text=True)


def test_only_admins_of_the_organisation_edit_or_run(client, demo, login_as, db):
    schedule = new_schedule(demo)
    db.session.commit()
    login_as(demo[MANAGER])
    assert client.get(f"/flows/schedules/{schedule.public_id}/edit").status_code == 403
    other_admin = make_user(make_org("other"), "admin@other.example", role="admin")
    db.session.commit()
    login_as(other_admin)
    assert client.get(f"/flows/schedules/{schedule.public_id}/edit").status_code == 404
    token = csrf_token_from(client.get("/flows/schedules").get_data(as_text=True))
    assert client.post(f"/flows/schedules/{schedule.public_id}/run", headers={"X-CSRFToken": token}).status_code == 404


def test_a_schedule_for_a_group_assigns_whoever_is_in_it_at_each_run(client, demo, login_as, db):
    from momoflow.groups import services as groups

    group = groups.create_group(demo[ADMIN], "Night shift")
    groups.add_member(demo[ADMIN], group.id, EMPLOYEE)
    db.session.commit()
    login_as(demo[ADMIN])
    assert '<option value="group:Night shift">Group: Night shift</option>' in client.get(
        "/flows/schedules").get_data(as_text=True)
    nowhere = client.post("/flows/schedules", data=form(people="", audience="group:Day shift"),
                          headers={"X-CSRFToken": page_token(client)})
    assert nowhere.status_code == 422
    assert error_of(nowhere.get_data(as_text=True), "schedule-audience") == "Choose a group or department from the list"
    hostile = client.post("/flows/schedules", data=form(people="", audience="department:Sales\x00"),
                          headers={"X-CSRFToken": page_token(client)})
    assert hostile.status_code == 422  # PostgreSQL cannot compare a NUL: refused before any query
    nobody = client.post("/flows/schedules", data=form(people=""), headers={"X-CSRFToken": page_token(client)})
    assert nobody.status_code == 422  # neither people nor a group

    created = client.post("/flows/schedules", data=form(people="", audience="group:Night shift"),
                          headers={"X-CSRFToken": page_token(client)})
    assert created.status_code == 303
    schedule = db.session.scalar(sa.select(FlowSchedule))
    assert (schedule.user_emails, schedule.audience_kind.value, schedule.audience) == ([], "group", "Night shift")
    assert "is scheduled for everyone in the Night shift group, every 12 months." in client.get(
        created.headers["Location"]).get_data(as_text=True)

    groups.add_member(demo[ADMIN], group.id, HR)  # joined before the run: assigned too
    db.session.commit()
    ran = client.post(f"/flows/schedules/{schedule.public_id}/run",
                      headers={"X-CSRFToken": page_token(client), **HTMX}).get_data(as_text=True)
    assert "assigned to 2 people" in ran
    assert sorted(a.user.email for a in assignments_of(db)) == sorted([EMPLOYEE, HR])
