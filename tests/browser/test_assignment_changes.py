"""Changing assignments in Chromium (issue 16): the admin ticks two rows of the overview and
moves their due date together (a result per row, the rows updated in place, no reload),
cancels a third on its page with a reason, and sends its person a reminder; screenshots at
desktop and phone widths."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.flows import services
from momoflow.flows.models import Assignment, AssignmentStatus
from momoflow.flows.schemas import iso
from momoflow.flows.validation import parse_assignment
from momoflow.accounts.services import find_user
from tests.browser.conftest import shoot

ADMIN = "admin@company.com"
PEOPLE = {"employee@company.com": "Priya Sharma", "hr@royalenfield.com": "Meera Nair",
          "sam.lee@company.com": "Sam Lee"}


def assign_three(app):
    """flow_123abc for each of PEOPLE, due in a week: ``{email: assignment id}``."""
    with app.app_context():
        admin = find_user(ADMIN)
        due = iso(utcnow() + timedelta(days=7))
        ids = {}
        for email in PEOPLE:
            spec = parse_assignment({"flowId": "flow_123abc", "userEmail": email, "dueDate": due})
            ids[email] = services.assign_flow(services.Assigner.signed_in(admin), spec).assignment.public_id
        db.session.commit()
        db.session.remove()
    return ids


def stored(app, public_id):
    with app.app_context():
        assignment = db.session.scalar(db.select(Assignment).where(Assignment.public_id == public_id))
        db.session.remove()
    return assignment


def test_admin_redates_two_cancels_one_and_reminds(app, live_server, committed_demo, person):
    ids = assign_three(app)
    page = person(ADMIN)
    page.goto(f"{live_server}/flows/assignments")
    expect(page.locator(".assignment-row")).to_have_count(3)
    page.evaluate("window.notReloaded = true")

    select_all = page.get_by_label("Select all on this page")
    select_all.check()
    page.get_by_label("Select Sam Lee: Customer Onboarding").uncheck()
    expect(select_all).not_to_be_checked()
    expect(page.locator("[data-selected-count]")).to_have_text("2 of 3 selected.")
    page.get_by_role("button", name="Change due date").click()  # a slip: no date
    expect(page.locator("#bulk-due-date-error")).to_have_text("Choose the new due date.")
    expect(page.get_by_label("New due date")).to_be_focused()

    page.get_by_label("Select Priya Sharma: Customer Onboarding").check()
    page.get_by_label("Select Meera Nair: Customer Onboarding").check()
    page.get_by_label("New due date").fill("2099-01-31")
    shoot(page, "assignments-selected")
    page.get_by_role("button", name="Change due date").click()
    results = page.locator("#assignment-bulk-results")
    expect(results.get_by_role("heading", name="Results: 2 changed.")).to_be_focused()
    expect(results.locator("li", has_text="Due date moved to 31 Jan 2099")).to_have_count(2)
    expect(page.locator(f"#{ids['employee@company.com']}")).to_contain_text("Due 31 Jan 2099")
    expect(page.locator("[data-selected-count]")).to_have_text("None selected yet.")
    assert page.evaluate("window.notReloaded") is True
    shoot(page, "assignments-redated")
    for email in ("employee@company.com", "hr@royalenfield.com"):
        assert iso(stored(app, ids[email]).due_date) == "2099-01-31T23:59:59Z"

    page.get_by_role("link", name=re.compile("^Customer Onboarding for Sam Lee")).click()
    expect(page.get_by_role("heading", name="Customer Onboarding", level=1)).to_be_visible()
    page.get_by_role("button", name="Send reminder").click()
    expect(page.locator(".toast", has_text="Reminder sent to Sam Lee.")).to_be_visible()
    expect(page.locator(".activity")).to_contain_text("Reminder sent")
    page.get_by_role("button", name="Send reminder").click()  # again: too soon
    expect(page.locator("#assignment-panel .alert--error")).to_contain_text(
        "A reminder was sent to sam.lee@company.com less than a minute ago")
    shoot(page, "assignment-page")

    page.get_by_label(re.compile("^Reason")).fill("Joined the support team instead")
    page.get_by_role("button", name="Cancel assignment").click()
    expect(page.locator(".activity")).to_contain_text("Cancelled: Joined the support team instead")
    expect(page.get_by_role("button", name="Send reminder")).to_have_count(0)
    shoot(page, "assignment-cancelled")
    cancelled = stored(app, ids["sam.lee@company.com"])
    assert cancelled.status == AssignmentStatus.CANCELLED and cancelled.last_reminded_at is not None


def test_admin_sets_the_flow_reminders(app, live_server, committed_demo, person):
    page = person(ADMIN)
    page.goto(f"{live_server}/settings/reminders")
    days = page.get_by_label("Remind this many days before the due date")
    expect(days).to_have_value("3, 1")
    days.fill("3, x")
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.locator("#reminders-days-error")).to_contain_text("Enter whole numbers of days")
    page.get_by_label("Remind this many days before the due date").fill("7, 2")
    page.get_by_label("Remind once more after the due date has passed").uncheck()
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.locator(".toast", has_text="Reminder settings saved.")).to_be_visible()
    expect(page.get_by_label("Remind this many days before the due date")).to_have_value("7, 2")
    shoot(page, "settings-reminders")
    with app.app_context():
        organization = find_user(ADMIN).organization
        assert (organization.flow_reminder_days, organization.flow_overdue_reminder) == ("7,2", False)
        db.session.remove()
