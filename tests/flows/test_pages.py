"""The flow pages: Settings → API keys, managing flows, assigning, the overview and
My flows; their htmx answers, inline errors, permissions and query counts."""

import hashlib
import re

import pytest

from momoflow.apikeys.models import ApiKey
from momoflow.flows import access, editing, services
from momoflow.flows.models import Assignment, AssignmentStatus, Flow, FlowStatus, Module, ModuleProgress
from momoflow.flows.validation import parse_assignment
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.flows.conftest import SEED_BODY

ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"
MANAGER = "manager@royalenfield.com"
HR = "hr@royalenfield.com"
HTMX = {"HX-Request": "true"}


def token_on(client, url="/my-flows"):
    response = client.get(url)
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def post(client, url, data=None, htmx=False, token=None):
    token = token or token_on(client)
    headers = {"X-CSRFToken": token, **(HTMX if htmx else {})}
    return client.post(url, data=data or {}, headers=headers)


def error_of(html, input_id):
    match = re.search(rf'<p class="field__error" id="{re.escape(input_id)}-error">([^<]*)</p>', html)
    return match and match.group(1)


def assign(demo, email, flow_id="flow_123abc", **fields):
    organization = demo[ADMIN].organization
    spec = parse_assignment({"flowId": flow_id, "userEmail": email, **fields})
    return services.assign_flow(services.Assigner(organization.id, person=demo[ADMIN]), spec).assignment


def rows(html, kind="assignment-row"):
    """How many list items of ``kind`` (an assignment in the overview, a flow card…) a page has."""
    return html.count(f'<li class="{kind}')


def fresh(db, model, ident):
    return db.session.get(model, ident, populate_existing=True)


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


# --- Settings → API keys -----------------------------------------------------------


def test_api_keys_page_renders(client, demo, login_as):
    login_as(demo[ADMIN])
    response = client.get("/settings/api-keys")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'for="key-name"' in html and "Generate New Key" in html and "No API keys yet." in html


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = post(client, "/settings/api-keys", {"name": "Workday sync"}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="new-key-value"[^>]*>(mf_live_[0-9A-Za-z]+)</code>', html).group(1)
    assert "won't be shown again" in html and 'data-copy="new-key-value"' in html
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.name == "Workday sync"))
    assert api_key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [getattr(api_key, column.key) for column in ApiKey.__table__.columns]
    assert all(secret not in str(value) for value in stored)
    assert api_key.prefix == secret[:12] and f"{api_key.prefix}…" in html

    again = client.get("/settings/api-keys").get_data(as_text=True)
    assert secret not in again and f"{api_key.prefix}…" in again and "Workday sync" in again
    with client.session_transaction() as session:  # not flashed into the cookie either
        assert secret not in str(dict(session))


def test_a_key_name_too_long_is_an_inline_error(client, demo, login_as):
    login_as(demo[ADMIN])
    response = post(client, "/settings/api-keys", {"name": "x" * 101}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at most 100 characters" in error_of(html, "key-name") and "mf_live_" not in html


def test_revoking_a_key_refuses_it_at_once(client, demo, login_as, db):
    login_as(demo[ADMIN])
    html = post(client, "/settings/api-keys", {"name": "HR system"}).get_data(as_text=True)
    secret = re.search(r'>(mf_live_[0-9A-Za-z]+)<', html).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/v1/flows/assign", json=SEED_BODY, headers=headers).status_code == 200
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.name == "HR system"))
    assert "Last used" in client.get("/settings/api-keys").get_data(as_text=True)

    response = post(client, f"/settings/api-keys/{api_key.id}/revoke", htmx=True)
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and "Revoked" in row and "revoked" in row and secret not in row
    answer = client.post("/v1/flows/assign", json={**SEED_BODY, "userEmail": HR}, headers=headers)
    assert answer.status_code == 401
    assert answer.get_json() == {"error": "unauthorized", "message": "Invalid or missing API key"}


