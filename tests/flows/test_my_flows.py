"""My flows: working through an assignment, and the query counts of the flow pages."""

from momoflow.flows import editing
from momoflow.flows.models import Assignment, AssignmentStatus, Module
from tests.flows.pages import ADMIN, EMPLOYEE, HR, assign, fresh, post, rows


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
