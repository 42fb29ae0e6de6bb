"""Finding your way in a real browser: admins' Settings entry and its tab bar (API keys and
Webhooks are no longer under Flows), breadcrumbs that link, and the top bar on a phone:
who is signed in, one row of navigation, the unread count beside the bell, not over it."""

import re

import pytest
from playwright.sync_api import expect

from momoflow import jobs
from momoflow.extensions import db
from momoflow.workflows import services
from momoflow.workflows.validation import parse_new_request
from momoflow.webhooks.models import WebhookEndpoint
from momoflow.webhooks.signing import new_secret
from tests.browser.conftest import ARTIFACTS
from tests.notifications.conftest import free_port
from tests.workflows.conftest import simple_request

ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"
PHONE = {"width": 390, "height": 844}
TABS = ["API keys", "Webhooks", "Working time", "Approvals", "Flow reminders", "People", "Groups", "Provisioning", "Sign-in",
        "Templates", "Email preferences", "Out of office"]


@pytest.fixture
def news_for_the_admin(app, committed_demo, monkeypatch):
    """A request waiting for the admin: an unread notification, relayed for real."""
    from momoflow.accounts.services import find_user

    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nobody listens: mail just waits
    with app.app_context():
        services.create_request(find_user(EMPLOYEE), parse_new_request(simple_request(ADMIN, title="New monitors")))
        db.session.commit()
        jobs.run_pending_in_process()
        db.session.remove()


def box(locator):
    return locator.bounding_box()


