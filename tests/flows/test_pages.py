"""The flow pages: managing flows, assigning and the overview; their htmx answers,
inline errors and permissions (My flows: ``test_my_flows``; API keys: ``tests/settings``)."""

import re

import pytest

from momoflow.apikeys.models import ApiKey
from momoflow.flows import access
from momoflow.flows.models import Assignment, AssignmentStatus, Flow, FlowStatus, Module
from tests.factories import make_user
from tests.flows.pages import ADMIN, EMPLOYEE, HR, HTMX, MANAGER, assign, error_of, fresh, post, rows, token_on


# --- permissions and CSRF ----------------------------------------------------------

ADMIN_PAGES = ["/flows/manage", "/flows/new", "/flows/flow_123abc/edit", "/flows/module-row", "/settings/api-keys"]
ASSIGNER_PAGES = ["/flows/assign", "/flows/assignments", "/flows/assign/person-row"]


@pytest.mark.parametrize("url", ADMIN_PAGES + ASSIGNER_PAGES)
def test_pages_for_admins_and_managers_are_403_for_employees(client, demo, login_as, url):
    login_as(demo[EMPLOYEE])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_managers_cannot_edit_flows_or_keys(client, demo, login_as, url):
    login_as(demo[MANAGER])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ASSIGNER_PAGES)
def test_managers_assign_and_follow_assignments(client, demo, login_as, url):
    login_as(demo[MANAGER])
    assert client.get(url).status_code == 200


def test_employees_cannot_post_to_admin_pages(client, demo, login_as, db):
    login_as(demo[EMPLOYEE])
    token = token_on(client)
    for url in ("/flows/new", "/flows/flow_123abc/archive", "/settings/api-keys", "/flows/assign"):
        assert post(client, url, {"name": "x"}, token=token).status_code == 403
    assert db.session.scalar(db.select(Flow).where(Flow.public_id == "flow_123abc")).status == FlowStatus.ACTIVE
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiKey)) == 0


