"""Send back for rework in a real browser: the manager returns a request from its page,
the initiator changes it on the resubmit page (level 2's approver and the title), and
the request page shows round 2 and what changed; the manager then approves round 2."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot as shoot_as

INITIATOR, MANAGER, DIRECTOR, CFO = ("employee@company.com", "manager@royalenfield.com",
                                     "director@royalenfield.com", "cfo@royalenfield.com")
TITLE = "Team offsite budget"


def shoot(page, name):
    shoot_as(page, f"rework-{name}")


def test_send_back_change_and_resubmit(live_server, committed_demo, person):
    initiator = person(INITIATOR)
    initiator.get_by_role("link", name="New request").click()
    initiator.get_by_label("Title").fill(TITLE)
    initiator.get_by_label("Description").fill("Two days in Goa for eight people.")
    initiator.get_by_label("Approver email for level 1").fill(MANAGER)
    initiator.get_by_role("button", name="+ Add level").click()
    initiator.get_by_label("Approver email for level 2").fill(DIRECTOR)
    initiator.get_by_role("button", name="Submit for approval").click()
    expect(initiator.get_by_role("heading", name=TITLE)).to_be_visible()
    request_url = initiator.url

    manager = person(MANAGER)
    manager.goto(request_url)
    manager.get_by_text("Send back for changes…").click()
    manager.get_by_role("button", name=re.compile("^Send back to")).click()
    expect(manager.locator(".field__error").first).to_contain_text("Comments are required to return a request")
    manager.get_by_label("What should change").fill("Please split travel and lodging, and ask the CFO too.")
    shoot(manager, "send-back")
    manager.get_by_role("button", name=re.compile("^Send back to")).click()
    expect(manager.locator(".toast").last).to_contain_text("Sent back to")
    expect(manager.locator(".request-head .badge").first).to_have_text("Returned for changes")

    initiator.goto(request_url)
    returned = initiator.locator("#returned")
    expect(returned).to_contain_text("Sent back to you for changes")
    expect(returned).to_contain_text("split travel and lodging")
    shoot(initiator, "returned")
    returned.get_by_role("link", name="Change and resubmit").click()
    expect(initiator.get_by_role("heading", name="Change and resubmit")).to_be_visible()
    initiator.get_by_label("Title").fill(f"{TITLE} (travel and lodging split)")
    initiator.get_by_label("Approver email for level 2").fill(CFO)
    initiator.get_by_label("A note for the approvers").fill("Split, and the CFO approves level 2.")
    shoot(initiator, "resubmit-form")
    initiator.get_by_role("button", name="Resubmit for approval").click()

    expect(initiator.locator(".request-head")).to_contain_text("Round 2")
    activity = initiator.locator("#activity")
    expect(activity).to_contain_text("resubmitted the request")
    expect(activity.locator(".changes")).to_contain_text("travel and lodging split")
    expect(activity.locator(".changes")).to_contain_text("Level 2")
    shoot(initiator, "round-2")

    manager.goto(request_url)
    manager.get_by_role("button", name="Approve").click()
    expect(manager.locator(".toast").last).to_contain_text("moves on to level 2")
    cfo = person(CFO)
    cfo.goto(request_url)
    cfo.get_by_role("button", name="Approve").click()
    expect(cfo.locator(".toast").last).to_contain_text("fully approved")
    cfo.locator(".timeline__item").nth(0).get_by_text(re.compile("Earlier rounds")).click()
    expect(cfo.locator(".earlier-rounds").first).to_contain_text("Sent back for changes")
    shoot(cfo, "approved")
