"""Approval analytics in a real browser: a few requests raised and decided through the JSON
API, then the admin opens Reports, reads the charts and tables, narrows to express requests
and downloads a table as CSV. Screenshots at desktop and phone widths."""

import csv
import io
import re

import requests
from playwright.sync_api import expect

from tests.browser.conftest import shoot

PASSWORD = "momoflow-demo"


def _token(live_server, email):
    answer = requests.post(f"{live_server}/api/v1/auth/login", json={"email": email, "password": PASSWORD},
                           timeout=30)
    return {"Authorization": f"Bearer {answer.json()['data']['token']}"}


def _history(live_server):
    """Four requests: two approved by the manager, one rejected at the director's level, one
    express request still waiting on the manager."""
    employee = _token(live_server, "employee@company.com")
    manager = _token(live_server, "manager@royalenfield.com")
    director = _token(live_server, "director@royalenfield.com")

    def raise_request(title, *approvers, priority="STANDARD"):
        body = {"templateType": "CUSTOM", "title": title, "description": "For the analytics", "priority": priority,
                "approvalLevels": [{"email": email, "tatHours": 8} for email in approvers], "spectators": []}
        answer = requests.post(f"{live_server}/api/v1/workflows", json=body, headers=employee, timeout=30)
        assert answer.status_code == 201, answer.text
        request_id = answer.json()["data"]["requestId"]
        detail = requests.get(f"{live_server}/api/v1/workflows/{request_id}", headers=employee, timeout=30).json()
        return request_id, [level["levelId"] for level in detail["data"]["approvalLevels"]]

    def act(who, request_id, level_id, verb):
        answer = requests.post(f"{live_server}/api/v1/workflows/{request_id}/levels/{level_id}/{verb}",
                               json={"comments": "Checked"}, headers=who, timeout=30)
        assert answer.status_code == 200, answer.text

    for title in ("Team laptops", "Conference tickets"):
        request_id, (level,) = raise_request(title, "manager@royalenfield.com")
        act(manager, request_id, level, "approve")
    request_id, (first, second) = raise_request("New office chairs", "manager@royalenfield.com",
                                                "director@royalenfield.com")
    act(manager, request_id, first, "approve")
    act(director, request_id, second, "reject")
    raise_request("Urgent server disk", "manager@royalenfield.com", priority="EXPRESS")


def test_an_admin_reads_approval_analytics_filters_and_downloads(committed_demo, live_server, person):
    _history(live_server)
    page = person("admin@company.com")
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Approval analytics")).to_be_visible()
    expect(page.locator(".stat-card", has_text="Raised")).to_contain_text("4")
    expect(page.locator("#approvers-table tbody tr")).to_have_count(2)  # the manager and the director
    expect(page.locator("#queue-table")).to_contain_text("Urgent server disk")
    expect(page.locator("svg.chart")).to_have_count(3)  # trend, approvers, weekday × hour
    shoot(page, "approval-analytics")

    page.get_by_label("Priority").select_option("EXPRESS")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"priority=EXPRESS"))
    expect(page.locator(".stat-card", has_text="Raised")).to_contain_text("1")
    expect(page.locator(".stat-card", has_text="Still open")).to_contain_text("1")

    page.get_by_label("Priority").select_option("")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".stat-card", has_text="Raised")).to_contain_text("4")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV of approvers").click()
    rows = list(csv.reader(io.StringIO(open(download_info.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][:3] == ["Approver", "Email", "Decisions"]
    assert {(row[1], row[2]) for row in rows[1:]} == {("manager@royalenfield.com", "3"),
                                                      ("director@royalenfield.com", "1")}