def overlap(a, b):
    """The area two boxes share."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(width, 0) * max(height, 0)


def tab_names(page):
    return page.get_by_role("navigation", name="Settings pages").get_by_role("link").all_inner_texts()


def test_admins_find_every_settings_page_as_a_tab(live_server, committed_demo, person):
    admin = person(ADMIN)
    admin.locator("summary", has_text="Flows").click()
    menu = admin.locator(".navmenu__list")
    expect(menu.get_by_role("link", name="Assign", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="API keys", exact=True)).to_have_count(0)
    expect(menu.get_by_role("link", name="Webhooks", exact=True)).to_have_count(0)
    admin.keyboard.press("Escape")

    main = admin.get_by_role("navigation", name="Main")
    main.get_by_role("link", name="Settings").click()
    expect(admin.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    expect(main.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
    assert tab_names(admin) == TABS
    for name in TABS:
        admin.get_by_role("navigation", name="Settings pages").get_by_role("link", name=name).click()
        expect(admin.get_by_role("heading", name=name, level=1)).to_be_visible()
        expect(admin.get_by_role("navigation", name="Settings pages").get_by_role("link", name=name)) \
            .to_have_attribute("aria-current", "page")
        expect(main.get_by_role("link", name="Settings")).to_have_attribute("aria-current", re.compile("page|true"))
        assert tab_names(admin) == TABS
        crumbs = admin.get_by_role("navigation", name="Breadcrumb")
        expect(crumbs).to_have_text(re.compile(f"Settings\\s*›?\\s*{name}"))
        expect(crumbs.get_by_role("link", name="Settings")).to_have_attribute("href", "/settings/api-keys")
    admin.screenshot(path=str(ARTIFACTS / "settings-tabs-desktop.png"))
    admin.set_viewport_size(PHONE)
    admin.screenshot(path=str(ARTIFACTS / "settings-tabs-phone.png"))


def test_the_breadcrumb_of_a_webhook_endpoint_links_back(live_server, committed_demo, app, person):
    from momoflow.accounts.services import find_user

    with app.app_context():
        endpoint = WebhookEndpoint(organization_id=find_user(ADMIN).organization_id, secret=new_secret(),
                                   url="https://hr.example.com/hooks/momoflow", enabled=False)
        db.session.add(endpoint)
        db.session.commit()
        url = f"/settings/webhooks/{endpoint.id}"
        db.session.remove()
    admin = person(ADMIN)
    admin.goto(live_server + url)
    crumbs = admin.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("listitem")).to_have_text(["Settings", "Webhooks", "https://hr.example.com/hooks/momoflow"])
    expect(admin.get_by_role("navigation", name="Settings pages").get_by_role("link", name="Webhooks")) \
        .to_have_attribute("aria-current", "true")
    crumbs.get_by_role("link", name="Webhooks").click()
    expect(admin.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    admin.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Settings").click()
    expect(admin.get_by_role("heading", name="API keys", level=1)).to_be_visible()


def test_everyone_else_reaches_email_preferences_from_notifications(live_server, committed_demo, person):
    employee = person(EMPLOYEE)
    main = employee.get_by_role("navigation", name="Main")
    expect(main.get_by_role("link", name="Settings")).to_have_count(0)
    employee.get_by_role("link", name=re.compile("^Notifications")).click()
    employee.get_by_role("link", name="Email preferences").click()
    expect(employee.get_by_role("heading", name="Email preferences", level=1)).to_be_visible()
    expect(employee.get_by_role("navigation", name="Settings pages")).to_have_count(0)
    employee.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Notifications").click()
    expect(employee.get_by_role("heading", name="Notifications", level=1)).to_be_visible()


def test_the_longest_top_bar_with_an_unread_count_fits_a_laptop(live_server, news_for_the_admin, person):
    """An admin's bar (Flows and Settings) with the count beside the bell, at 1280px: the
    name gives way rather than the page scrolling sideways, and the bar stays one row."""
    admin = person(ADMIN)
    admin.set_viewport_size({"width": 1280, "height": 900})
    admin.goto(f"{live_server}/flows/manage")
    expect(admin.locator(".bell__count")).to_have_text("1")
    assert admin.evaluate("document.documentElement.scrollWidth") <= 1280, "the page scrolls sideways"
    menu = box(admin.locator(".usermenu"))
    assert menu["x"] + menu["width"] <= 1280
    nav = box(admin.get_by_role("navigation", name="Main"))
    assert abs(nav["y"] - menu["y"]) < 24, "the navigation wrapped to a row of its own"
    expect(admin.locator(".usermenu__who strong")).to_be_visible()


@pytest.mark.parametrize("width", [390, 360])
def test_the_top_bar_on_a_phone(live_server, news_for_the_admin, person, width):
    admin = person(ADMIN)  # the longest navigation: Flows and Settings too
    admin.set_viewport_size({"width": width, "height": 844})
    admin.goto(f"{live_server}/settings/working-time")
    expect(admin.locator(".bell__count")).to_have_text("1")
    assert admin.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"

    # Who is signed in, on the top row.
    name = admin.locator(".usermenu__who strong")
    expect(name).to_be_visible()
    expect(name).to_have_text("Sam Taylor")
    assert box(name)["width"] >= 40 and box(name)["x"] + box(name)["width"] <= width
    assert abs(box(name)["y"] - box(admin.locator(".brand img"))["y"]) < 24, "not on the brand's row"

    # The navigation is one row that scrolls, never three; where you are is in view.
    nav = admin.get_by_role("navigation", name="Main")
    link_height = box(nav.get_by_role("link", name="Dashboard"))["height"]
    assert box(nav)["height"] <= 2 * link_height
    here = box(nav.get_by_role("link", name="Settings"))
    assert here["x"] >= 0 and here["x"] + here["width"] <= width

    # The unread count sits beside the bell.
    assert overlap(box(admin.locator(".bell__count")), box(admin.locator(".bell__icon"))) == 0
    assert overlap(box(admin.locator(".bell__count")), box(admin.locator(".topbar__new"))) == 0
    admin.screenshot(path=str(ARTIFACTS / f"topbar-phone-{width}.png"), clip={"x": 0, "y": 0, "width": width, "height": 200})

    # The Flows menu opens on screen from the scrolling row, and its links work.
    admin.locator("summary", has_text="Flows").click()
    assign = admin.locator(".navmenu__list").get_by_role("link", name="Assign", exact=True)
    expect(assign).to_be_visible()
    assert 0 <= box(assign)["x"] and box(assign)["x"] + box(assign)["width"] <= width
    admin.screenshot(path=str(ARTIFACTS / f"topbar-phone-{width}-menu.png"), clip={"x": 0, "y": 0, "width": width, "height": 320})
    assign.click()
    expect(admin.get_by_role("heading", name=re.compile("Assign"), level=1)).to_be_visible()
