"""The search boxes, the inbox cards and the dashboard in Chromium: typing a search and
submitting it, no script errors or CSP violations, no sideways scrolling on a phone, and
screenshots in test-artifacts/ (search-*.png)."""

import io

import pytest
from playwright.sync_api import expect
from werkzeug.datastructures import FileStorage

from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.workflows import services
from momoflow.workflows.models import DocumentCategory, RequestStatus, WorkflowRequest
from momoflow.workflows.validation import parse_new_request
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_workflow_pages import PDF, VIEWPORTS, sign_in

DESCRIPTION = ("The support team's laptops are five years old and two failed last month. This replaces all "
               "twelve with the standard developer model; the quotation includes three years of on-site support.")


@pytest.fixture
def searchable(app, committed_demo):
    """Requests for the manager's inbox (files, a long description, a second round) and the
    employee's dashboard (one waiting, one returned for changes)."""
    from momoflow.accounts.services import find_user

    def spec(title, *approvers, description=DESCRIPTION):
        return parse_new_request({"templateType": "CUSTOM", "title": title, "priority": "STANDARD",
                                  "description": description,
                                  "approvalLevels": [{"email": email, "tatHours": 24} for email in approvers]})

    with app.app_context():
        employee = find_user("employee@company.com")
        files = [FileStorage(io.BytesIO(PDF), filename=f"quote-{n}.pdf") for n in range(2)]
        services.create_request(employee, spec("Laptops for the support team", "manager@royalenfield.com",
                                               "director@royalenfield.com"), files, DocumentCategory.QUOTATION)
        again = services.create_request(employee, spec("Conference travel to Pune", "manager@royalenfield.com",
                                                       description="Two nights, economy flights."))
        services.create_request(employee, spec("New monitors", "cfo@royalenfield.com"))
        returned = services.create_request(employee, spec("Office chairs", "director@royalenfield.com"))
        db.session.flush()
        db.session.execute(db.update(WorkflowRequest).where(WorkflowRequest.id == again.id).values(round=2))
        db.session.execute(db.update(WorkflowRequest).where(WorkflowRequest.id == returned.id).values(
            status=RequestStatus.RETURNED, current_level=None, resume_level=1, returned_at=utcnow()))
        db.session.commit()
        db.session.remove()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"search-{name}.png"), full_page=True)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_inbox_cards_and_search(browser, live_server, searchable, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server, "manager@royalenfield.com")
    page.goto(f"{live_server}/inbox")
    card = page.locator(".inbox-item", has_text="Laptops for the support team")
    expect(card.locator(".inbox-item__excerpt")).to_contain_text("The support team's laptops")
    expect(card).to_contain_text("2 attachments")
    expect(page.locator(".inbox-item", has_text="Conference travel").locator(".badge--round")).to_have_text("Round 2")
    shot(page, f"inbox-{viewport}")
    page.get_by_role("searchbox", name="Search requests waiting for you").fill("pune")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".inbox-item")).to_have_count(1)
    expect(page.get_by_role("link", name="Clear search")).to_be_visible()
    shot(page, f"inbox-searched-{viewport}")
    page.get_by_role("searchbox", name="Search requests waiting for you").fill("nobody-by-this-name")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nothing waiting for you matches")).to_be_visible()
    if viewport == "phone":
        no_sideways_scroll(page)
    assert problems == []
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_dashboard_and_my_requests_search(browser, live_server, searchable, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, live_server, "employee@company.com")
    mine = page.locator("#my-open-requests")
    expect(mine).to_contain_text("Returned to you for changes")
    expect(mine).to_contain_text("Waiting at level 1 of 2")
    expect(mine).to_contain_text("with Arjun Mehta")
    shot(page, f"dashboard-{viewport}")
    if viewport == "phone":
        no_sideways_scroll(page)
    page.goto(f"{live_server}/requests")
    page.get_by_role("searchbox", name="Search").fill("Rajesh")  # the CFO approves "New monitors"
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".request-row")).to_have_count(1)
    expect(page.locator(".request-row")).to_contain_text("New monitors")
    shot(page, f"my-requests-searched-{viewport}")
    assert problems == []
    context.close()


def test_assignments_person_search(browser, live_server, committed_demo, app):
    from momoflow.accounts.services import find_user
    from momoflow.flows import services as flows
    from momoflow.flows.validation import parse_assignment

    with app.app_context():
        admin = find_user("admin@company.com")
        for email in ("employee@company.com", "hr@royalenfield.com", "manager@royalenfield.com"):
            flows.assign_flow(flows.Assigner(admin.organization_id, person=admin),
                              parse_assignment({"flowId": "flow_123abc", "userEmail": email}))
        db.session.commit()
        db.session.remove()
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = context.new_page()
    sign_in(page, live_server, "admin@company.com")
    page.goto(f"{live_server}/flows/assignments")
    page.get_by_label("Person").fill("meera")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".assignment-row")).to_have_count(1)
    expect(page.locator(".assignment-row")).to_contain_text("Meera Nair")
    shot(page, "assignments-person")
    context.close()
