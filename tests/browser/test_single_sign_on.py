"""Single sign-on in Chromium, through the real OpenID provider's pages: an admin sets it up
on Settings → Sign-in, then people sign in with the button and with their email."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET


def sign_in_at_the_provider(page, idp, email):
    expect(page).to_have_url(re.compile(rf"^{re.escape(idp.issuer)}/interaction/"))
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()


def test_an_admin_sets_it_up_and_people_sign_in_with_it(live_server, committed_demo, browser, person, idp):
    idp.add("okta-0001", "employee@company.com", name="Priya Sharma")
    idp.add("okta-0002", "sam.lee@company.com", name="Sam Lee")

    admin = person("admin@company.com")
    admin.goto(f"{live_server}/settings/sign-in")
    expect(admin.get_by_role("heading", name="Sign-in", exact=True)).to_be_visible()
    expect(admin.locator("#sso-redirect-uri")).to_have_text(f"{live_server}/login/sso/callback")
    admin.get_by_label("Name on the button").fill("Okta")
    admin.get_by_label("Issuer URL").fill(idp.issuer)
    admin.get_by_label("Client ID").fill(CLIENT_ID)
    admin.get_by_label("Client secret").fill(CLIENT_SECRET)
    admin.get_by_label("Email domains").fill("company.com")
    admin.get_by_role("button", name="Save sign-in settings").click()
    expect(admin.locator(".toast")).to_contain_text("Single sign-on with Okta saved.")
    expect(admin.locator("#sso-status")).to_contain_text("0 people have signed in with it")
    expect(admin.get_by_label("Client secret")).to_have_value("")
    shoot(admin, "settings-sign-in")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/")
    expect(page.get_by_role("link", name="Sign in with Okta")).to_be_visible()
    shoot(page, "login-with-sso")
    page.get_by_role("link", name="Sign in with Okta").click()
    sign_in_at_the_provider(page, idp, "employee@company.com")
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="Welcome, Priya")).to_be_visible()
    context.close()

    # Email first: the address's domain picks the provider.
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Use single sign-on").click()
    page.get_by_label("Work email").fill("nobody@elsewhere.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("No single sign-on is set up for elsewhere.example")
    shoot(page, "sso-email-first")
    page.get_by_label("Work email").fill("sam.lee@company.com")
    page.get_by_role("button", name="Continue").click()
    sign_in_at_the_provider(page, idp, "sam.lee@company.com")
    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
    context.close()

    admin.reload()
    expect(admin.locator("#sso-status")).to_contain_text("2 people have signed in with it")


def test_a_refused_sign_in_says_why(live_server, committed_demo, browser, person, idp, app):
    from momoflow.extensions import db
    from tests.sso.helpers import set_up_sso

    idp.add("okta-9", "someone@company.com", verified=False)
    with app.app_context():
        set_up_sso(idp, domains="company.com")
        db.session.commit()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    sign_in_at_the_provider(page, idp, "someone@company.com")
    expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("has not verified your email address")
    shoot(page, "sso-refused")
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()
