"""An email's decision link in a real browser, signed out: the confirmation page (a
rejection refused without a comment, then confirmed), the link refused once used, and
Settings → Approvals. Screenshots go to test-artifacts/ for people to look at."""

import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from momoflow.database import utcnow
from momoflow.email_decisions.links import digest
from momoflow.email_decisions.models import DecisionLink
from momoflow.extensions import db
from momoflow.workflows import services
from momoflow.workflows.models import ApprovalTask
from momoflow.workflows.validation import parse_new_request
from tests.browser.conftest import ARTIFACTS
from tests.notifications.conftest import free_port
from tests.workflows.conftest import simple_request

EMPLOYEE = "employee@company.com"
MANAGER = "manager@royalenfield.com"


@pytest.fixture
def reject_link(app, committed_demo, monkeypatch):
    """The path of a Reject link for the manager's task, as the email would carry it."""
    from momoflow.accounts.services import find_user

    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens: mail just waits
    token = secrets.token_urlsafe(32)
    with app.app_context():
        created = services.create_request(find_user(EMPLOYEE), parse_new_request(
            simple_request(MANAGER, title="Standing desks for the support team")))
        db.session.flush()
        task = db.session.scalar(sa.select(ApprovalTask).where(ApprovalTask.request_id == created.id))
        db.session.add(DecisionLink(task_id=task.id, user_id=task.assignee_id, round=task.round,
                                    token_hash=digest(token), expires_at=utcnow() + timedelta(hours=72)))
        db.session.commit()
        db.session.remove()
    return f"/email-decisions/{token}/reject"


def test_a_signed_out_approver_rejects_from_the_link(live_server, page, reject_link):
    page.goto(live_server + reject_link)
    expect(page.get_by_role("heading", name="Reject", level=1)).to_be_visible()
    expect(page.get_by_text("Arjun Mehta", exact=False).first).to_be_visible()
    expect(page.get_by_text("Standing desks for the support team")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "email-decision-confirm.png"), full_page=True)

    page.get_by_role("button", name="Reject").click()  # no comment: refused in place
    expect(page.locator("#link-comments-error")).to_have_text("Comments are required to reject a level")
    page.screenshot(path=str(ARTIFACTS / "email-decision-comment-needed.png"), full_page=True)
    page.get_by_label("Comment").fill("We have desks in storage.")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("heading", name="Arjun Mehta rejected level 1")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "email-decision-done.png"), full_page=True)

    page.goto(live_server + reject_link)
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    expect(page.get_by_role("link", name="Open the request")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "email-decision-used.png"), full_page=True)
    assert page.problems == []


def test_the_approval_settings_page(live_server, committed_demo, person):
    admin = person("admin@company.com")
    admin.goto(live_server + "/settings/approvals")
    admin.get_by_label("Revisions allowed per request").fill("25")
    admin.get_by_role("button", name="Save approval settings").click()
    expect(admin.locator("#approvals-max-revisions-error")).to_contain_text("from 0 to 20")
    admin.get_by_label("Revisions allowed per request").fill("4")
    admin.get_by_label("Require signing in to decide from an email").check()
    admin.get_by_role("button", name="Save approval settings").click()
    expect(admin.get_by_text("Approval settings saved.").first).to_be_visible()
    admin.reload()
    expect(admin.get_by_label("Require signing in to decide from an email")).to_be_checked()
    admin.screenshot(path=str(ARTIFACTS / "settings-approvals.png"), full_page=True)
    assert admin.problems == []
