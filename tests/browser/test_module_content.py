"""A module written in Markdown, previewed in the editor, read by the person it is assigned
to with its video player; screenshots at desktop and phone widths."""

import re

from playwright.sync_api import expect

from tests.browser.test_flow_lifecycle import open_flows_menu, shoot

BODY = """## Before your first call

Read the **customer charter** first. Then:

- listen before you answer
- write down what you promised

https://www.youtube.com/watch?v=dQw4w9WgXcQ

The [support handbook](https://intranet.example.com/handbook) has the rest. <script>alert(1)</script>"""


def fake_player(page):
    """The test machine has no internet: the player's frame gets a stand-in page."""
    page.route(re.compile(r"^https://www\.youtube-nocookie\.com/"),
               lambda route: route.fulfill(status=200, content_type="text/html",
                                           body="<body style='background:#111;color:#eee'>video player</body>"))


def test_an_admin_writes_markdown_and_the_assignee_reads_it(live_server, committed_demo, person):
    admin = person("admin@company.com")
    fake_player(admin)
    open_flows_menu(admin, "Manage flows")
    admin.get_by_role("link", name="Edit Customer Onboarding").click()
    admin.get_by_label("Content of module 1").fill(BODY)
    admin.get_by_role("button", name="Preview module 1").click()
    preview = admin.locator("#module-rows li").first.locator(".module-preview__body")
    expect(preview.locator("h4")).to_have_text("Before your first call")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.locator("iframe")).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    shoot(admin, "module-content-preview")
    admin.get_by_role("button", name="Save changes").click()
    expect(admin.locator(".toast").last).to_contain_text("Customer Onboarding")

    admin.locator(".flow-admin", has_text="Customer Onboarding").get_by_role(
        "link", name="Assign Customer Onboarding").click()
    admin.get_by_label("Person's email").fill("employee@company.com")
    admin.get_by_role("button", name="Assign flow").click()
    expect(admin.locator("#assign-results .badge")).to_have_text(["✓ Assigned"])

    employee = person("employee@company.com")
    fake_player(employee)
    employee.goto(f"{live_server}/my-flows")
    employee.get_by_role("link", name=re.compile("Customer Onboarding")).first.click()
    employee.get_by_role("button", name="Start flow").click()
    body = employee.locator(".module-panel__content")
    expect(body.locator("h4")).to_have_text("Before your first call")
    expect(body.locator("strong")).to_have_text("customer charter")
    expect(body.locator(".video iframe")).to_have_attribute("title", re.compile("^Video: https://www.youtube.com/"))
    expect(body.get_by_role("link", name="support handbook")).to_have_attribute("target", "_blank")
    expect(body).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    expect(employee.frame_locator(".video iframe").locator("body")).to_have_text("video player")
    shoot(employee, "module-content-read")
