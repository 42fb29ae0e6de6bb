"""Settings → API keys in a real browser: an admin makes a key for a reporting system with two
scopes and an expiry, after the page has refused a day in the past and no scope at all; the
list shows its scopes as badges, "Never used" and when it expires; the key reads but cannot
assign, and the list then says where it was last used from."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

from playwright.sync_api import expect

from momoflow.database import utcnow
from tests.browser.conftest import shoot

ADMIN = "admin@company.com"


def call(url, secret, body=None):
    """``(status, JSON body)`` of a /v1 call with ``secret``."""
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {secret}",
                                              "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_an_admin_makes_a_scoped_key_with_an_expiry(live_server, committed_demo, person):
    admin = person(ADMIN)
    admin.goto(f"{live_server}/settings/api-keys")
    scopes = admin.get_by_role("group", name="Scopes")
    for scope in ("flows:assign", "flows:read", "reports:read", "schedules:write"):
        expect(scopes.get_by_role("checkbox", name=scope)).to_be_checked()

    admin.get_by_label("Name").fill("Payroll reports")
    for scope in ("flows:assign", "flows:read", "reports:read", "schedules:write"):
        scopes.get_by_role("checkbox", name=scope).uncheck()
    admin.get_by_label("Expires on").fill("2020-01-31")
    admin.get_by_role("button", name="Generate New Key").click()
    expect(admin.locator("#key-scopes-error")).to_have_text("Choose at least one scope")
    expect(admin.locator("#key-expires-error")).to_have_text("Expiry must be a date in the future")
    expect(admin.get_by_label("Name")).to_have_value("Payroll reports")
    shoot(admin, "api-keys-refused")

    in_twelve_days = (utcnow() + timedelta(days=12, hours=12)).date()
    admin.get_by_label("Expires on").fill(in_twelve_days.isoformat())
    scopes.get_by_role("checkbox", name="flows:read").check()
    scopes.get_by_role("checkbox", name="reports:read").check()
    admin.get_by_role("button", name="Generate New Key").click()
    expect(admin.locator("#new-key")).to_be_focused()
    secret = admin.locator("#new-key-value").text_content()
    row = admin.locator(".key-row", has_text="Payroll reports")
    expect(row.locator(".badge--scope")).to_have_text(["flows:read", "reports:read"])
    expect(row).to_contain_text("Never used")
    expect(row).to_contain_text("Expires in 12 days")
    expect(row.locator(".badge--key-active")).to_have_text("Active")
    shoot(admin, "api-keys-scoped")

    assert call(f"{live_server}/v1/flows", secret)[0] == 200
    assert call(f"{live_server}/v1/flows/assign", secret, {"flowId": "flow_123abc",
                                                          "userEmail": "employee@company.com"}) == (
        403, {"error": "forbidden", "message": "This API key lacks the flows:assign scope"})
    admin.reload()
    expect(admin.locator(".key-row", has_text="Payroll reports")).to_contain_text(
        "Last used less than a minute ago from 127.0.0.1")
