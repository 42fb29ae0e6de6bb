"""A request's whole life in a real browser: raised with three levels, a file and a
spectator on the New request page; approved level by level from each approver's inbox;
a second request rejected with a comment; the spectator follows and comments but can
neither decide nor download."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def decide_in_inbox(page, title, decision, comment=None):
    page.get_by_role("link", name=re.compile(r"^Inbox")).click()
    item = page.locator(".inbox-item", has=page.get_by_role("link", name=title))
    if comment:
        item.get_by_label("Comment").fill(comment)
    item.get_by_role("button", name=decision).click()
    expect(item).to_have_count(0)
    return page.locator(".toast").last


def test_a_request_from_creation_to_approval(live_server, committed_demo, person):
    initiator = person("employee@company.com")
    initiator.get_by_role("link", name="New request").click()
    expect(initiator.get_by_role("heading", name="New request")).to_be_visible()
    initiator.get_by_label("Title").fill("Laptops for the support team")
    initiator.get_by_label("Description").fill("Two laptops; the quotation is attached.")
    initiator.get_by_label("Express").check()

    # The directory suggests people as you type.
    initiator.get_by_label("Approver email for level 1").fill("manag")
    expect(initiator.locator('#people-options option[value="manager@royalenfield.com"]')).to_have_count(1)
    initiator.get_by_label("Approver email for level 1").fill("manager@royalenfield.com")
    initiator.get_by_role("button", name="+ Add level").click()
    initiator.get_by_label("Approver email for level 2").fill("cfo@royalenfield.com")
    initiator.get_by_label("TAT hours for level 2").fill("72")
    initiator.get_by_role("button", name="+ Add level").click()
    expect(initiator.get_by_label("Approver email for level 3")).to_be_focused()
    initiator.get_by_label("Approver email for level 3").fill("director@royalenfield.com")
    initiator.get_by_label("TAT hours for level 3").fill("48")
    initiator.get_by_role("button", name="Move level 3 up").click()  # the director decides before the CFO
    expect(initiator.get_by_label("Approver email for level 2")).to_have_value("director@royalenfield.com")
    initiator.get_by_role("button", name="+ Add spectator").click()
    initiator.get_by_label("Spectator email 1").fill("spectator@royalenfield.com")
    initiator.get_by_label("Files").set_input_files(
        files=[{"name": "quotation.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    initiator.get_by_label("Category").select_option("QUOTATION")
    initiator.get_by_role("button", name="Submit for approval").click()

    expect(initiator.get_by_role("heading", name="Laptops for the support team")).to_be_visible()
    expect(initiator.locator(".toast")).to_contain_text("created and sent to level 1")
    levels = initiator.locator(".timeline__item h3")
    expect(levels).to_have_text(["Level 1 · Manager Approval", "Level 2 · Director Approval",
                                 "Level 3 · Chief Financial Officer Approval"])
    download_url = initiator.get_by_role("link", name="quotation.pdf").get_attribute("href")
    request_url = initiator.url
    ARTIFACTS.mkdir(exist_ok=True)
    initiator.screenshot(path=str(ARTIFACTS / "lifecycle-created.png"), full_page=True)

    # A second request, to be rejected.
    initiator.get_by_role("link", name="New request").click()
    initiator.get_by_label("Title").fill("Team offsite in Goa")
    initiator.get_by_label("Description").fill("Three days for twelve people.")
    initiator.get_by_label("Approver email for level 1").fill("manager@royalenfield.com")
    initiator.get_by_role("button", name="Submit for approval").click()
    expect(initiator.get_by_role("heading", name="Team offsite in Goa")).to_be_visible()

    manager = person("manager@royalenfield.com")
    expect(manager.locator("#inbox-badge")).to_have_text("2 waiting")
    toast = decide_in_inbox(manager, "Laptops for the support team", "Approve")
    expect(toast).to_contain_text("moves on to level 2")
    item = manager.locator(".inbox-item", has=manager.get_by_role("link", name="Team offsite in Goa"))
    item.get_by_role("button", name="Reject").click()
    expect(item.get_by_text("Comments are required to reject a level")).to_be_visible()
    expect(item.get_by_label("Comment")).to_be_focused()
    toast = decide_in_inbox(manager, "Team offsite in Goa", "Reject", comment="Not this quarter, sorry.")
    expect(toast).to_contain_text("You rejected")
    expect(manager.get_by_text("You're all caught up.")).to_be_visible()
    expect(manager.locator("#inbox-badge")).to_be_hidden()

    director = person("director@royalenfield.com")
    expect(decide_in_inbox(director, "Laptops for the support team", "Approve")).to_contain_text("level 3")
    cfo = person("cfo@royalenfield.com")
    expect(decide_in_inbox(cfo, "Laptops for the support team", "Approve")).to_contain_text("fully approved")

    initiator.get_by_role("link", name="My requests").click()
    rows = initiator.locator(".request-row")
    expect(rows.filter(has_text="Laptops for the support team").locator(".badge").first).to_have_text("Approved")
    expect(rows.filter(has_text="Team offsite in Goa").locator(".badge").first).to_have_text("Rejected")
    initiator.get_by_role("link", name="Team offsite in Goa").click()
    expect(initiator.get_by_text("Not this quarter, sorry.").first).to_be_visible()

    spectator = person("spectator@royalenfield.com")
    spectator.get_by_role("link", name="Watching").click()
    spectator.get_by_role("link", name="Laptops for the support team").click()
    expect(spectator).to_have_url(request_url)
    expect(spectator.locator(".request-head .badge").first).to_have_text("Approved")
    expect(spectator.get_by_role("button", name="Approve")).to_have_count(0)
    expect(spectator.get_by_text("quotation.pdf", exact=True)).to_be_visible()
    expect(spectator.get_by_role("link", name="quotation.pdf")).to_have_count(0)
    expect(spectator.get_by_text("cannot download them")).to_be_visible()
    spectator.get_by_label("Add a comment").fill("Thanks, noted for the budget review.")
    spectator.get_by_role("button", name="Post comment").click()
    expect(spectator.locator("#comment-list .comment").last).to_contain_text("Thanks, noted for the budget review.")
    expect(spectator.get_by_label("Add a comment")).to_have_value("")
    assert spectator.request.get(f"{live_server}{download_url}").status == 403
    assert initiator.request.get(f"{live_server}{download_url}").body() == PDF
    spectator.screenshot(path=str(ARTIFACTS / "lifecycle-spectator.png"), full_page=True)
