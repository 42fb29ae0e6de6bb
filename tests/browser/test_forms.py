"""Forms in a real browser: the error summary lists problems top to bottom as the fields
appear, every invalid field has the same red border (keyed on aria-invalid), and a row's
↑/↓/Remove buttons that cannot apply are disabled, so Tab skips them."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

EMPLOYEE = "employee@company.com"
ADMIN = "admin@company.com"
ERROR_RED = "rgb(180, 35, 24)"  # --error in app.css

INVALID_BORDERS = """Array.from(document.querySelectorAll('[aria-invalid="true"]'))
  .filter(function (field) { return field.type !== "radio" && field.type !== "checkbox"; })
  .map(function (field) { return [field.id, getComputedStyle(field).borderTopColor]; })"""


def test_the_error_summary_follows_the_page(live_server, committed_demo, person):
    page = person(EMPLOYEE)
    page.goto(f"{live_server}/requests/new")
    # A category the server refuses and too many files: the validator checks the category
    # first, the page shows it after the files.
    page.evaluate("""var option = document.createElement("option");
        option.value = "BOGUS"; option.textContent = "Bogus";
        document.getElementById("category").appendChild(option);""")
    page.get_by_label("Category").select_option("BOGUS")
    page.get_by_label("Files").set_input_files(files=[
        {"name": f"note-{n}.txt", "mimeType": "text/plain", "buffer": b"note"} for n in range(11)])
    page.get_by_label("Description").fill("Two monitors.")
    page.get_by_label("Approver email for level 1").fill("not an email")
    page.get_by_label("TAT hours for level 1").fill("-3")
    page.get_by_role("button", name="Submit for approval").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("listitem")).to_have_text([
        "Title is required", re.compile("^Level 1: .*email"), re.compile("^Level 1: TAT"),
        re.compile("^At most 10 files"), re.compile("^Category must be")])
    page.screenshot(path=str(ARTIFACTS / "forms-summary-order.png"), full_page=True)

    # The same red border on a text field, a select and a number.
    borders = dict(page.evaluate(INVALID_BORDERS))
    assert set(borders) >= {"title", "category", "files", "level-r0-email", "level-r0-tat"}
    assert set(borders.values()) == {ERROR_RED}, borders
    summary.get_by_role("link", name="Title is required").click()
    expect(page.get_by_label("Title")).to_be_focused()


def test_invalid_fields_look_the_same_on_other_forms(live_server, committed_demo, person):
    page = person(ADMIN)
    page.goto(f"{live_server}/flows/assign")
    page.get_by_label("Due date").fill("2001-01-01")
    page.get_by_role("button", name="Assign flow").click()
    expect(page.locator("#error-summary")).to_be_focused()
    borders = dict(page.evaluate(INVALID_BORDERS))
    assert "assign-flow" in borders and set(borders.values()) == {ERROR_RED}, borders

    page.goto(f"{live_server}/settings/working-time")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator("#error-summary")).to_be_focused()
    borders = dict(page.evaluate(INVALID_BORDERS))
    assert borders == {"working-timezone": ERROR_RED}, borders


def focus_order(page, start, stop, limit=40):
    """What Tab visits from ``start`` until ``stop`` is focused (outerHTML openings)."""
    start.focus()
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement") is None or stop.evaluate("node => node === document.activeElement"):
            return visited
        visited.append(page.evaluate("document.activeElement.outerHTML.slice(0, 120)"))
    raise AssertionError(f"never reached the stop: {visited}")


def test_tab_skips_row_buttons_that_cannot_apply(live_server, committed_demo, person):
    page = person(EMPLOYEE)
    page.goto(f"{live_server}/requests/new")
    row_buttons = page.locator("#level-rows [data-row-action]")
    expect(row_buttons).to_have_count(4)  # ↑, ↓, Remove, and Remove of the level's only approver
    for button in row_buttons.all():
        expect(button).to_be_disabled()
    visited = focus_order(page, page.get_by_label("Description"), page.get_by_role("button", name="+ Add level"))
    assert visited and not [html for html in visited if "data-row-action" in html], visited

    # Two rows: the first can go down and be removed, the second up and be removed.
    page.get_by_role("button", name="+ Add level").click()
    expect(page.get_by_label("Approver email for level 2")).to_be_focused()
    expect(page.get_by_role("button", name="Move level 1 up")).to_be_disabled()
    expect(page.get_by_role("button", name="Move level 2 down")).to_be_disabled()
    visited = focus_order(page, page.get_by_label("Description"), page.get_by_role("button", name="+ Add level"))
    reachable = [html for html in visited if "data-row-action" in html]
    assert len(reachable) == 4, reachable  # ↓ and Remove of level 1, ↑ and Remove of level 2

    # Moving level 2 up disables the button pressed: focus stays in the row, on one that applies.
    page.get_by_label("Approver email for level 2").fill("manager@royalenfield.com")
    page.get_by_role("button", name="Move level 2 up").click()
    expect(page.get_by_label("Approver email for level 1")).to_have_value("manager@royalenfield.com")
    expect(page.get_by_role("button", name="Move level 1 down")).to_be_focused()
    page.get_by_role("button", name="Remove level 1").click()
    expect(page.get_by_role("button", name="Remove level 1")).to_be_disabled()
