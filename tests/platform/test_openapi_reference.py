"""``/openapi.json`` and the reference page ``/docs/api`` (the vendored Redoc, under the CSP)."""

import json
import re
from pathlib import Path

from tests.platform.openapi_checks import operations, walk


# --- (d) the endpoints ----------------------------------------------------------------


def test_openapi_json_is_public_and_cacheable(client, document):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(document))
    assert response.cache_control.public and 0 < response.cache_control.max_age <= 3600
    assert client.get("/openapi.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def _nonce_of(html):
    return re.search(r'<script src="/static/js/api-docs.js" nonce="([^"]+)"', html).group(1)


def test_the_reference_page_serves_the_vendored_redoc_under_the_csp(app, client):
    response = client.get("/docs/api")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "the page must not load anything from elsewhere"
    bundle = re.search(r'<script src="/static/(vendor/redoc-[\d.]+/redoc\.standalone\.js)"', html).group(1)
    assert (Path(app.static_folder) / bundle).is_file()
    assert 'data-spec-url="/openapi.json"' in html
    policy = response.headers["Content-Security-Policy"]
    nonce = _nonce_of(html)
    assert "script-src 'self';" in policy and f"'nonce-{nonce}'" in policy.split("style-src", 1)[1].split(";")[0]
    assert "unsafe" not in policy
    assert _nonce_of(client.get("/docs/api").get_data(as_text=True)) != nonce, "a nonce is used once"
    assert "style-src 'self';" in client.get("/login").headers["Content-Security-Policy"], "other pages: no nonce"


def test_the_vendored_redoc_fetches_nothing_from_elsewhere(app):
    """The bundle is patched once (see its SOURCE.md): its attribution logo came from a CDN."""
    bundle = next(Path(app.static_folder).glob("vendor/redoc-*/redoc.standalone.js")).read_text(encoding="utf-8")
    assert "cdn.redoc.ly" not in bundle and "fonts.googleapis" not in bundle


def test_every_schema_is_shown_with_an_operation(document):
    """Redoc shows a schema where an operation uses it: one no operation uses would be invisible."""
    operations = {"paths": document["paths"], "webhooks": document["webhooks"]}
    used = {node["$ref"].rsplit("/", 1)[-1] for _, node in walk(operations) if "$ref" in node}
    for _ in range(10):  # and the schemas those refer to, to any depth
        used |= {node["$ref"].rsplit("/", 1)[-1] for name in list(used) if name in document["components"]["schemas"]
                 for _, node in walk(document["components"]["schemas"][name]) if "$ref" in node}
    assert set(document["components"]["schemas"]) - used == set()


def test_the_sign_in_page_links_to_the_reference(client):
    assert 'href="/docs/api"' in client.get("/login").get_data(as_text=True)


# Its own process: tests/browser keeps a Playwright session open, and a second one cannot
# run beside it in this process.
CHROMIUM_CHECK = """
import json, sys
from playwright.sync_api import sync_playwright
url, chromium, artifacts, operation_ids = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
overflows = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=chromium, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems = []
    page.on("console", lambda message: message.type in ("error", "warning") and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append("failed: " + request.url))
    page.add_init_script("document.addEventListener('securitypolicyviolation', event => "
                         "console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI))")
    page.goto(url)
    page.locator("h1").wait_for(timeout=60000)
    page.wait_for_timeout(500)
    page.screenshot(path=f"{artifacts}/api-docs.png")
    shown = {operation_id: page.locator(f'[id="operation/{operation_id}"] h2').first.inner_text()
             for operation_id in operation_ids if page.locator(f'[id="operation/{operation_id}"]').count()}
    assign, create = page.locator('[id="operation/assignFlow"]'), page.locator('[id="operation/createWorkflow"]')
    result = {"h1": page.locator("h1").inner_text(), "shown": shown,
              "assign": assign.inner_text(), "create": create.inner_text(),
              "styled": page.evaluate("[...document.querySelectorAll('style')].every(s => s.sheet)"),
              "desktop_overflow": page.evaluate(overflows)}
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    page.screenshot(path=f"{artifacts}/api-docs-phone.png")
    result.update(phone_overflow=page.evaluate(overflows), problems=problems)
    browser.close()
print(json.dumps(result))
"""


def test_the_reference_page_in_chromium(live_server, document):
    """Redoc renders every operation of the document with its examples, with no CSP
    violation, console error or request to elsewhere, at desktop and phone widths."""
    import subprocess
    import sys

    from tests.browser.conftest import ARTIFACTS, CHROMIUM
    from tests.conftest import need

    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    ARTIFACTS.mkdir(exist_ok=True)
    summaries = {operation["operationId"]: operation["summary"] for _, _, operation in operations(document)}
    run = subprocess.run([sys.executable, "-c", CHROMIUM_CHECK, f"{live_server}/docs/api", CHROMIUM, str(ARTIFACTS),
                          json.dumps(list(summaries))], capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result.pop("shown") == summaries
    assign, create = result.pop("assign"), result.pop("create")
    assert "POST\n/v1/flows/assign" in assign and '"assignmentId": "asgn_789xyz"' in assign  # the seed's answer
    assert '"notes": "Please complete this onboarding flow before the team meeting"' in assign  # and request
    assert "POST\n/api/v1/workflows" in create and "Example 1: simple workflow (seed)" in create
    assert '"Purchase Order Approval - Office Equipment"' in create
    info = document["info"]
    assert result == {"h1": f"{info['title']} ({info['version']})", "styled": True, "desktop_overflow": False,
                      "phone_overflow": False, "problems": []}
