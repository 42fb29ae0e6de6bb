"""A module written in Markdown, previewed in the editor, read by the person it is assigned
to with its video player; a quiz and a sign-off written by an admin, failed then passed and
confirmed by the employee while the admin makes version 2, and the admin's results;
screenshots at desktop and phone widths."""

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
    admin.wait_for_load_state()  # htmx wires the form from DOMContentLoaded
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


def test_a_flow_people_learn_from_while_the_admin_changes_it(live_server, committed_demo, person):
    """The issue's story: Markdown and a quiz written, the flow assigned to a group; the
    employee reads, fails, passes, confirms; the admin restructures the flow meanwhile
    (version 2) and the employee finishes the version they started."""
    admin = person("admin@company.com")
    open_flows_menu(admin, "Manage flows")
    admin.get_by_role("link", name="Edit Security Awareness").click()
    admin.get_by_label("Content of module 1").fill("## Why it matters\n\nA **password manager** makes it easy.")
    admin.get_by_role("button", name="Save changes").click()
    expect(admin.locator(".toast").last).to_contain_text("Security Awareness saved")
    admin.get_by_role("link", name="Edit Security Awareness").click()
    admin.get_by_role("link", name=re.compile("^Quiz and sign-off for")).first.click()
    expect(admin.get_by_role("heading", name="Quiz and sign-off")).to_be_visible()
    admin.get_by_label("Ask people to confirm").check()
    admin.get_by_label("Pass mark (%)").fill("100")
    admin.get_by_label("Question 1", exact=True).fill("What do you do with a suspicious email?")
    admin.get_by_label("Choices for question 1").fill("Open the attachment\n* Report it\nForward it to a friend")
    admin.get_by_role("button", name="+ Add question").click()
    admin.get_by_label("Question 2", exact=True).fill("Which passwords are strong?")
    admin.get_by_label("Choices for question 2").fill("password123\n* a long passphrase\n* a manager's generated one")
    shoot(admin, "quiz-editor")
    admin.get_by_role("button", name="Save quiz and sign-off").click()
    expect(admin.locator(".toast").last).to_contain_text("a quiz of 2 questions, pass mark 100%")
    expect(admin.locator(".module-checks").first).to_contain_text("Quiz, pass mark 100% · people confirm")

    # A local group, then the flow assigned to it and to whoever joins it later.
    admin.goto(f"{live_server}/settings/groups")
    admin.get_by_label("Name").fill("New starters")
    admin.get_by_role("button", name="Create group").click()
    expect(admin.locator(".toast").last).to_be_visible()
    admin.goto(f"{live_server}/settings/groups")
    admin.get_by_role("link", name="New starters").click()
    admin.wait_for_load_state()
    admin.get_by_label("Person's email").fill("employee@company.com")
    admin.get_by_role("button", name="Add to New starters").click()
    expect(admin.locator("#group-members")).to_contain_text("employee@company.com")
    admin.goto(f"{live_server}/flows/manage")
    admin.locator(".flow-admin", has_text="Security Awareness").get_by_role(
        "link", name="Assign Security Awareness").click()
    admin.wait_for_load_state()  # htmx wires the form from DOMContentLoaded
    admin.get_by_label("Or everyone in a group or department").select_option("group:New starters")
    admin.get_by_label("Keep assigning it to people who join").check()
    admin.get_by_label("Due (days after they join)").fill("14")
    shoot(admin, "assign-group")
    admin.get_by_role("button", name="Assign flow").click()
    expect(admin.locator("#assign-results .badge")).to_have_text(["✓ Assigned"])
    expect(admin.locator(".toast").last).to_contain_text("People who join the New starters group later get it too.")

    employee = person("employee@company.com")
    employee.goto(f"{live_server}/my-flows")
    employee.get_by_role("link", name=re.compile("Security Awareness")).first.click()
    employee.get_by_role("button", name="Start flow").click()
    expect(employee.locator(".module-panel__content h4")).to_have_text("Why it matters")
    expect(employee.locator(".module-panel__content strong")).to_have_text("password manager")
    expect(employee.locator("#module-left")).to_contain_text("Pass the quiz to finish this module")
    expect(employee.get_by_role("button", name=re.compile("Mark as done"))).to_have_count(0)
    employee.get_by_label("Open the attachment").check()
    employee.get_by_label("password123").check()
    employee.get_by_role("button", name="Submit answers").click()
    expect(employee.locator("#quiz-last")).to_contain_text("Not passed: 0% (0 of 2 right); you need 100%.")
    shoot(employee, "quiz-failed")
    employee.get_by_label("Report it").check()
    employee.get_by_label("a long passphrase").check()
    employee.get_by_label("a manager's generated one").check()
    employee.get_by_role("button", name="Submit answers").click()
    expect(employee.locator(".quiz .check-result--passed")).to_contain_text("Passed with 100% (2 of 2 right), after 2")
    employee.get_by_role("checkbox", name=re.compile("I have read and understood")).check()
    employee.get_by_role("button", name="Confirm").click()
    expect(employee.locator(".acknowledge .check-result--passed")).to_contain_text("Priya Sharma")
    shoot(employee, "quiz-passed")
    employee.get_by_role("button", name="Mark as done").click()
    expect(employee.locator(".progress__text").first).to_contain_text("1 of 3 modules done")

    # Meanwhile the admin reorders and adds a module: the page says what saving will do.
    admin.goto(f"{live_server}/flows/manage")
    admin.get_by_role("link", name="Edit Security Awareness").click()
    expect(admin.locator("#version-note")).to_contain_text("1 person has started version 1 of this flow.")
    admin.get_by_role("button", name="Move module 3 up").click()
    admin.get_by_role("button", name="+ Add module").click()
    admin.get_by_label("Title of module 4").fill("Working from cafés")
    admin.get_by_label("Minutes for module 4").fill("10")
    shoot(admin, "flow-edit-version-note")
    admin.get_by_role("button", name="Save changes").click()
    expect(admin.locator(".toast").last).to_contain_text("as version 2: people who had started keep version 1")

    # The employee's progress and order stay: version 1's second module is next.
    employee.reload()
    expect(employee.locator(".progress__text").first).to_contain_text("1 of 3 modules done")
    expect(employee.locator("#module-title")).to_have_text("Spotting phishing")
    for title in ("Spotting phishing", "Handling customer data"):
        expect(employee.locator("#module-title")).to_have_text(title)
        employee.get_by_role("button", name="Mark as done").click()
    expect(employee.locator(".progress__text").first).to_contain_text("All 3 modules done")
    shoot(employee, "flow-finished-on-version-1")

    admin.goto(f"{live_server}/flows/manage")
    admin.get_by_role("link", name="Edit Security Awareness").click()
    versions = admin.locator("#version-table tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("Version 2")
    expect(versions.nth(1)).to_contain_text("Version 1")
    expect(versions.nth(1).locator("td").last).to_have_text("1")  # completed
    admin.locator("#versions").scroll_into_view_if_needed()
    shoot(admin, "flow-versions")
    admin.get_by_role("link", name=re.compile("^Results of")).first.click()
    expect(admin.locator("table").first).to_contain_text("Priya Sharma")
    expect(admin.locator("table").nth(1)).to_contain_text("50%")
    shoot(admin, "quiz-results")


def test_a_schedule_edited_and_run_now(live_server, committed_demo, person):
    admin = person("admin@company.com")
    open_flows_menu(admin, "Schedules")
    admin.wait_for_load_state()  # htmx wires the directory search from DOMContentLoaded
    admin.get_by_label("Flow", exact=True).select_option(value="flow_sec101")
    find = admin.get_by_label("Find someone in the directory")
    find.fill("Priya")  # the directory suggests as you type
    expect(admin.locator("#people-options option[value='employee@company.com']")).to_have_count(1)
    find.fill("employee@company.com")
    find.press("Enter")  # adds the address; the form is not sent
    expect(admin.get_by_label("People", exact=True)).to_have_value("employee@company.com")
    expect(find).to_have_value("")
    admin.get_by_role("button", name="Create schedule").click()
    row = admin.locator(".key-row").first
    expect(row).to_contain_text("Every 12 months")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    admin.get_by_label("Find someone in the directory").fill("hr@royalenfield.com")
    admin.get_by_role("button", name="Add to people").click()
    expect(admin.get_by_label("People", exact=True)).to_have_value("employee@company.com\nhr@royalenfield.com")
    admin.get_by_label("Repeat every").fill("6")
    shoot(admin, "schedule-edit")
    admin.get_by_role("button", name="Save changes").click()
    expect(admin.locator(".toast").last).to_contain_text("every 6 months for 2 people, from its next run")
    row = admin.locator(".key-row").first
    row.locator("summary", has_text="Run now").click()
    row.get_by_role("button", name="Run it now").click()
    expect(admin.locator(".toast").last).to_contain_text("Security Awareness assigned to 2 people")
    expect(admin.locator(".key-row").first).to_contain_text("Last run")
    shoot(admin, "schedules-run")


def test_a_file_attached_to_a_module_is_downloaded_by_the_assignee(live_server, committed_demo, person, tmp_path):
    policy = tmp_path / "customer-charter.pdf"
    policy.write_bytes(b"%PDF-1.4\n% the charter\n%%EOF\n")
    admin = person("admin@company.com")
    admin.goto(f"{live_server}/flows/flow_123abc/edit")
    admin.get_by_role("link", name=re.compile("^Files \\(0\\) of")).first.click()
    admin.get_by_label("Files", exact=True).set_input_files(str(policy))
    admin.get_by_role("button", name="Upload").click()
    expect(admin.locator(".toast").last).to_contain_text("customer-charter.pdf attached to")
    expect(admin.locator("#module-file-list")).to_contain_text("customer-charter.pdf")
    shoot(admin, "module-files")
    admin.goto(f"{live_server}/flows/assign?flow=flow_123abc")
    admin.wait_for_load_state()  # htmx wires the form from DOMContentLoaded
    admin.get_by_label("Person's email").fill("employee@company.com")
    admin.get_by_role("button", name="Assign flow").click()
    expect(admin.locator("#assign-results .badge")).to_have_text(["✓ Assigned"])

    employee = person("employee@company.com")
    employee.goto(f"{live_server}/my-flows")
    employee.get_by_role("link", name=re.compile("Customer Onboarding")).first.click()
    employee.get_by_role("button", name="Start flow").click()
    link = employee.locator(".module-files").get_by_role("link", name="customer-charter.pdf")
    with employee.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "customer-charter.pdf"
    assert open(download.value.path(), "rb").read() == policy.read_bytes()
    shoot(employee, "module-files-assignee")
