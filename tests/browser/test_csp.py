"""Every page, and the htmx swaps after Assign and on a request page, in Chromium under
the real Content-Security-Policy (``style-src 'self'``, no inline anything): not one
violation. Screenshots of every page at desktop and phone widths land in test-artifacts/.

The swaps used to trip ``style-src``: htmx's settling copied an element's ``style``
attribute onto its replacement with setAttribute, and a browser extension or a
screenshot's caret hiding leaves ``style=""`` on inputs. Both tests leave it there first.
"""

import re

import pytest
from playwright.sync_api import expect

from momoflow.extensions import db
from momoflow.flows import services as flow_services
from momoflow.flows.validation import parse_assignment
from momoflow.webhooks.models import WebhookEndpoint
from momoflow.webhooks.signing import new_secret
from momoflow.workflows import services
from momoflow.workflows.validation import parse_new_request
from tests.browser.conftest import ARTIFACTS
from tests.workflows.conftest import simple_request

ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ADMIN_PAGES = ["/", "/inbox", "/requests", "/watching", "/requests/all", "/requests/new", "/my-flows",
               "/flows/manage", "/flows/new", "/flows/flow_123abc/edit", "/flows/assign", "/flows/assignments",
               "/flows/schedules", "/settings/api-keys", "/settings/webhooks", "/settings/working-time", "/settings/people",
               "/settings/provisioning", "/settings/sign-in", "/login/sso",
               "/settings/notifications", "/notifications", "/docs/api", "/no-such-page"]
EMPLOYEE_PAGES = ["/", "/requests", "/my-flows", "/notifications", "/settings/notifications"]

# Reports every violation through a function Playwright exposes, so none is lost when the page changes.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportViolation([event.violatedDirective, event.sourceFile + ":" + event.lineNumber, event.sample].join(" "));
});
"""
# What an extension (or a screenshot hiding the caret) does to the inputs of a page.
LEAVE_STYLE_ATTRIBUTES = """
document.querySelectorAll("input, textarea, select").forEach(function (field) {
  field.style.caretColor = "transparent";
  field.style.removeProperty("caret-color");
});
"""


@pytest.fixture
def pages_with_content(app, committed_demo):
    """A request waiting for the admin (the employee's, with a spectator), a flow assigned
    to the admin and a (disabled) webhook endpoint, so every page has something to show."""
    from momoflow.accounts.services import find_user

    with app.app_context():
        admin, employee = find_user(ADMIN), find_user(EMPLOYEE)
        waiting = services.create_request(employee, parse_new_request(simple_request(
            ADMIN, "manager@royalenfield.com", spectators=["spectator@royalenfield.com"],
            title="New monitors for the design team")))
        services.add_comment(employee, waiting.id, "Two 27-inch monitors.")
        flow_services.assign_flow(flow_services.Assigner.signed_in(admin), parse_assignment(
            {"flowId": "flow_123abc", "userEmail": ADMIN, "dueDate": "2030-11-25T23:59:59Z"}))
        endpoint = WebhookEndpoint(organization_id=admin.organization_id, url="https://hr.example.com/hooks/momoflow",
                                   description="HR system", event_types=["flow.completed"], secret=new_secret(),
                                   enabled=False)  # nothing is ever sent
        db.session.add(endpoint)
        db.session.commit()
        ids = {"request": str(waiting.id), "endpoint": str(endpoint.id)}
        db.session.remove()
    return ids


def watched(page):
    """The page's CSP violations, collected for as long as the page lives."""
    page.violations = []
    page.context.expose_function("reportViolation", lambda text: page.violations.append(text))
    page.context.add_init_script(WATCH_CSP)
    return page


def visit(page, live_server, path, name):
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")  # the bell's count comes by htmx after the page
    ARTIFACTS.mkdir(exist_ok=True)
    for width, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"ui-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_every_page_is_clean_under_the_csp(live_server, pages_with_content, browser, person):
    context = browser.new_context(viewport=DESKTOP)
    signed_out = watched(context.new_page())
    visit(signed_out, live_server, "/login", "login")
    assert signed_out.violations == []
    context.close()

    admin = watched(person(ADMIN))
    pages = {path.replace("/", "-").strip("-") or "dashboard": path for path in ADMIN_PAGES}
    pages.update({"request": f"/requests/{pages_with_content['request']}",
                  "webhook": f"/settings/webhooks/{pages_with_content['endpoint']}"})
    for name, path in pages.items():
        visit(admin, live_server, path, f"admin-{name}")
        assert admin.violations == [], f"{path}: {admin.violations}"
    admin.goto(f"{live_server}/my-flows")
    admin.locator(".flow-card a").first.click()
    expect(admin.get_by_role("button", name="Start flow")).to_be_visible()
    visit(admin, live_server, admin.url.removeprefix(live_server), "admin-my-flow")
    assert admin.violations == []

    employee = watched(person(EMPLOYEE))
    pages = {path.replace("/", "-").strip("-") or "dashboard": path for path in EMPLOYEE_PAGES}
    pages["request"] = f"/requests/{pages_with_content['request']}"
    for name, path in pages.items():
        visit(employee, live_server, path, f"employee-{name}")
        assert employee.violations == [], f"{path}: {employee.violations}"


def test_htmx_swaps_are_clean_under_the_csp(live_server, pages_with_content, person):
    admin = watched(person(ADMIN))

    # Assign: the panel is swapped for one with the per-person results.
    admin.goto(f"{live_server}/flows/assign")
    admin.get_by_label("Flow to assign").select_option("flow_123abc")
    admin.get_by_label("Person's email").fill(EMPLOYEE)
    admin.evaluate(LEAVE_STYLE_ATTRIBUTES)
    admin.get_by_role("button", name="Assign flow").click()
    expect(admin.locator("#assign-results .badge")).to_have_text(["✓ Assigned"])
    admin.wait_for_load_state("networkidle")
    assert admin.violations == []

    # The request page: a comment, a spectator, then the decision, each swapped in place.
    admin.goto(f"{live_server}/requests/{pages_with_content['request']}")
    admin.evaluate(LEAVE_STYLE_ATTRIBUTES)
    admin.get_by_label("Add a comment").fill("Which model?")
    admin.get_by_role("button", name="Post comment").click()
    expect(admin.locator("#comments")).to_contain_text("Which model?")
    # The fresh comment form takes the focus once htmx has settled it: wait for that, or the
    # next fill can start in the spectator box and finish in the comment box.
    expect(admin.get_by_label("Add a comment")).to_be_focused()
    admin.evaluate(LEAVE_STYLE_ATTRIBUTES)
    admin.get_by_label("Add a spectator").fill("hr@royalenfield.com")
    with admin.expect_response(lambda response: response.url.endswith("/spectators")) as answer:
        admin.get_by_role("button", name="Add", exact=True).click()
    # Refused, the form comes back with its reason (a 4xx): show that rather than a missing toast.
    assert answer.value.status == 204, (answer.value.status, answer.value.text())
    expect(admin.locator(".toast").last).to_contain_text("can now follow this request")
    admin.evaluate(LEAVE_STYLE_ATTRIBUTES)
    admin.get_by_role("button", name=re.compile("^Approve REQ-")).click()
    expect(admin.locator(".toast").last).to_contain_text("level 2")
    admin.wait_for_load_state("networkidle")
    assert admin.violations == []
