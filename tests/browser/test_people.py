"""Settings → People in Chromium: Load more appends table rows, Deactivate asks first and
redraws its row with a toast, the table becomes cards on a phone. Screenshots land in
test-artifacts/people-*.png."""

import re

from playwright.sync_api import expect

from momoflow.accounts.models import Absence, Role
from momoflow.database import utcnow
from momoflow.extensions import db
from tests.accounts.people_data import make_request, make_task
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_user

ADMIN = "admin@company.com"
MANAGER = "manager@royalenfield.com"


def _more_people(app):
    """Ten more people (so there is a second page), a manager, an absence and waiting tasks."""
    from datetime import timedelta

    from momoflow.accounts.services import find_user

    with app.app_context():
        admin, manager = find_user(ADMIN), find_user(MANAGER)
        for number in range(10):
            make_user(admin.organization, email=f"zed{number}@company.com", display_name=f"Zed Person {number}")
        find_user("employee@company.com").manager_id = manager.id
        db.session.add(Absence(organization_id=admin.organization_id, user_id=manager.id,
                               delegate_id=find_user("director@royalenfield.com").id,
                               starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() + timedelta(days=4)))
        request = make_request(find_user("employee@company.com"), "REQ-2026-12-0001")
        make_task(request, manager, 1)
        make_task(request, manager, 2, due_in_hours=None)
        make_user(admin.organization, email="second-admin@company.com", role=Role.ADMIN, display_name="Bea Admin")
        db.session.commit()
        db.session.remove()


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_people_page_load_more_deactivate_and_phone_cards(app, committed_demo, person, live_server):
    _more_people(app)
    page = person(ADMIN)
    page.goto(f"{live_server}/settings/people")
    rows = page.locator("#people-list > tr")
    expect(rows).to_have_count(25)
    page.get_by_role("link", name="Load more").click()
    expect(rows).to_have_count(32)
    expect(page.get_by_role("link", name="Load more")).to_have_count(0)
    manager_row = page.locator("tr", has=page.get_by_text(MANAGER, exact=True))
    expect(manager_row).to_contain_text("Kavita Rao stands in")
    expect(manager_row).to_contain_text("2 waiting")
    shoot(page, "people-desktop")

    manager_row.get_by_text("Deactivate").first.click()  # opens the confirmation
    manager_row.get_by_role("button", name="Deactivate Arjun Mehta").click()
    expect(page.locator("#toasts, .toast").first).to_contain_text("Arjun Mehta is deactivated")
    expect(manager_row.get_by_role("button", name="Reactivate Arjun Mehta")).to_be_visible()
    expect(manager_row).to_contain_text("Deactivated")
    expect(manager_row.locator(".person-row__count")).to_contain_text("None")  # his tasks moved on
    shoot(page, "people-after-deactivate")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/settings/people?q=royalenfield")
    expect(page.locator("#people-list > tr").first).to_be_visible()
    shoot(page, "people-phone")
    # Deactivating Arjun sent his two tasks to Kavita, who stands in for him.
    page.get_by_role("link", name=re.compile(r"^2 waiting\s*: the waiting tasks of Kavita Rao$")).click()
    expect(page.get_by_role("heading", name="Waiting tasks of Kavita Rao")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    shoot(page, "people-tasks-phone")
    assert page.problems == []
