"""Headless Chromium through Playwright, using Debian's browser (never a downloaded one)."""

import os
from pathlib import Path

import pytest

from tests.conftest import need

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page, name):
    """test-artifacts/<name>-desktop.png and -phone.png for people to look at (toasts
    dismissed); nothing may scroll sideways at either width."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.querySelectorAll('.toast').forEach(function (toast) { toast.remove(); })")
    for size, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
        # caret="initial": hiding the caret leaves style="" on inputs, which htmx would copy (a CSP report)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{suffix}.png"), full_page=True, caret="initial")
    page.set_viewport_size(DESKTOP)


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    # Script errors and CSP violations; a 4xx answer to a failed form post is expected.
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda message: message.type == "error" and "Failed to load resource" not in message.text
            and page.problems.append(message.text))
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    """Save a screenshot under test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def person(browser, live_server):
    """``person(email)``: a signed-in page of its own (separate cookies) for that person.
    Script errors and CSP violations on any of them fail the test."""
    from playwright.sync_api import expect

    contexts = []

    def sign_in(email):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("console", lambda message: message.type == "error" and "Failed to load resource" not in message.text
                and page.problems.append(message.text))
        page.goto(f"{live_server}/login")
        page.get_by_label("Work email").fill(email)
        page.get_by_label("Password").fill("momoflow-demo")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
        return page

    yield sign_in
    for context in contexts:
        assert context.pages[0].problems == [], "\n".join(context.pages[0].problems)
        context.close()