def test_signed_out_people_are_sent_to_sign_in(client, demo):
    for url in ("/my-flows", "/flows/manage", "/settings/api-keys"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_posts_without_a_csrf_token_are_refused(client, demo, login_as):
    login_as(demo[ADMIN])
    assert client.post("/settings/api-keys", data={"name": "x"}).status_code == 400
    assert client.post("/flows/new", data={"name": "x"}).status_code == 400


def test_nav_shows_flow_pages_by_role(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    html = client.get("/").get_data(as_text=True)
    assert 'href="/my-flows"' in html and "/flows/assign" not in html and "/settings/api-keys" not in html
    login_as(demo[MANAGER])
    html = client.get("/").get_data(as_text=True)
    assert 'href="/flows/assign"' in html and 'href="/flows/assignments"' in html
    assert "/flows/manage" not in html and "/settings/api-keys" not in html
    login_as(demo[ADMIN])
    html = client.get("/").get_data(as_text=True)
    for url in ("/flows/manage", "/flows/assign", "/flows/assignments", "/settings/api-keys", "/my-flows"):
        assert f'href="{url}"' in html


# --- managing flows ----------------------------------------------------------------


def flow_form(name="Sales Basics", modules=(("Intro", "Hello", "10"), ("Pricing", "Tiers", "20")), ids=None):
    ids = ids or [""] * len(modules)
    return {"name": name, "description": "For new sellers",
            "module_id": list(ids), "module_title": [m[0] for m in modules],
            "module_content": [m[1] for m in modules], "module_minutes": [m[2] for m in modules]}


def test_manage_lists_flows_with_modules_duration_and_status(client, demo, login_as):
    login_as(demo[ADMIN])
    html = client.get("/flows/manage").get_data(as_text=True)
    assert "Customer Onboarding" in html and "2 hours" in html and "flow_123abc" in html and "Active" in html


def test_the_flow_form_renders_its_rows(client, demo, login_as):
    login_as(demo[ADMIN])
    html = client.get("/flows/new").get_data(as_text=True)
    for label in ('for="name"', 'for="description"', 'for="module-r0-title"', 'for="module-r0-minutes"',
                  'for="module-r0-content"'):
        assert label in html
    assert 'data-rows data-min="1" data-max="50"' in html and 'hx-get="/flows/module-row"' in html
    edit = client.get("/flows/flow_123abc/edit").get_data(as_text=True)
    assert edit.count('name="module_title"') == 5 and 'value="Your first customer call"' in edit


def test_creating_a_flow(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = post(client, "/flows/new", flow_form())
    assert response.status_code == 303
    flow = db.session.scalar(db.select(Flow).where(Flow.name == "Sales Basics"))
    assert (flow.module_count, flow.estimated_minutes) == (2, 30)
    assert "Sales Basics created with 2 modules" in client.get("/flows/manage").get_data(as_text=True)


def test_flow_form_problems_show_next_to_their_fields(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = post(client, "/flows/new", flow_form(name=" ", modules=(("Intro", "", "10"), ("", "Tiers", "-5"),
                                                                       ("Wrap-up", "x", "abc"))))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "name") == "Name is required"
    assert error_of(html, "module-r1-title") == "Title is required"
    assert error_of(html, "module-r1-minutes") == "Enter whole minutes from 0 to 600"
    assert "whole minutes" in error_of(html, "module-r2-minutes")
    assert 'href="#module-r1-title"' in html and "Module 2: Title is required" in html
    assert 'value="Wrap-up"' in html  # what was typed stays
    assert db.session.scalar(db.select(Flow).where(Flow.name == "Wrap-up")) is None


def test_a_flow_needs_a_module_and_nul_characters_are_refused(client, demo, login_as):
    login_as(demo[ADMIN])
    html = post(client, "/flows/new", flow_form(modules=())).get_data(as_text=True)
    assert "Add at least one module" in html
    response = post(client, "/flows/new", flow_form(name="Bad\x00name"))
    assert response.status_code == 422 and error_of(response.get_data(as_text=True), "name") == "Name must be text"


def test_editing_rewords_reorders_adds_and_removes_modules(client, demo, login_as, db):
    login_as(demo[ADMIN])
    flow = access.find_flow(demo[ADMIN].organization, "flow_sec101")
    first, second, third = db.session.scalars(db.select(Module).where(Module.flow_id == flow.id)
                                              .order_by(Module.position)).all()
    form = flow_form(name="Security Awareness 2025", modules=(("Spotting phishing", "new words", "25"),
                                                              ("Passwords and MFA", "same", "15"),
                                                              ("Reporting incidents", "new", "5")),
                     ids=[str(second.id), str(first.id), ""])
    assert post(client, "/flows/flow_sec101/edit", form).status_code == 303
    modules = db.session.scalars(db.select(Module).where(Module.flow_id == flow.id).order_by(Module.position)).all()
    assert [m.title for m in modules] == ["Spotting phishing", "Passwords and MFA", "Reporting incidents"]
    assert modules[0].id == second.id and modules[1].id == first.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Module).where(Module.id == third.id)) == 0
    flow = fresh(db, Flow, flow.id)
    assert (flow.name, flow.module_count, flow.estimated_minutes) == ("Security Awareness 2025", 3, 45)


def test_archiving_and_restoring(client, demo, login_as, db):
    login_as(demo[ADMIN])
    assert post(client, "/flows/flow_mgr201/archive").status_code == 303
    flow = db.session.scalar(db.select(Flow).where(Flow.public_id == "flow_mgr201"))
    assert fresh(db, Flow, flow.id).status == FlowStatus.ARCHIVED
    assert "flow_mgr201" not in client.get("/flows/assign").get_data(as_text=True)
    response = post(client, "/flows/assign", {"flow": "flow_mgr201", "email": EMPLOYEE}, htmx=True)
    assert response.status_code == 422 and "archived" in error_of(response.get_data(as_text=True), "assign-flow")
    assert post(client, "/flows/flow_mgr201/restore").status_code == 303
    assert fresh(db, Flow, flow.id).status == FlowStatus.ACTIVE


def test_unknown_or_crafted_flow_ids_are_404(client, demo, login_as):
    login_as(demo[ADMIN])
    assert client.get("/flows/flow_nope/edit").status_code == 404
    assert client.get("/flows/flow%00x/edit").status_code == 404
    assert client.get(f"/flows/{'x' * 300}/edit").status_code == 404
    assert post(client, "/flows/flow_nope/archive").status_code == 404


# --- assigning ---------------------------------------------------------------------


def test_the_assign_form_renders(client, demo, login_as):
    login_as(demo[MANAGER])
    html = client.get("/flows/assign?flow=flow_sec101").get_data(as_text=True)
    for label in ('for="assign-flow"', 'for="person-r0-email"', 'for="assign-pasted"', 'for="assign-due-date"',
                  'for="assign-notes"'):
        assert label in html
    assert 'type="date"' in html and 'list="people-options"' in html and '<datalist id="people-options">' in html
    assert '<option value="flow_sec101" selected>' in html


def test_assigning_shows_a_result_for_each_person(client, demo, login_as, db):
    existing = assign(demo, HR)
    login_as(demo[MANAGER])
    data = {"flow": "flow_123abc", "email": [EMPLOYEE, "ghost@company.com"],
            "pasted": f"{HR.upper()}, not-an-email\n{EMPLOYEE}", "due_date": "2030-11-25",
            "priority": "high", "notes": "Before the team meeting"}
    response = post(client, "/flows/assign", data, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    outcomes = re.findall(r'<li class="result result--([a-z-]+)">', html)
    assert outcomes == ["assigned", "not-found", "already-assigned", "invalid-email"]
    assert f'href="/flows/assignments?email={HR}&amp;flow=flow_123abc">See their assignment' in html
    assert "Assigned Customer Onboarding to 1 person. 3 could not be assigned" in html  # the toast
    assignment = db.session.scalar(db.select(Assignment).where(Assignment.user_id == demo[EMPLOYEE].id))
    assert assignment.priority.value == "high" and assignment.notes == "Before the team meeting"
    assert assignment.due_date.isoformat().startswith("2030-11-25T23:59:59")
    assert assignment.assigned_by_user_id == demo[MANAGER].id
    assert fresh(db, Assignment, existing.id).status == AssignmentStatus.ASSIGNED


def test_assign_problems_show_next_to_their_fields(client, demo, login_as):
    login_as(demo[ADMIN])
    response = post(client, "/flows/assign", {"flow": "", "due_date": "25/11/2030", "priority": "urgent",
                                              "notes": "x" * 2001}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "assign-flow") == "Choose a flow"
    assert error_of(html, "assign-pasted") == "Add at least one person, or choose a group or department"
    assert "date" in error_of(html, "assign-due-date")
    assert "priority" in error_of(html, "priority")
    assert "2000" in error_of(html, "assign-notes")
    response = post(client, "/flows/assign", {"flow": "flow_nope\x00", "email": EMPLOYEE}, htmx=True)
    assert response.status_code == 422


def test_assigning_without_javascript_renders_the_whole_page(client, demo, login_as):
    login_as(demo[ADMIN])
    response = post(client, "/flows/assign", {"flow": "flow_sec101", "pasted": EMPLOYEE})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Assign a flow</h1>" in html and "result--assigned" in html


def test_pasted_lists_and_csv():
    from momoflow.flows.forms import emails_in

    pasted = 'email\na@x.com, b@x.com; c@x.com\n"Dee Doe" <d@x.com>\nPriya Sharma, e@x.com\nfrank g@x.com\n\n'
    assert emails_in(pasted) == ["a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com", "frank", "g@x.com"]
    export = 'Name,Email,Team\n"Sharma, Priya",p@x.com,Sales\nEve,,Ops\nBob,bob,IT\n'
    assert emails_in(export) == ["p@x.com", "bob"]
    assert emails_in("Name;E-mail\nAl;<al@x.com>") == ["al@x.com"]


# --- the overview ------------------------------------------------------------------


def test_the_overview_filters_by_flow_person_and_status(client, demo, login_as, db):
    assign(demo, EMPLOYEE)
    assign(demo, HR, flow_id="flow_sec101", dueDate="2020-01-01")
    login_as(demo[MANAGER])
    html = client.get("/flows/assignments").get_data(as_text=True)
    assert rows(html) == 2 and 'aria-label="Progress of Priya Sharma in Customer Onboarding"' in html
    overdue = client.get("/flows/assignments?status=overdue").get_data(as_text=True)
    assert rows(overdue) == 1 and "Meera Nair" in overdue and "Overdue" in overdue
    assert rows(client.get(f"/flows/assignments?email={EMPLOYEE}").get_data(as_text=True)) == 1
    by_flow = client.get("/flows/assignments?flow=flow_sec101").get_data(as_text=True)
    assert rows(by_flow) == 1 and "No assignments match" not in by_flow
    assert "No assignments match" in client.get("/flows/assignments?flow=flow_mgr201").get_data(as_text=True)


@pytest.mark.parametrize("query", ["status=bogus", "email=not-an-email", "cursor=%%%", "flow=a%00b"])
def test_bad_overview_filters_are_400_with_a_message(client, demo, login_as, query):
    login_as(demo[ADMIN])
    response = client.get(f"/flows/assignments?{query}")
    assert response.status_code == 400 and 'role="alert"' in response.get_data(as_text=True)


def test_the_overview_loads_more_by_cursor(client, demo, login_as):
    organization = demo[ADMIN].organization
    for person in list(demo.values()) + [make_user(organization) for _ in range(7)]:
        assign(demo, person.email)
    login_as(demo[ADMIN])
    html = client.get("/flows/assignments").get_data(as_text=True)
    assert rows(html) == 25
    more_url = re.search(r'hx-get="([^"]+)"[^>]*data-load-more', html).group(1).replace("&amp;", "&")
    more = client.get(more_url, headers=HTMX).get_data(as_text=True)
    assert rows(more) == 3 and 'hx-swap-oob="beforeend:#assignment-list"' in more
    assert "data-load-more" not in more
