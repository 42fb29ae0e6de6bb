"""Settings → Templates in Chromium: an admin builds a template in the editor (a field, a
level with a condition), sees a refusal next to its input, saves, and finds it listed;
every input has a label, and each rule shows only its own inputs. Screenshots land in
test-artifacts/templates-*.png."""

from playwright.sync_api import expect

from tests.browser.conftest import shoot

ADMIN = "admin@company.com"

UNLABELLED = """() => Array.from(document.querySelectorAll(
    'form.template-editor :is(input:not([type=hidden]), select, textarea)'))
    .filter((input) => input.labels.length === 0).map((input) => input.name)"""


def test_an_admin_builds_a_template_in_the_editor(committed_demo, person, live_server):
    page = person(ADMIN)
    page.goto(f"{live_server}/settings/templates")
    expect(page.get_by_text("No templates yet.")).to_be_visible()
    page.get_by_role("link", name="Create your first template").click()
    expect(page.get_by_role("heading", name="New template", level=1)).to_be_visible()

    page.get_by_label("Name", exact=True).fill("Laptop purchase")
    page.get_by_label("Category").fill("IT")
    page.get_by_role("button", name="+ Add field").click()
    page.get_by_label("Label of field 1").fill("Amount")
    page.get_by_label("Type of field 1").select_option("AMOUNT")
    expect(page.get_by_label("Currency of field 1")).to_be_visible()
    expect(page.get_by_label("Options of field 1")).to_be_hidden()
    page.get_by_label("Currency of field 1").fill("INR")
    page.get_by_label("Smallest of field 1").fill("0")

    page.get_by_role("button", name="+ Add level").click()
    expect(page.get_by_label("Key of field 1")).to_have_value("amount")  # made from the label
    expect(page.get_by_label("Approvers' emails of level 1")).to_be_hidden()  # the manager: no emails
    page.get_by_label("Level name of level 2").fill("Finance")
    page.get_by_label("Approver rule of level 2").select_option("PEOPLE")
    expect(page.get_by_label("Approvers' emails of level 2")).to_be_visible()
    expect(page.get_by_label("Group name of level 2")).to_be_hidden()
    page.get_by_label("Approvers' emails of level 2").fill("cfo@royalenfield.com")
    page.get_by_role("button", name="+ Add condition of level 2").click()
    page.get_by_label("Field of condition 1 of level 2").select_option("amount")
    page.get_by_label("Test of condition 1 of level 2").select_option("is empty")
    expect(page.get_by_label("Value of condition 1 of level 2")).to_be_hidden()  # nothing to compare with
    page.get_by_label("Test of condition 1 of level 2").select_option(">")
    page.get_by_label("Value of condition 1 of level 2").fill("50000")
    assert page.evaluate(UNLABELLED) == []

    # Level 1 has no name yet: refused, shown next to it, everything typed kept.
    page.get_by_role("button", name="Create template").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem with this template")
    expect(page.get_by_role("link", name="Level 1: Level name is required")).to_have_attribute(
        "href", "#tpl-levels-0-name")
    expect(page.locator("#tpl-levels-0-name-error")).to_have_text("Level name is required")
    expect(page.get_by_label("Value of condition 1 of level 2")).to_have_value("50000")
    shoot(page, "templates-editor-refused")
    page.get_by_label("Level name of level 1").fill("Manager")
    shoot(page, "templates-editor")
    page.get_by_role("button", name="Create template").click()

    expect(page.get_by_role("heading", name="Request templates")).to_be_visible()
    expect(page.locator(".toast")).to_contain_text("Template 'Laptop purchase' created as version 1.")
    row = page.locator(".template-admin", has=page.get_by_role("link", name="Laptop purchase"))
    expect(row).to_contain_text("IT")
    expect(row.locator("dd").nth(1)).to_have_text("1")  # fields
    expect(row.locator("dd").nth(2)).to_have_text("2")  # levels
    shoot(page, "templates-list")

    row.get_by_role("link", name="Edit Laptop purchase").click()
    expect(page.get_by_text("Saving creates version 2; requests raised with version 1 keep it.")).to_be_visible()
    expect(page.get_by_label("Value of condition 1 of level 2")).to_have_value("50000")
    shoot(page, "templates-edit")

    # Archive asks first; the template moves to Archived, where Restore brings it back.
    page.get_by_role("link", name="Templates", exact=True).first.click()
    page.locator("summary", has_text="Archive").click()
    page.get_by_role("button", name="Archive Laptop purchase").click()
    expect(page.locator(".toast")).to_contain_text("'Laptop purchase' archived")
    archived = page.locator("#archived-templates")
    expect(archived).to_contain_text("Laptop purchase")
    expect(page.get_by_text("No active templates.")).to_be_visible()
    shoot(page, "templates-list-archived")
    archived.get_by_role("button", name="Restore Laptop purchase").click()
    expect(page.locator("#template-list")).to_contain_text("Laptop purchase")
