"""Settings → Webhooks in Chromium, against a real receiver on 127.0.0.1: an admin adds an
endpoint, edits it (a refused URL first), sends a test event and sees it in the log,
rotates the secret (shown once), and deletes the endpoint."""

import re

from playwright.sync_api import expect

from tests.background.services import wait_for
from tests.browser.conftest import shoot
from tests.webhooks.receiver import receiver  # noqa: F401  (fixture)

ADMIN = "admin@company.com"


def test_an_admin_edits_tests_rotates_and_deletes_an_endpoint(committed_demo, person, live_server, receiver):
    page = person(ADMIN)
    page.goto(f"{live_server}/settings/webhooks")
    page.wait_for_load_state()
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_role("button", name="Add Endpoint").click()
    receiver.secret = page.locator("#new-secret-value").inner_text().strip()
    page.get_by_role("link", name="Open the endpoint's deliveries").click()
    expect(page.get_by_role("heading", name=receiver.url, level=1)).to_be_visible()
    page.wait_for_load_state()

    details = page.locator("#endpoint-details")
    details.get_by_label("Endpoint URL").fill("http://10.0.0.1/hooks")
    details.get_by_role("button", name="Save endpoint").click()
    expect(page.locator("#endpoint-url-error")).to_have_text("This URL cannot be used: 10.0.0.1 is a private address")
    shoot(page, "webhook-edit-refused")
    edited = receiver.url.replace("/momoflow", "/edited")
    page.locator("#endpoint-details").get_by_label("Endpoint URL").fill(edited)
    page.locator("#endpoint-details").get_by_label("Description").fill("Workday sync")
    page.locator("#endpoint-details").get_by_role("button", name="Save endpoint").click()
    expect(page.locator(".toast", has_text="Endpoint saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=edited, level=1)).to_be_visible()
    expect(page.locator("#endpoint-head")).to_contain_text("Workday sync")

    page.get_by_role("button", name="Send test event").click()
    expect(page.locator(".toast", has_text="webhook.test queued")).to_be_visible()
    expect(page.locator("#delivery-list li")).to_have_count(1)
    expect(page.locator("#delivery-list")).to_contain_text("webhook.test")
    expect(page.locator("#no-deliveries")).to_be_hidden()
    [test] = wait_for(lambda: receiver.received("webhook.test"), timeout=10, what="the test event")
    assert test.verified and test.path == "/hooks/edited"
    page.reload()
    expect(page.locator("#delivery-list li").first).to_contain_text("Delivered")
    shoot(page, "webhook-endpoint")

    page.locator("#endpoint-secret summary").click()
    page.get_by_role("button", name="Rotate the signing secret").click()
    expect(page.locator(".toast", has_text="Secret rotated.")).to_be_visible()
    new = page.locator("#new-secret-value").inner_text().strip()
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]+", new) and new != receiver.secret
    expect(page.locator("#previous-secret")).to_contain_text("Previous secret valid until")
    shoot(page, "webhook-rotated")
    page.reload()
    expect(page.locator("#previous-secret")).to_be_visible()
    expect(page.locator("#new-secret-value")).to_have_count(0)  # shown once

    page.get_by_role("button", name="Send test event").click()
    expect(page.locator("#delivery-list li")).to_have_count(2)
    receiver.secret = new
    second = wait_for(lambda: receiver.received("webhook.test")[1:], timeout=10, what="the second test event")[0]
    assert second.verified and len(second.headers["webhook-signature"].split()) == 2  # the old one signs too

    page.locator("summary", has_text="Delete…").click()
    page.get_by_role("button", name="Delete this endpoint").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    expect(page.locator(".toast", has_text="deleted")).to_be_visible()
    expect(page.locator("#endpoint-list")).to_have_count(0)
    expect(page.get_by_text("Deleted endpoints' logs are kept for 30 days.")).to_be_visible()
    shoot(page, "webhooks-after-delete")
