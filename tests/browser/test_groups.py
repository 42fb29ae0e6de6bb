"""Settings → Groups in Chromium: an admin creates a local group, adds people with the
directory's suggestions, removes one after confirming, and the list counts them."""

from playwright.sync_api import expect

from tests.browser.conftest import shoot

ADMIN = "admin@company.com"


def test_an_admin_keeps_a_group_of_approvers(committed_demo, person, live_server):
    page = person(ADMIN)
    page.goto(f"{live_server}/settings/groups")
    page.get_by_label("Name").fill("finance-approvers")
    page.get_by_label("Description").fill("Approve purchases over 10,000")
    page.get_by_role("button", name="Create group").click()
    expect(page.locator(".toast").last).to_be_visible()

    page.goto(f"{live_server}/settings/groups")
    page.get_by_role("link", name="finance-approvers").click()
    expect(page.get_by_role("heading", name="finance-approvers", level=1)).to_be_visible()
    page.wait_for_load_state()  # htmx listens from DOMContentLoaded: typing earlier is not heard
    email = page.get_by_label("Person's email")
    email.fill("financ")
    expect(page.locator('#people-options option[value="finance-manager@royalenfield.com"]')).to_have_count(1)
    for address in ("finance-manager@royalenfield.com", "finance@royalenfield.com", "cfo@royalenfield.com"):
        page.get_by_label("Person's email").fill(address)
        page.get_by_role("button", name="Add to finance-approvers").click()
        expect(page.locator("#group-members")).to_contain_text(address)
    member = page.locator("#group-members li", has_text="cfo@royalenfield.com")
    member.locator("summary").click()
    member.get_by_role("button", name="Remove Rajesh Iyer").click()
    expect(page.locator("#group-members")).not_to_contain_text("cfo@royalenfield.com")
    shoot(page, "groups-group")

    page.goto(f"{live_server}/settings/groups")
    expect(page.locator("tr", has_text="finance-approvers")).to_contain_text("2 members")
    shoot(page, "groups-list")
