"""Every workflow page in Chromium at desktop and phone widths: no script errors or CSP
violations, no sideways scrolling on a phone, and screenshots in test-artifacts/."""

import io
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from werkzeug.datastructures import FileStorage

from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.workflows import services
from momoflow.workflows.models import DocumentCategory
from momoflow.workflows.validation import parse_new_request
from tests.browser.conftest import ARTIFACTS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def sign_in(page, live_server, email, password="momoflow-demo"):
    page.goto(f"{live_server}/login")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()


@pytest.fixture
def committed_requests(app, committed_demo):
    """A few committed requests for the live server: two waiting for the manager (one
    with a file and a spectator, one overdue-ish express), one approved."""
    from momoflow.accounts.services import find_user

    def spec(title, *approvers, spectators=(), priority="STANDARD", tat=24):
        return parse_new_request({
            "templateType": "CUSTOM", "title": title, "priority": priority,
            "description": f"{title}.\nBudget and vendor details are in the attached quotation.",
            "approvalLevels": [{"email": email, "tatHours": tat} for email in approvers],
            "spectators": [{"email": email} for email in spectators]})

    with app.app_context():
        employee = find_user("employee@company.com")
        laptops = services.create_request(
            employee, spec("Laptops for the support team", "manager@royalenfield.com", "director@royalenfield.com",
                           "cfo@royalenfield.com", spectators=["spectator@royalenfield.com"]),
            [FileStorage(io.BytesIO(PDF), filename="laptop-quotation.pdf")], DocumentCategory.QUOTATION)
        services.add_comment(employee, laptops.id, "The vendor's offer is valid until the end of the month.")
        switch = services.create_request(employee, spec("Urgent: replace the failed core switch",
                                                         "manager@royalenfield.com", priority="EXPRESS", tat=4))
        overdue = utcnow() - timedelta(hours=2, minutes=5)  # waited too long
        switch.levels[0].tat_deadline = switch.levels[0].tasks[0].due_at = overdue
        approved = services.create_request(employee, spec("Team offsite venue", "director@royalenfield.com"))
        services.approve_level(find_user("director@royalenfield.com"), approved.id, approved.levels[0].id, "Enjoy!")
        db.session.commit()
        ids = {"laptops": str(laptops.id)}
        db.session.remove()
    return ids


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_workflow_pages_render_cleanly(live_server, committed_requests, browser, viewport):
    ARTIFACTS.mkdir(exist_ok=True)
    size = VIEWPORTS[viewport]

    def shoot(page, name):
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], f"{name} scrolls sideways"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport}.png"), full_page=True)

    def new_page():
        context = browser.new_context(viewport=size, is_mobile=viewport == "phone")
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("console", lambda message: message.type == "error" and "Failed to load resource" not in message.text
                and page.problems.append(message.text))
        return context, page

    context, page = new_page()
    sign_in(page, live_server, "employee@company.com")
    page.goto(f"{live_server}/requests/new")
    page.get_by_label("Title").fill("Conference tickets")
    page.get_by_label("Approver email for level 1").fill("manager@royalenfield.com")
    page.get_by_role("button", name="+ Add level").click()
    page.get_by_label("Approver email for level 2").fill("not an email")
    page.get_by_label("TAT hours for level 2").fill("-3")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("heading", name="There are 3 problems with this request")).to_be_visible()
    shoot(page, "new-request-errors")
    page.goto(f"{live_server}/requests")
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    shoot(page, "my-requests")
    assert page.problems == []
    context.close()

    context, page = new_page()
    sign_in(page, live_server, "manager@royalenfield.com")
    expect(page.get_by_role("link", name="Open your inbox (2 waiting)")).to_be_visible()
    shoot(page, "dashboard-approver")
    page.goto(f"{live_server}/inbox")
    expect(page.get_by_role("heading", name="Laptops for the support team")).to_be_visible()
    expect(page.get_by_text("overdue by")).to_be_visible()
    shoot(page, "inbox")
    page.goto(f"{live_server}/requests/{committed_requests['laptops']}")
    expect(page.get_by_role("heading", name="Your decision")).to_be_visible()
    shoot(page, "request-approver")
    assert page.problems == []
    context.close()

    context, page = new_page()
    sign_in(page, live_server, "spectator@royalenfield.com")
    page.goto(f"{live_server}/requests/{committed_requests['laptops']}")
    expect(page.get_by_text("laptop-quotation.pdf", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    shoot(page, "request-spectator")
    assert page.problems == []
    context.close()
