"""Settings → Provisioning in a real browser: a token made and shown once, then an identity
provider's SCIM call listed among the latest changes; screenshots at desktop and phone."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot


def test_an_admin_connects_an_identity_provider(live_server, committed_demo, person):
    admin = person("admin@company.com")
    admin.goto(f"{live_server}/settings/provisioning")
    expect(admin.locator("#scim-base-url")).to_have_text(re.compile(r"/scim/v2$"))
    admin.get_by_label("Name").fill("Okta")
    admin.get_by_role("button", name="Make a token").click()
    secret = admin.locator("#new-token-value").inner_text()
    assert secret.startswith("mf_scim_")
    created = admin.request.post(f"{live_server}/scim/v2/Users", headers={"Authorization": f"Bearer {secret}"},
                                 data={"userName": "browser.hire@company.com", "displayName": "Browser Hire"})
    assert created.status == 201
    shoot(admin, "settings-provisioning-token")
    admin.goto(f"{live_server}/settings/provisioning")
    expect(admin.locator("#scim-changes")).to_contain_text("Created browser.hire@company.com")
    expect(admin.locator("#token-list")).to_contain_text("Okta")
    shoot(admin, "settings-provisioning")