def test_revoke_without_javascript_redirects_and_unknown_keys_are_404(client, demo, login_as):
    login_as(demo[ADMIN])
    html = post(client, "/settings/api-keys", {"name": "Old"}).get_data(as_text=True)
    key_id = re.search(r'/settings/api-keys/([0-9a-f-]+)/revoke', html).group(1)
    response = post(client, f"/settings/api-keys/{key_id}/revoke")
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings/api-keys")
    assert post(client, "/settings/api-keys/00000000-0000-0000-0000-000000000000/revoke").status_code == 404
    assert post(client, "/settings/api-keys/not-a-uuid/revoke").status_code == 404


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


def test_modules_keep_their_place_while_someone_is_part_way(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE)
    modules = db.session.scalars(db.select(Module).where(Module.flow_id == assignment.flow_id)
                                 .order_by(Module.position)).all()
    services.complete_module(demo[EMPLOYEE], assignment.public_id, modules[0].id)
    login_as(demo[ADMIN])
    rows = [(m.title, m.content, str(m.estimated_minutes)) for m in modules]
    ids = [str(m.id) for m in modules]
    reordered = post(client, "/flows/flow_123abc/edit", flow_form("Customer Onboarding", rows[::-1], ids[::-1]))
    assert reordered.status_code == 422 and "1 person is part-way through" in reordered.get_data(as_text=True)
    rows[0] = ("Welcome aboard", "Reworded.", "20")
    assert post(client, "/flows/flow_123abc/edit", flow_form("Customer Onboarding", rows, ids)).status_code == 303
    assert fresh(db, Module, modules[0].id).title == "Welcome aboard"
    assert db.session.get(ModuleProgress, (assignment.id, modules[0].id)) is not None


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
    assert error_of(html, "assign-pasted") == "Add at least one person"
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
    assert rows(more) == 2 and 'hx-swap-oob="beforeend:#assignment-list"' in more
    assert "data-load-more" not in more


# --- my flows ----------------------------------------------------------------------


