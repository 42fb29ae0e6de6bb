"""The bell and the notifications page in a real browser: the count arrives by htmx,
marking read updates the list, the bell and a toast in place; screenshots for people
to look at land in test-artifacts/."""

import re

import pytest
from playwright.sync_api import expect

from momoflow import jobs
from momoflow.extensions import db
from momoflow.flows import services as flow_services
from momoflow.flows.validation import parse_assignment
from momoflow.workflows import services
from momoflow.workflows.validation import parse_new_request
from tests.browser.conftest import ARTIFACTS
from tests.notifications.conftest import free_port
from tests.workflows.conftest import simple_request

EMPLOYEE = "employee@company.com"
MANAGER = "manager@royalenfield.com"
SPECTATOR = "spectator@royalenfield.com"
ADMIN = "admin@company.com"


@pytest.fixture
def news_for_the_employee(app, committed_demo, monkeypatch):
    """A request of the employee's approved at level 1 and commented on, and a flow
    assigned to them: three notifications, relayed for real."""
    from momoflow.accounts.models import User
    from momoflow.workflows.models import ApprovalLevel

    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens: mail just waits
    with app.app_context():
        people = {user.email: user for user in db.session.scalars(db.select(User))}
        spec = parse_new_request(simple_request(MANAGER, "director@royalenfield.com", spectators=[SPECTATOR],
                                                title="Laptops for the support team"))
        created = services.create_request(people[EMPLOYEE], spec)
        db.session.flush()
        level = db.session.scalar(db.select(ApprovalLevel).where(
            ApprovalLevel.request_id == created.id, ApprovalLevel.level_number == 1))
        services.approve_level(people[MANAGER], created.id, level.id, "Approved: within budget")
        services.add_comment(people[SPECTATOR], created.id, "Can we get the 16-inch model?")
        flow_services.assign_flow(flow_services.Assigner.signed_in(people[ADMIN]),
                                  parse_assignment({"flowId": "flow_123abc", "userEmail": EMPLOYEE,
                                                    "dueDate": "2030-11-25T23:59:59Z"}))
        db.session.commit()
        jobs.run_pending_in_process()
        db.session.remove()


def test_the_bell_and_the_notifications_page(news_for_the_employee, person, live_server):
    page = person(EMPLOYEE)
    bell = page.locator("#notification-bell a")
    expect(bell).to_have_attribute("aria-label", "Notifications, 3 unread")  # loaded by htmx after the page
    expect(page.locator(".bell__count")).to_have_text("3")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".topbar").screenshot(path=str(ARTIFACTS / "notifications-bell.png"))

    page.get_by_role("link", name="Notifications, 3 unread").click()
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    titles = page.locator(".notification__title")
    expect(titles).to_have_count(3)
    expect(titles.first).to_contain_text("New flow to complete: Customer Onboarding")
    expect(titles.nth(1)).to_contain_text("Jane Doe commented")
    expect(titles.nth(2)).to_contain_text("level 1 approved by Arjun Mehta")
    page.screenshot(path=str(ARTIFACTS / "notifications-page.png"), full_page=True)

    comment = page.locator(".notification", has_text="Jane Doe commented")
    comment.get_by_role("button", name=re.compile(r"^Mark as read\W+REQ-.*commented$")).click()
    expect(page.locator(".toast").last).to_contain_text("Marked as read.")
    expect(bell).to_have_attribute("aria-label", "Notifications, 2 unread")
    expect(page.locator(".notification--unread")).to_have_count(2)
    expect(page.locator(".notification").nth(1)).to_be_focused()  # focus stays where it was

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("heading", name="All caught up")).to_be_visible()
    expect(bell).to_have_attribute("aria-label", "Notifications, none unread")
    expect(page.locator(".bell__count")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the top bar wraps, the bell stays
    expect(bell).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "notifications-page-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Email preferences").click()
    expect(page.get_by_role("heading", name="Email preferences")).to_be_visible()
    page.get_by_label("New comments on requests I take part in").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator(".toast").last).to_contain_text("Email preferences saved.")
    expect(page.get_by_label("New comments on requests I take part in")).not_to_be_checked()
    page.screenshot(path=str(ARTIFACTS / "notifications-preferences.png"), full_page=True)

    page.get_by_role("link", name=re.compile(r"^Notifications")).first.click()
    page.get_by_role("link", name=re.compile("Customer Onboarding")).click()
    expect(page).to_have_url(re.compile(r"/my-flows/asgn_"))


def test_an_approver_sees_the_bell_count_rise_when_a_request_reaches_them(app, committed_demo, person, monkeypatch):
    monkeypatch.setitem(app.config, "BELL_REFRESH_SECONDS", 1)  # the page asks every second, not every 30
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    manager = person(MANAGER)
    bell = manager.locator("#notification-bell a")
    expect(bell).to_have_attribute("aria-label", "Notifications, none unread")

    from momoflow.accounts.models import User

    with app.test_request_context():  # the employee raises a request: level 1 is the manager's
        employee = db.session.scalar(db.select(User).where(User.email == EMPLOYEE))
        services.create_request(employee, parse_new_request(simple_request(MANAGER, title="Standing desks")))
        db.session.commit()
        jobs.run_pending_in_process()
        db.session.remove()

    expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread", timeout=10_000)  # no reload
    expect(manager.locator(".bell__count")).to_have_text("1")
    manager.locator("#notification-bell a").click()
    expect(manager.locator(".notification__title").first).to_contain_text("waiting for your approval")
    expect(manager.locator(".notification").first).to_contain_text("Standing desks")
