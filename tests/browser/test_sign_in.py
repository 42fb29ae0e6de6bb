"""A person signs in with a real browser and sees the dashboard."""

import re

from playwright.sync_api import expect


def test_sign_in_and_out_in_chromium(live_server, committed_demo, page, screenshot):
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot("login")

    page.get_by_label("Work email").fill("employee@company.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Invalid email or password")
    screenshot("login-error")

    page.get_by_label("Password").fill("momoflow-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", name="Welcome, Priya")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Welcome, Priya Sharma.")
    expect(page.get_by_text("Customer Success Associate")).to_be_visible()
    screenshot("dashboard")

    # No CSP violations or script errors on the way.
    assert page.problems == []
    assert page.evaluate("typeof htmx") == "object"

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")


def test_dashboard_on_a_phone(live_server, committed_demo, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Work email").fill("admin@company.com")
    page.get_by_label("Password").fill("momoflow-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    page.screenshot(path="test-artifacts/dashboard-phone.png", full_page=True)
    context.close()


def test_sign_out_everywhere_from_the_account_menu(live_server, committed_demo, page, screenshot):
    page.goto(f"{live_server}/login")
    page.get_by_label("Work email").fill("admin@company.com")
    page.get_by_label("Password").fill("momoflow-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Sam")).to_be_visible()

    page.locator("summary", has_text="Account menu").click()
    screenshot("account-menu")
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("status")).to_contain_text("You have signed out everywhere")
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=/"))
    assert page.problems == []
