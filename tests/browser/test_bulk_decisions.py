"""Bulk decisions (issue 13) in Chromium: the manager ticks three of the four requests in
the inbox and approves them with one comment; the results arrive per item without a
reload, the decided items leave the list and the database says they were approved."""

import re

from playwright.sync_api import expect

from momoflow.accounts.services import find_user
from momoflow.extensions import db
from momoflow.workflows import services
from momoflow.workflows.models import ApprovalTask, TaskStatus, WorkflowRequest
from momoflow.workflows.validation import parse_new_request
from tests.browser.conftest import ARTIFACTS

INITIATOR, MANAGER, DIRECTOR = "employee@company.com", "manager@royalenfield.com", "director@royalenfield.com"
TITLES = ("Laptop stand", "Team lunch", "Conference ticket", "Standing desk")


def raise_requests(app):
    """The four requests, each waiting for the manager at level 1: their numbers."""
    with app.app_context():
        employee = find_user(INITIATOR)
        numbers = []
        for title in TITLES:
            spec = parse_new_request({"templateType": "CUSTOM", "title": title, "priority": "STANDARD",
                                      "description": f"{title} for the team.",
                                      "approvalLevels": [{"email": MANAGER, "tatHours": 24},
                                                         {"email": DIRECTOR, "tatHours": 24}]})
            numbers.append(services.create_request(employee, spec).request_number)
        db.session.commit()
        db.session.remove()
    return numbers


def manager_decisions(app):
    """``{request title: (task status, comments)}`` of the manager's tasks."""
    with app.app_context():
        rows = db.session.execute(
            db.select(WorkflowRequest.title, ApprovalTask.status, ApprovalTask.comments)
            .join(ApprovalTask, ApprovalTask.request_id == WorkflowRequest.id)
            .where(ApprovalTask.assignee_id == find_user(MANAGER).id)).all()
        db.session.remove()
    return {title: (status, comments) for title, status, comments in rows}


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bulk-{name}.png"), full_page=True)


def test_three_inbox_items_approved_at_once(app, live_server, committed_demo, person):
    numbers = raise_requests(app)
    page = person(MANAGER)
    page.get_by_role("link", name=re.compile(r"^Inbox")).click()
    expect(page.locator(".inbox-item")).to_have_count(4)
    page.evaluate("window.notReloaded = true")

    select_all = page.get_by_label("Select all on this page")
    select_all.check()  # "Select all": every box, then one off again
    for number in numbers:
        expect(page.get_by_label(f"Select {number}")).to_be_checked()
    page.get_by_label(f"Select {numbers[3]}").uncheck()
    expect(select_all).not_to_be_checked()
    expect(page.locator("[data-selected-count]")).to_have_text("3 of 4 selected.")

    page.get_by_role("button", name="Reject selected").click()  # a slip: no comment
    comment = page.get_by_label("Comment for every selected request")
    expect(comment).to_be_focused()
    expect(page.locator("#bulk-comments-error")).to_have_text("Comments are required to reject a level")

    comment.fill("Approved together: all within budget.")
    shoot(page, "selected")
    page.get_by_role("button", name="Approve selected").click()
    results = page.locator("#bulk-results")
    heading = results.get_by_role("heading", name="Results: 3 decided.")
    expect(heading).to_be_focused()
    expect(results.locator("li")).to_have_count(3)
    for number in numbers[:3]:
        expect(results.locator("li", has_text=number)).to_contain_text("Approved: it moves on to level 2.")
    expect(page.locator(".inbox-item")).to_have_count(1)
    expect(page.locator(".inbox-item")).to_contain_text(TITLES[3])
    expect(page.locator(".toast").last).to_contain_text("3 decided.")
    expect(page.locator("#inbox-badge")).to_contain_text("1")
    assert page.evaluate("window.notReloaded") is True
    shoot(page, "results")

    decided = manager_decisions(app)
    for title in TITLES[:3]:
        assert decided[title] == (TaskStatus.APPROVED, "Approved together: all within budget.")
    assert decided[TITLES[3]] == (TaskStatus.PENDING, None)


def test_without_javascript_the_bar_posts_and_the_inbox_comes_back_with_the_results(
        app, browser, live_server, committed_demo):
    numbers = raise_requests(app)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.get_by_label("Work email").fill(MANAGER)
        page.get_by_label("Password").fill("momoflow-demo")
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server}/inbox")
        expect(page.get_by_label("Select all on this page")).to_be_hidden()  # it needs JavaScript
        for number in numbers[:2]:
            page.get_by_label(f"Select {number}").check()
        page.get_by_label("Comment for every selected request").fill("Not in this quarter's budget.")
        page.get_by_role("button", name="Reject selected").click()
        expect(page.get_by_role("heading", name="Results: 2 decided.")).to_be_visible()
        expect(page.locator(".bulk-result", has_text=numbers[0])).to_contain_text(
            "Rejected: the request is rejected and closed.")
        expect(page.locator(".inbox-item")).to_have_count(2)
        shoot(page, "no-js-phone")
    finally:
        context.close()
    decided = manager_decisions(app)
    assert [decided[title][0] for title in TITLES] == [TaskStatus.REJECTED] * 2 + [TaskStatus.PENDING] * 2
