"""Settings → People: the list (search, filters, keyset pages, fixed query count), deactivate
and reactivate in place, refusals, and a person's waiting tasks."""

import re

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Role, User
from momoflow.events import Event
from momoflow.workflows.models import TaskStatus
from tests.accounts.people_data import make_absence, make_request, make_task
from tests.conftest import csrf_token_from
from tests.factories import make_org, make_user
from tests.workflows.test_query_counts import TRANSACTION_CONTROL

ADMIN = "admin@company.com"
MANAGER = "manager@royalenfield.com"
EMPLOYEE = "employee@company.com"
HTMX = {"HX-Request": "true"}
PAGE = "/settings/people"


def people_on(html):
    """The emails of the rows shown, in order."""
    return re.findall(r'<small class="muted" title="([^"]+)">', html)


def token_on(client):
    return csrf_token_from(client.get(PAGE).get_data(as_text=True))


def fresh(db, user):
    return db.session.get(User, user.id, populate_existing=True)


def test_admins_see_everyone_with_manager_absence_and_waiting_tasks(client, demo, login_as, db):
    manager, employee = demo[MANAGER], demo[EMPLOYEE]
    employee.manager_id = manager.id
    make_absence(manager, demo["director@royalenfield.com"], starts_in_days=-1, ends_in_days=3)
    request = make_request(employee, "REQ-2026-12-0001")
    make_task(request, manager, 1)
    make_task(request, manager, 2, due_in_hours=None)
    make_task(request, demo["cfo@royalenfield.com"], 3, status=TaskStatus.APPROVED)
    login_as(demo[ADMIN])
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert len(people_on(html)) == 21 and people_on(html)[0] == "user@example.com"  # "Alex…": by name
    row = html[html.index(f'id="person-{manager.id}"'):]
    row = row[:row.index("</tr>")]
    assert "Away until" in row and "Kavita Rao stands in" in row and "2 waiting" in row
    assert f'href="/settings/people/{MANAGER}/tasks"' in row
    employee_row = html[html.index(f'id="person-{employee.id}"'):]
    assert manager.display_name in employee_row[:employee_row.index("</tr>")]
    assert f'href="/settings/out-of-office?person={MANAGER}"' in row
    # Your own row offers no Deactivate.
    own = html[html.index(f'id="person-{demo[ADMIN].id}"'):]
    assert "(you)" in own[:own.index("</tr>")] and "Deactivate" not in own[:own.index("</tr>")]
    tabs = html[html.index('class="settings-tabs"'):]
    assert f'href="{PAGE}" aria-current="page"' in tabs[:tabs.index("</nav>")]


def test_search_by_name_or_email_and_filter_by_status_and_role(client, demo, login_as, db):
    demo["hr@example.com"].active = False
    login_as(demo[ADMIN])
    assert sorted(people_on(client.get(f"{PAGE}?q=ROYALENFIELD.com&role=employee").get_data(as_text=True))) == [
        "finance@royalenfield.com", "hr@royalenfield.com", "spectator@royalenfield.com"]
    assert people_on(client.get(f"{PAGE}?q=mehta").get_data(as_text=True)) == [MANAGER]
    assert people_on(client.get(f"{PAGE}?status=deactivated").get_data(as_text=True)) == ["hr@example.com"]
    assert "hr@example.com" not in people_on(client.get(f"{PAGE}?status=active").get_data(as_text=True))
    assert people_on(client.get(f"{PAGE}?role=admin").get_data(as_text=True)) == [ADMIN]
    empty = client.get(f"{PAGE}?q=%25_nobody").get_data(as_text=True)  # LIKE's wildcards are taken literally
    assert "No one matches these filters." in empty and 'href="/settings/people">clear the filters' in empty


