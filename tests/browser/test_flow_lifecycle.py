"""A flow's whole life in a real browser: an admin generates an API key in Settings; the
seed's cURL call, run as written with that key, assigns flow_123abc to the employee;
she works through its five modules in My flows; the admin's overview shows it
completed. On the way: the flow editor's rows and the Assign page's per-person
results, with screenshots of every flow page at desktop and phone widths."""

import json
import re
import shutil
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
SEED_NAME = "000_85d07220839b9ac1.txt"
SEED_URL = "https://api.momoflow.com"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MODULES = ["Welcome to the team", "Our products", "Customer journey", "Support tools", "Your first customer call"]


def seed_curl():
    """The cURL example of the flow assignment seed, exactly as the document has it."""
    seed = next(path for path in (ROOT / "docs" / "seeds" / SEED_NAME, ROOT.parent / "shared" / "seeds" / SEED_NAME)
                if path.exists())
    section = seed.read_text(encoding="utf-8").split("### cURL", 1)[1]
    return re.search(r"```bash\n(.*?)```", section, re.S).group(1)


def shoot(page, name):
    """Screenshots at desktop and phone widths (toasts dismissed); nothing may scroll sideways."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.querySelectorAll('.toast').forEach(function (toast) { toast.remove(); })")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
    # caret="initial": hiding the caret leaves style="" on inputs, which htmx would copy (a CSP report)
    page.screenshot(path=str(ARTIFACTS / f"flows-{name}-desktop.png"), full_page=True, caret="initial")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name} scrolls sideways"
    page.screenshot(path=str(ARTIFACTS / f"flows-{name}-phone.png"), full_page=True, caret="initial")
    page.set_viewport_size(DESKTOP)


def open_flows_menu(page, item):
    page.locator("summary", has_text="Flows").click()
    page.get_by_role("link", name=item, exact=True).click()


def open_settings(page, tab):
    """API keys and Webhooks live under Settings (admins), each a tab."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings pages").get_by_role("link", name=tab).click()


def test_a_flow_from_api_key_to_completion(live_server, committed_demo, person):
    need(shutil.which("curl"), "curl is not installed")
    admin = person("admin@company.com")
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)

    # Settings → API Keys → Generate New Key: shown once, with a copy button.
    open_settings(admin, "API keys")
    expect(admin.get_by_role("heading", name="API keys")).to_be_visible()
    expect(admin.get_by_text("No API keys yet.")).to_be_visible()
    admin.get_by_label("Name").fill("HR system")
    admin.get_by_role("button", name="Generate New Key").click()
    expect(admin.locator("#new-key")).to_be_focused()
    expect(admin.locator("#new-key-warning")).to_contain_text("It won't be shown again")
    secret = admin.locator("#new-key-value").text_content()
    assert re.fullmatch(r"mf_live_[0-9A-Za-z]{38}", secret)
    admin.get_by_role("button", name="Copy key").click()
    expect(admin.locator("#new-key-value-status")).to_have_text(re.compile("Copied|selected"))
    if "Copied" in admin.locator("#new-key-value-status").text_content():
        assert admin.evaluate("navigator.clipboard.readText()") == secret
    expect(admin.locator(".key-row")).to_have_count(1)
    expect(admin.locator(".key-row")).to_contain_text(f"{secret[:12]}…")
    shoot(admin, "api-keys")

    # The seed's cURL call, as written, with the key and this server.
    command = seed_curl().replace(SEED_URL, live_server).replace("YOUR_SECRET_KEY", secret)
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["message"] == "Flow assigned successfully" and answer["details"]["moduleCount"] == 5, answer
    assignment_id = answer["assignmentId"]

    admin.reload()  # the secret is gone for good; the key shows it was used
    expect(admin.get_by_role("heading", name="API keys")).to_be_visible()
    assert secret not in admin.content()
    expect(admin.locator(".key-row")).to_contain_text("Last used less than a minute ago from 127.0.0.1")

    # The employee finds it in My flows (the seed's due date is past: overdue) and works through it.
    employee = person("employee@company.com")
    expect(employee.locator("#your-flows")).to_contain_text("Customer Onboarding")
    shoot(employee, "dashboard")
    employee.get_by_role("link", name="My flows").click()
    card = employee.locator(".flow-card", has_text="Customer Onboarding")
    expect(card).to_contain_text("Overdue")
    expect(card).to_contain_text("0 of 5 modules done")
    shoot(employee, "my-flows")
    card.get_by_role("link", name="Start Customer Onboarding").click()
    expect(employee).to_have_url(f"{live_server}/my-flows/{assignment_id}")
    expect(employee.get_by_text("Please complete this onboarding flow before the team meeting")).to_be_visible()
    employee.get_by_role("button", name="Start flow").click()
    for number, title in enumerate(MODULES, start=1):
        heading = employee.get_by_role("heading", name=title, exact=True)
        expect(heading).to_be_focused()
        expect(employee.locator(".module-panel__step")).to_contain_text(f"Module {number} of 5")
        if number == 3:
            expect(employee.locator(".progress__text").first).to_have_text("2 of 5 modules done · 40%")
            shoot(employee, "in-progress")
        employee.get_by_role("button", name=re.compile("^Mark as done")).click()
        if number < 5:
            expect(employee.locator(".progress__text").first).to_have_text(re.compile(f"^{number} of 5"))
    expect(employee.get_by_role("heading", name="Flow completed")).to_be_focused()
    expect(employee.locator(".toast").last).to_contain_text("Flow completed!")
    expect(employee.locator(".workspace__badges .badge").first).to_have_text("Completed")
    shoot(employee, "completed")
    employee.get_by_role("link", name="Back to My flows").click()
    expect(employee.locator("#done-flows")).to_contain_text("All 5 modules done · 100%")

    # The admin's overview shows it completed.
    open_flows_menu(admin, "Assignments")
    row = admin.locator(".assignment-row", has_text="Priya Sharma")
    expect(row).to_contain_text("Customer Onboarding")
    expect(row.locator(".badge").first).to_have_text("Completed")
    expect(row).to_contain_text("All 5 modules done · 100%")
    admin.get_by_label("Status").select_option("completed")
    admin.get_by_role("button", name="Apply filters").click()
    expect(admin.locator(".assignment-row")).to_have_count(1)
    shoot(admin, "overview")

    # Revoking the key (a confirmation first) refuses the same call at once.
    open_settings(admin, "API keys")
    key_row = admin.locator(".key-row", has_text="HR system")
    key_row.locator("summary", has_text="Revoke").click()
    key_row.get_by_role("button", name="Revoke HR system").click()
    expect(admin.locator(".key-row", has_text="HR system").locator(".key-row__name .badge")).to_have_text("Revoked")
    expect(admin.locator(".toast").last).to_contain_text("Requests using it are refused from now on")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert json.loads(result.stdout) == {"error": "unauthorized", "message": "Invalid or missing API key"}


