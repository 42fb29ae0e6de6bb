"""Flow analytics in a real browser: an admin opens Flows → Analytics, goes into the demo's
Customer Onboarding, narrows it to a department, downloads the CSV, and downloads the
assignments overview's CSV too. Screenshots of both pages at desktop and phone widths."""

import csv
import io
import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot


def _with_flow_activity(app):
    """The demo's people part-way through flow_123abc (the browser tests' demo leaves them out)."""
    from momoflow.accounts.models import User
    from momoflow.demo.seed import _seed_flow_activity
    from momoflow.extensions import db

    with app.app_context():
        people = db.session.scalars(db.select(User)).all()
        _seed_flow_activity(people[0].organization, people)
        db.session.commit()
        db.session.remove()


def _downloaded_rows(download):
    text = open(download.path(), encoding="utf-8-sig").read()
    return list(csv.reader(io.StringIO(text)))


def test_an_admin_reads_a_flows_analytics_filters_and_downloads(app, committed_demo, person):
    _with_flow_activity(app)
    page = person("admin@company.com")
    page.locator("summary", has_text="Flows").click()
    page.get_by_role("link", name="Analytics", exact=True).click()
    expect(page.get_by_role("heading", name="Flow analytics")).to_be_visible()
    onboarding = page.locator("#flow-summaries tr", has_text="Customer Onboarding")
    expect(onboarding).to_contain_text("7")  # assigned
    expect(onboarding).to_contain_text("42.9%")
    shoot(page, "flow-analytics")

    page.get_by_role("link", name="Customer Onboarding").click()
    expect(page.get_by_role("heading", name="Customer Onboarding")).to_be_visible()
    expect(page.locator("#module-steps tbody tr")).to_have_count(5)
    expect(page.get_by_text("Where people stall")).to_be_visible()
    shoot(page, "flow-analytics-modules")

    page.get_by_label("Department").select_option("Customer Success")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"department=Customer\+Success"))
    assigned = page.locator(".stat-card", has_text="Assigned")
    expect(assigned).to_contain_text("2")  # employee@ and sam.lee@, both in Customer Success
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    rows = _downloaded_rows(download_info.value)
    assert rows[0][:3] == ["Position", "Module", "Reached"]
    assert [row[1] for row in rows[1:]] == ["Welcome to the team", "Our products", "Customer journey",
                                            "Support tools", "Your first customer call"]
    assert all(row[2] == "2" and row[3] == "2" for row in rows[1:])  # both finished every module

    page.goto(page.url.split("/flows/")[0] + "/flows/assignments?status=overdue")
    expect(page.get_by_role("heading", name="Assignments")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    rows = _downloaded_rows(download_info.value)
    assert rows[0][0] == "Assignment ID" and len(rows) == 1 + 2  # the two demo people past due
    assert {row[5] for row in rows[1:]} == {"Overdue"}