@pytest.mark.parametrize("query, message", [("status=gone", "status must be one of active, deactivated"),
                                            ("role=boss", "role must be one of employee, manager, admin"),
                                            ("cursor=nonsense", "cursor is not valid"),
                                            ("q=" + "x" * 101, "q must be at most 100 characters"),
                                            ("q=%00", "q cannot contain NUL characters")])
def test_bad_filters_are_explained_not_500(client, demo, login_as, query, message):
    login_as(demo[ADMIN])
    response = client.get(f"{PAGE}?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_load_more_pages_alphabetically_with_htmx_and_without(client, db, login_as):
    organization = make_org()
    boss = make_user(organization, role=Role.ADMIN, display_name="Aaron Admin")
    for number in range(30):
        make_user(organization, display_name=f"Person {number:02d}")
    login_as(boss)
    html = client.get(PAGE).get_data(as_text=True)
    first = people_on(html)
    assert len(first) == 25
    more_url = re.search(r'<a class="btn btn--ghost" href="([^"]+)" hx-get', html).group(1).replace("&amp;", "&")
    more = client.get(more_url, headers=HTMX).get_data(as_text=True)
    assert 'hx-swap-oob="beforeend:#people-list"' in more and "<html" not in more
    second = people_on(more)
    assert len(second) == 6 and not set(first) & set(second) and "hx-get" not in more  # the last page
    everyone = [user.email for user in sorted(db.session.scalars(sa.select(User).where(
        User.organization_id == organization.id)), key=lambda user: user.display_name)]
    assert first + second == everyone
    assert people_on(client.get(more_url).get_data(as_text=True)) == second  # a plain link works too


def _organisation_of(size):
    organization = make_org()
    boss = make_user(organization, role=Role.ADMIN, display_name="Aaron Admin")
    people = [make_user(organization, display_name=f"Person {n:02d}") for n in range(size - 1)]
    request = make_request(boss, f"REQ-2026-12-{size:04d}")
    for number, person in enumerate(people, start=1):
        person.manager_id = boss.id
        make_task(request, person, number)
        if number % 2:
            make_absence(person, boss)
    return boss


def test_the_page_runs_the_same_queries_for_5_and_for_50_people(client, db, login_as, count_queries, app):
    counts = []
    for size in (5, 50):
        boss = _organisation_of(size)
        login_as(boss)
        with count_queries() as statements:
            html = client.get(PAGE).get_data(as_text=True)
        assert len(people_on(html)) == min(size, 25) and "1 waiting" in html
        counts.append([s for s in statements if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)])
    assert len(counts[0]) == len(counts[1]) <= 6, counts[1]


def test_deactivate_in_place_with_a_toast_then_reactivate(client, demo, login_as, db):
    manager = demo[MANAGER]
    login_as(demo[ADMIN])
    token = token_on(client)
    response = client.post(f"/settings/people/{MANAGER}/deactivate", headers={"X-CSRFToken": token, **HTMX})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr class="person-row person-row--inactive" id="person-{manager.id}"')
    assert "Deactivated" in html and "Reactivate" in html and "is deactivated" in html  # the row and its toast
    assert not fresh(db, manager).active
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
        Event.type == "person.deactivated", Event.subject_id == manager.id)) == 1
    response = client.post(f"/settings/people/{MANAGER}/reactivate", headers={"X-CSRFToken": token, **HTMX})
    assert response.status_code == 200 and "is active again" in response.get_data(as_text=True)
    assert fresh(db, manager).active