def test_editing_a_flow_and_assigning_it(live_server, committed_demo, person):
    admin = person("admin@company.com")
    admin.locator("summary", has_text="Flows").click()
    expect(admin.get_by_role("link", name="Manage flows")).to_be_visible()
    admin.screenshot(path=str(ARTIFACTS / "flows-nav-menu.png"))
    admin.keyboard.press("Escape")
    expect(admin.get_by_role("link", name="Manage flows")).to_be_hidden()
    open_flows_menu(admin, "Manage flows")
    onboarding = admin.locator(".flow-admin", has_text="Customer Onboarding")
    expect(onboarding).to_contain_text("2 hours")
    onboarding.locator("summary", has_text="Archive").click()
    expect(onboarding.get_by_role("button", name="Archive Customer Onboarding")).to_be_visible()
    shoot(admin, "manage")
    onboarding.locator("summary", has_text="Archive").click()

    # A new flow: a mistake shown in place, rows added and reordered, then saved.
    admin.get_by_role("link", name="New flow").click()
    admin.get_by_label("Name", exact=True).fill("Expense Policy")
    admin.get_by_label("Title of module 1").fill("Claiming expenses")
    admin.get_by_label("Minutes for module 1").fill("1.5")
    admin.get_by_role("button", name="+ Add module").click()
    expect(admin.get_by_label("Title of module 2")).to_be_focused()
    admin.get_by_label("Title of module 2").fill("Why it matters")
    admin.get_by_label("Minutes for module 2").fill("10")
    admin.get_by_role("button", name="Move module 2 up").click()
    expect(admin.get_by_label("Title of module 1")).to_have_value("Why it matters")
    admin.get_by_role("button", name="Create flow").click()
    expect(admin.locator("#error-summary")).to_be_focused()
    expect(admin.get_by_text("Module 2: Enter whole minutes from 0 to 600")).to_be_visible()
    shoot(admin, "edit-errors")
    admin.get_by_label("Minutes for module 2").fill("20")
    admin.get_by_role("button", name="Create flow").click()
    expect(admin.locator(".toast").last).to_contain_text("Expense Policy created with 2 modules")
    expect(admin.locator(".flow-admin", has_text="Expense Policy")).to_contain_text("30 minutes")

    # Assign it to people typed and pasted: a result for each.
    admin.locator(".flow-admin", has_text="Expense Policy").get_by_role("link", name="Assign Expense Policy").click()
    admin.wait_for_load_state()  # htmx wires "+ Add person" from DOMContentLoaded: a click before is lost
    expect(admin.get_by_label("Flow to assign")).to_have_value(re.compile("^flow_"))
    admin.get_by_label("Person's email").fill("employee@company.com")
    admin.get_by_role("button", name="+ Add person").click()
    admin.get_by_label("Person's email 2").fill("hr@royalenfield.com")
    admin.get_by_label("Or paste email addresses").fill("nobody@company.com, not-an-email\nemployee@company.com")
    admin.get_by_label("Due date").fill("2030-11-25")
    admin.get_by_label("High").check()
    admin.get_by_role("button", name="Assign flow").click()
    results = admin.locator("#assign-results")
    expect(results).to_be_focused()
    expect(results.locator(".result")).to_have_count(4)
    expect(results.locator(".badge")).to_have_text(["✓ Assigned", "✓ Assigned", "Not found", "Invalid email"])
    expect(admin.locator(".toast").last).to_contain_text("Assigned Expense Policy to 2 people.")
    shoot(admin, "assign-results")
    # The addresses that failed stay in the box, to be corrected; this time only one person is sent.
    expect(admin.get_by_label("Or paste email addresses")).to_have_value("nobody@company.com\nnot-an-email")
    admin.get_by_label("Or paste email addresses").fill("")
    admin.get_by_label("Person's email").fill("employee@company.com")
    admin.get_by_role("button", name="Assign flow").click()
    expect(results.locator(".badge")).to_have_text(["Already assigned"])
    expect(results.get_by_role("link", name=re.compile("See their assignment"))).to_be_visible()
    results.get_by_role("link", name=re.compile("See their assignment")).click()
    expect(admin.locator(".assignment-row")).to_have_count(1)
    expect(admin.locator(".assignment-row")).to_contain_text("High priority")
    admin.get_by_role("link", name="Clear filters").first.click()
    expect(admin.locator(".assignment-row")).to_have_count(2)
    shoot(admin, "overview-all")