def test_my_flows_lists_assignments_with_progress_and_due_badges(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    assert "No flows assigned to you yet." in client.get("/my-flows").get_data(as_text=True)
    assign(demo, EMPLOYEE, dueDate="2020-01-01")
    assign(demo, EMPLOYEE, flow_id="flow_sec101")
    html = client.get("/my-flows").get_data(as_text=True)
    assert rows(html, "flow-card") == 2 and "flow-card--overdue" in html and "overdue by" in html
    assert '<progress class="progress__bar" max="100" value="0"' in html and "0 of 5 modules done" in html
    dashboard = client.get("/").get_data(as_text=True)
    assert "Customer Onboarding" in dashboard and "Security Awareness" in dashboard and "progress__bar" in dashboard


def test_working_through_a_flow(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE)
    url = f"/my-flows/{assignment.public_id}"
    login_as(demo[EMPLOYEE])
    page = client.get(url).get_data(as_text=True)
    assert "Start flow" in page and "Mark as done" not in page
    started = post(client, f"{url}/start", htmx=True)
    assert started.status_code == 200 and 'id="flow-workspace"' in started.get_data(as_text=True)
    assert "Flow started" in started.get_data(as_text=True)
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.IN_PROGRESS

    modules = db.session.scalars(db.select(Module).where(Module.flow_id == assignment.flow_id)
                                 .order_by(Module.position)).all()
    out_of_order = post(client, f"{url}/modules/{modules[2].id}/done", htmx=True)
    assert out_of_order.status_code == 409 and "finish the current one first" in out_of_order.get_data(as_text=True)
    for number, module in enumerate(modules, start=1):
        html = client.get(url).get_data(as_text=True)
        assert f"/modules/{module.id}/done" in html and module.content in html
        response = post(client, f"{url}/modules/{module.id}/done", htmx=True)
        assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Flow completed" in html and "Well done!" in html and "Flow completed! Every module is done." in html
    assert "Mark as done" not in html
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.COMPLETED
    again = post(client, f"{url}/modules/{modules[-1].id}/done", htmx=True)
    assert again.status_code == 409
    earlier = client.get(f"{url}?module=2").get_data(as_text=True)
    assert modules[1].content in earlier and "You finished this module." in earlier
    listing = client.get("/my-flows").get_data(as_text=True)
    assert rows(listing, "flow-card") == 1 and 'id="done-flows"' in listing
    assert "All 5 modules done · 100%" in listing and 'id="open-flows"' not in listing


def test_without_javascript_mark_as_done_redirects(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE, flow_id="flow_sec101")
    module = db.session.scalar(db.select(Module).where(Module.flow_id == assignment.flow_id, Module.position == 1))
    login_as(demo[EMPLOYEE])
    response = post(client, f"/my-flows/{assignment.public_id}/modules/{module.id}/done")
    assert response.status_code == 303 and response.headers["Location"].endswith(assignment.public_id)
    assert "1 of 3 modules done" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_upcoming_modules_stay_hidden(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE)
    login_as(demo[EMPLOYEE])
    post(client, f"/my-flows/{assignment.public_id}/start")
    last = db.session.scalar(db.select(Module).where(Module.flow_id == assignment.flow_id, Module.position == 5))
    html = client.get(f"/my-flows/{assignment.public_id}?module=5").get_data(as_text=True)
    assert last.content not in html and "Welcome to the team" in html
    assert client.get(f"/my-flows/{assignment.public_id}?module=abc").status_code == 200


def test_another_persons_assignment_is_404(client, demo, login_as, db):
    assignment = assign(demo, EMPLOYEE)
    module = db.session.scalar(db.select(Module).where(Module.flow_id == assignment.flow_id, Module.position == 1))
    url = f"/my-flows/{assignment.public_id}"
    for someone in (HR, ADMIN):
        login_as(demo[someone])
        assert client.get(url).status_code == 404
        assert post(client, f"{url}/start").status_code == 404
        assert post(client, f"{url}/modules/{module.id}/done").status_code == 404
    assert fresh(db, Assignment, assignment.id).status == AssignmentStatus.ASSIGNED
    login_as(demo[EMPLOYEE])
    assert client.get("/my-flows/asgn_nope").status_code == 404
    assert client.get("/my-flows/asgn%00x").status_code == 404


# --- query counts ------------------------------------------------------------------


def make_flows(demo, count):
    organization = demo[ADMIN].organization
    modules = [{"title": "One", "minutes": 5}, {"title": "Two", "minutes": 5}]
    return [editing.create_flow(organization, editing.parse_flow({"name": f"Flow {n}", "modules": modules}))
            for n in range(count)]


def test_my_flows_queries_do_not_grow_with_assignments(client, demo, login_as, count_queries, db):
    flows = make_flows(demo, 20)
    login_as(demo[EMPLOYEE])
    assign(demo, EMPLOYEE, flow_id=flows[0].public_id)
    db.session.flush()
    with count_queries() as one:
        assert rows(client.get("/my-flows").get_data(as_text=True), "flow-card") == 1
    for flow in flows[1:]:
        assign(demo, EMPLOYEE, flow_id=flow.public_id)
    db.session.flush()
    with count_queries() as twenty:
        assert rows(client.get("/my-flows").get_data(as_text=True), "flow-card") == 20
    assert len(twenty) == len(one), twenty
    with count_queries() as dashboard:
        assert client.get("/").status_code == 200
    assert len(dashboard) <= len(one) + 3


def test_overview_queries_do_not_grow_with_assignments(client, demo, login_as, count_queries, db):
    people = list(demo)[:20]
    login_as(demo[ADMIN])
    assign(demo, people[0])
    db.session.flush()
    with count_queries() as one:
        assert rows(client.get("/flows/assignments").get_data(as_text=True)) == 1
    for email in people[1:]:
        assign(demo, email)
    db.session.flush()
    with count_queries() as twenty:
        assert rows(client.get("/flows/assignments").get_data(as_text=True)) == 20
    assert len(twenty) == len(one), twenty


def test_a_flow_page_runs_a_fixed_number_of_queries(client, demo, login_as, count_queries, db):
    small = assign(demo, EMPLOYEE, flow_id="flow_sec101")
    large = assign(demo, EMPLOYEE)
    login_as(demo[EMPLOYEE])
    with count_queries() as three_modules:
        assert client.get(f"/my-flows/{small.public_id}").status_code == 200
    with count_queries() as five_modules:
        assert client.get(f"/my-flows/{large.public_id}").status_code == 200
    assert len(three_modules) == len(five_modules)