def test_without_javascript_the_change_redirects_to_the_person(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = client.post(f"/settings/people/{EMPLOYEE}/deactivate", data={"csrf_token": token_on(client)})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{PAGE}?q={EMPLOYEE}")
    assert not fresh(db, demo[EMPLOYEE]).active


def test_refusals_change_nothing(client, demo, login_as, db):
    login_as(demo[ADMIN])
    token = token_on(client)
    own = client.post(f"/settings/people/{ADMIN}/deactivate", headers={"X-CSRFToken": token, **HTMX})
    assert own.status_code == 400 and "You cannot deactivate your own account" in own.headers["HX-Trigger"]
    assert client.post(f"/settings/people/{EMPLOYEE}/reactivate", headers={"X-CSRFToken": token}).status_code == 409
    stranger = make_user(make_org(), email="stranger@elsewhere.example")
    for email in (stranger.email, "nobody@company.com"):
        assert client.post(f"/settings/people/{email}/deactivate", headers={"X-CSRFToken": token}).status_code == 404
        assert client.get(f"/settings/people/{email}/tasks").status_code == 404
    assert client.post(f"/settings/people/{EMPLOYEE}/deactivate", headers=HTMX).status_code == 400  # no CSRF token
    assert fresh(db, demo[ADMIN]).active and fresh(db, demo[EMPLOYEE]).active and fresh(db, stranger).active


def test_everyone_else_is_refused(client, demo, login_as, db):
    login_as(demo[MANAGER])
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"/settings/people/{EMPLOYEE}/tasks").status_code == 403
    assert client.post(f"/settings/people/{EMPLOYEE}/deactivate", headers={"X-CSRFToken": token}).status_code == 403
    assert fresh(db, demo[EMPLOYEE]).active


def test_waiting_tasks_lists_the_undecided_ones_soonest_first(client, demo, login_as, db, count_queries):
    manager = demo[MANAGER]
    first = make_request(demo[EMPLOYEE], "REQ-2026-12-0001", "Laptop refresh")
    second = make_request(demo[EMPLOYEE], "REQ-2026-12-0002", "Conference trip")
    make_task(first, manager, 1, due_in_hours=48)
    make_task(second, manager, 1, due_in_hours=2)
    make_task(second, manager, 2, due_in_hours=None)
    make_task(first, manager, 2, status=TaskStatus.REASSIGNED)
    login_as(demo[ADMIN])
    with count_queries() as statements:
        response = client.get(f"/settings/people/{MANAGER}/tasks")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r">(REQ-2026-12-000\d)</a>", html) == ["REQ-2026-12-0002", "REQ-2026-12-0001",
                                                              "REQ-2026-12-0002"]
    assert "Conference trip" in html and "Not started yet" in html and "RESERVED" not in html
    assert len([s for s in statements if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)]) <= 6
    empty = client.get(f"/settings/people/{EMPLOYEE}/tasks").get_data(as_text=True)
    assert "Nothing is waiting on" in empty


def test_an_admin_hands_all_of_someones_tasks_on_from_their_tasks_page(client, demo, login_as, db):
    from momoflow.workflows import services
    from momoflow.workflows.validation import parse_new_request
    from tests.workflows.conftest import simple_request

    employee, cfo = demo[EMPLOYEE], "cfo@royalenfield.com"
    together = {"approvers": [{"email": MANAGER}, {"email": cfo}], "tatHours": 24, "approvalMode": "ALL"}
    stays = services.create_request(employee, parse_new_request(simple_request(approvalLevels=[together])))
    services.create_request(employee, parse_new_request(simple_request(MANAGER, cfo)))
    db.session.flush()
    login_as(demo[ADMIN])
    page = client.get(f"/settings/people/{MANAGER}/tasks").get_data(as_text=True)
    assert "Hand all of them to someone else" in page and "Reassign 2 tasks" in page
    url = f"/settings/people/{MANAGER}/tasks/reassign"
    refused = client.post(url, data={"csrf_token": csrf_token_from(page), "to": cfo, "reason": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Reason is required" in html and 'id="reassign-all-reason"' in html
    done = client.post(url, data={"csrf_token": csrf_token_from(page), "to": cfo, "reason": "Arjun moved teams"})
    assert done.status_code == 303
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 task of Arjun Mehta moved to Rajesh Iyer. 1 stayed: " in after
    assert f"{stays.request_number} level 1: Rajesh Iyer is already an approver of level 1" in after
    assert "Reassign 1 task<" in after  # the one that stayed is still his
