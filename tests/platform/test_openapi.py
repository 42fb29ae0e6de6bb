"""The OpenAPI document (``/openapi.json``) and the reference page (``/docs/api``).

The document is checked four ways: it is well-formed OpenAPI 3.1 (our own
checks and ``openapi-spec-validator``); it documents exactly the routes the
app serves under ``/api/v1`` and ``/v1``; its seed examples are the seed documents'
own; and real answers from the app conform to the schemas it documents.
"""

import json
import re
from pathlib import Path

import pytest

from tests.platform.openapi_checks import conformance, operations, resolve, structural_problems, walk
from momoflow.openapi.document import build_document
from tests.conftest import make_test_app

SEEDS = Path(__file__).resolve().parents[2] / "docs" / "seeds"  # copies of ../shared/seeds


@pytest.fixture(scope="module")
def document(app):
    with app.app_context():
        return build_document()


# --- (a) valid OpenAPI 3.1 ------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate  # requirements-dev.txt

    assert structural_problems(document) == []
    validate(json.loads(json.dumps(document)))


def test_every_example_fits_its_schema(document):
    """Examples are shown to integrators as what to send and expect: no stray fields,
    right types; the app's own examples (not the seed's partial ones) are complete."""
    problems = []
    for path, method, operation in operations(document):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, resolve(document, r)) for status, r in operation["responses"].items()]
        for label, holder in bodies:
            for media in holder.get("content", {}).values():
                for name, example in (media.get("examples") or {}).items():
                    example = resolve(document, example)
                    problems += [f"{method.upper()} {path} {label} {name}: {p}" for p in conformance(
                        document, example["value"], media["schema"], strict="x-seed" not in example)]
    for name, schema in document["components"]["schemas"].items():
        for value in schema.get("examples", ()):
            problems += [f"schema {name}: {p}" for p in conformance(document, value, schema)]
    assert problems == []


def _sentences(path):
    """The string literals of a module with a space in them (f-string parts too), docstrings aside."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {ast.get_docstring(node, clean=False) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)}
    return {node.value.strip() for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and " " in node.value.strip() and node.value not in docstrings}


def test_error_examples_use_the_messages_the_code_raises():
    """A message or title written out in momoflow/openapi as well as where the code raises it
    drifts (one is edited, not the other): the document's modules import it instead. The seed's
    own examples are the exception: they are the contract, compared with the seed files above."""
    package = Path(__file__).resolve().parents[2] / "momoflow"
    documented = {}
    for path in (package / "openapi").glob("*.py"):
        if path.name not in ("seed_examples.py", "__init__.py"):  # the contract; the blueprint
            documented.update(dict.fromkeys(_sentences(path), path.name))
    copied = {}
    for path in package.rglob("*.py"):
        if "openapi" not in path.parts:
            copied.update({text: f"{documented[text]} and {path.relative_to(package)}"
                           for text in _sentences(path) & set(documented)})
    assert copied == {}


def test_every_complete_example_is_valid_json_schema_2020_12(document):
    """The same, by ``jsonschema`` itself (OpenAPI 3.1 schemas are JSON Schema 2020-12), for
    every example that is meant to be complete: the app's own and the filled-in seed ones."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    base = "urn:momoflow:openapi"
    registry = Registry().with_resource(base, Resource(json.loads(json.dumps(document)), DRAFT202012))

    def problems(schema, value):
        schema = {"$ref": base + schema["$ref"]} if "$ref" in schema else schema
        return [error.message for error in Draft202012Validator(schema, registry=registry).iter_errors(value)]

    found, checked = [], 0
    for path, method, operation in operations(document):
        bodies = [("request", operation.get("requestBody", {}))]
        bodies += [(status, resolve(document, r)) for status, r in operation["responses"].items()]
        for label, holder in bodies:
            for media in holder.get("content", {}).values():
                for name, example in (media.get("examples") or {}).items():
                    example = resolve(document, example)
                    if "x-seed" not in example or example.get("x-seed-adapted"):
                        checked += 1
                        found += [f"{method.upper()} {path} {label} {name}: {p}"
                                  for p in problems(media["schema"], example["value"])]
    assert checked > 100 and found == []
    assert problems({"$ref": "#/components/schemas/AssignRequest"}, {"flowId": 5}) != []  # it does check


# --- (b) the document and the routes agree --------------------------------------------


def _camel(name):
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def served(app):
    """``{(method, path)}`` for every API route, with ``<request_id>`` written ``{requestId}``."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/v1/", "/v1/")):
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", lambda m: "{" + _camel(m.group(1)) + "}", rule.rule)
            found |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def documented(document):
    return {(method, path) for path, method, _ in operations(document)}


def test_every_route_is_documented_and_every_documented_operation_exists(app, document):
    assert sorted(served(app) - documented(document)) == [], "routes missing from momoflow/openapi"
    assert sorted(documented(document) - served(app)) == [], "documented operations the app does not serve"


def test_an_undocumented_route_is_noticed(document, tmp_path):
    fresh = make_test_app("sqlite://", tmp_path)
    fresh.add_url_rule("/v1/secret/<thing_id>", "secret", lambda thing_id: "")
    assert served(fresh) - documented(document) == {("get", "/v1/secret/{thingId}")}


def test_every_api_documents_its_auth_failures(document):
    for path, method, operation in operations(document):
        public = operation["security"] == []
        assert public or "401" in operation["responses"], f"{method} {path}"
        if path.startswith("/v1/"):
            assert operation["security"] == [{"apiKeyAuth": []}] and "429" in operation["responses"]
            assert all("X-RateLimit-Remaining" in resolve(document, r).get("headers", {})
                       for r in operation["responses"].values()), f"{method} {path}: rate-limit headers"
        else:
            assert public or operation["security"] == [{"bearerAuth": []}]


# --- (c) the seed examples are the seeds' own -----------------------------------------

OLD_FORMAT_MARKER = '"approverId": "uuid-123"'  # the seed's "no longer required" request format


def seed_blocks(seed_id):
    """``(parsed JSON or None, field names)`` for each JSON object in the seed's code blocks."""
    text = next(SEEDS.glob(f"{seed_id}_*.txt")).read_text(encoding="utf-8")
    for block in re.findall(r"```(?:json|http|bash)\n(.*?)```", text, re.S):
        block = re.sub(r"\{\{\w+\}\}", "", block)  # Postman variables: {{baseUrl}}
        if "{" not in block or OLD_FORMAT_MARKER in block:
            continue
        body = block[block.index("{"): block.rindex("}") + 1]
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None  # "..." placeholders
        yield parsed, set(re.findall(r'"(\w+)"\s*:', body))


def field_names(value):
    if isinstance(value, dict):
        return set(value).union(*(field_names(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(field_names(item) for item in value))
    return set()


def contains(big, small):
    if isinstance(small, dict):
        return isinstance(big, dict) and all(key in big and contains(big[key], item) for key, item in small.items())
    return big == small


def example_values(document):
    values = []
    for _, node in walk(document):
        if "value" in node and "summary" in node:
            values.append(node["value"])
        if isinstance(node.get("examples"), list):
            values += node["examples"]
    return values


@pytest.mark.parametrize("seed_id", ["000", "004"])
def test_every_seed_example_is_in_the_document(document, seed_id):
    values = example_values(document)
    blocks = list(seed_blocks(seed_id))
    assert len(blocks) > 5
    for parsed, names in blocks:
        if parsed is not None:
            assert any(contains(value, parsed) for value in values), f"seed example not documented: {parsed}"
        else:
            assert any(names <= field_names(value) for value in values), f"seed fields not documented: {names}"


def test_the_documents_seed_examples_come_from_the_seeds(document):
    seeds = {seed_id: list(seed_blocks(seed_id)) for seed_id in ("000", "004")}
    table = re.search(r"\| `payload` \| Text \| `(\{.*?\})` \|", next(SEEDS.glob("004_*.txt")).read_text()).group(1)
    examples = document["components"]["examples"]
    assert sum("x-seed" in example for example in examples.values()) >= 25
    for name, example in examples.items():
        blocks, value = seeds[example["x-seed"]], example["value"]
        if name == "SeedMultipart":
            assert value["payload"] == table and value["category"] == "SUPPORTING"
        elif example.get("x-seed-adapted"):
            assert any(contains(value, parsed) if parsed is not None else names <= field_names(value)
                       for parsed, names in blocks), f"{name} is not the seed's example filled in"
        else:
            assert any(parsed == value for parsed, _ in blocks), f"{name} differs from seed {example['x-seed']}"


def seed_table(seed_id, heading):
    """``{field: required?}`` from the table under ``heading`` in the seed."""
    text = next(SEEDS.glob(f"{seed_id}_*.txt")).read_text(encoding="utf-8")
    section = text.split(heading + "\n", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\|\s*`?([A-Za-z][\w-]*)`?\s*\|[^|]*\|([^|]*)\|", section, re.M)
    return {name: "Yes" in cell for name, cell in rows if name not in ("Parameter", "Field", "Header")}


@pytest.mark.parametrize("seed_id, heading, schema_name, required_only", [
    ("000", "## Request Body Parameters", "AssignRequest", False),
    ("004", "### Required Fields", "CreateWorkflowRequest", True),
    ("004", "### Approval Level Fields", "ApprovalLevelInput", False),
    ("004", "### Spectator Fields", "SpectatorInput", False),
])
def test_the_seeds_field_tables_match_the_schemas(document, seed_id, heading, schema_name, required_only):
    schema = document["components"]["schemas"][schema_name]
    table = seed_table(seed_id, heading)
    if required_only:  # a "Required Fields" table has no Required column: all of them are
        assert set(table) == set(schema["required"])
    else:
        assert set(table) == set(schema["properties"])
        assert {name for name, required in table.items() if required} == set(schema["required"])


def test_the_seeds_request_headers_are_documented(document):
    parameters = {resolve(document, p)["name"] for p in document["paths"]["/v1/flows/assign"]["post"]["parameters"]}
    assert set(seed_table("000", "## Request Headers")) - parameters == {"Authorization", "Content-Type"}
    assert document["components"]["securitySchemes"]["apiKeyAuth"]["scheme"] == "bearer"


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
    used = {node["$ref"].rsplit("/", 1)[-1] for _, node in walk(document["paths"]) if "$ref" in node}
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


# --- real answers conform to the document ---------------------------------------------


@pytest.fixture
def demo_org(db):
    from momoflow.demo.seed import seed_demo

    organization, _ = seed_demo()
    db.session.flush()
    return organization


def answer(document, response, method, template, status=200):
    """The JSON of ``response``, after checking it is a documented answer of that operation."""
    assert response.status_code == status, response.get_data(as_text=True)
    documented = resolve(document, document["paths"][template][method]["responses"][str(status)])
    body = response.get_json()
    assert conformance(document, body, documented["content"]["application/json"]["schema"]) == []
    for header in set(documented.get("headers", {})) - {"Idempotent-Replayed", "X-Request-ID", "Retry-After"}:
        assert header in response.headers, header
    return body


def example_of(document, template, method, status, summary):
    examples = resolve(document, document["paths"][template][method]["responses"][status])["content"]
    examples = examples["application/json"]["examples"].values()
    return next(e["value"] for e in map(lambda e: resolve(document, e), examples) if e["summary"] == summary)


def test_approval_api_answers_match_the_document(app, client, document, demo_org):
    import io

    from momoflow.openapi import seed_examples as seed

    def sign_in(email):
        body = answer(document, client.post("/api/v1/auth/login", json={
            "email": email, "password": app.config["DEMO_PASSWORD"]}), "post", "/api/v1/auth/login")
        return {"Authorization": f"Bearer {body['data']['token']}"}

    employee, manager = sign_in("employee@company.com"), sign_in("manager@royalenfield.com")
    base = "/api/v1/workflows"
    answer(document, client.get("/api/v1/auth/me", headers=employee), "get", "/api/v1/auth/me")
    assert answer(document, client.get("/api/v1/auth/me"), "get", "/api/v1/auth/me", 401) == example_of(
        document, "/api/v1/auth/me", "get", "401", "No token")
    created = answer(document, client.post(base, json=seed.CREATE_SIMPLE, headers=employee), "post", base, 201)
    request_id = created["data"]["requestId"]
    one = f"{base}/{request_id}"
    answer(document, client.get(base, headers=employee), "get", base)
    answer(document, client.get(one, headers=employee), "get", f"{base}/{{requestId}}")
    answer(document, client.post(f"{one}/approvers/at-level", json=seed.AT_LEVEL_REQUEST, headers=employee),
           "post", f"{base}/{{requestId}}/approvers/at-level", 201)
    for kind, body in (("spectator", seed.SPECTATOR_REQUEST), ("approver", seed.APPROVER_REQUEST)):
        answer(document, client.post(f"{one}/participants/{kind}", json=body, headers=employee),
               "post", f"{base}/{{requestId}}/participants/{kind}", 201)
    answer(document, client.post(f"{one}/comments", json={"comment": "Thanks"}, headers=employee),
           "post", f"{base}/{{requestId}}/comments", 201)
    level_id = created["data"]["approvalLevels"][0]["levelId"]
    reject = f"{base}/{{requestId}}/levels/{{levelId}}/reject"
    assert client.post(f"{one}/levels/{level_id}/reject", json={}, headers=manager).get_json() == example_of(
        document, reject, "post", "400", "No comment")
    answer(document, client.post(f"{one}/levels/{level_id}/approve", headers=manager),
           "post", f"{base}/{{requestId}}/levels/{{levelId}}/approve")
    answer(document, client.post(f"{one}/withdraw", json={"reason": "Not needed"}, headers=employee),
           "post", f"{base}/{{requestId}}/withdraw")
    with_file = answer(document, client.post(f"{base}/multipart", headers=employee, data={
        "payload": seed.MULTIPART_PAYLOAD, "category": "SUPPORTING", "files": (io.BytesIO(b"budget"), "budget.txt")}),
        "post", f"{base}/multipart", 201)
    download = with_file["data"]["documents"][0]["downloadUrl"]
    assert client.get(download, headers=employee).status_code == 200


def test_integrator_api_answers_match_the_document(client, document, demo_org, db):
    from momoflow.apikeys.services import create_api_key
    from momoflow.openapi import seed_examples as seed

    _, secret = create_api_key(demo_org, "docs check")
    db.session.flush()
    key = {"Authorization": f"Bearer {secret}"}
    assert answer(document, client.get("/v1/flows"), "get", "/v1/flows", 401) == seed.UNAUTHORIZED
    first = client.post("/v1/flows/assign", json=seed.ASSIGN_REQUEST, headers={**key, "X-Request-ID": "docs-1"})
    assigned = answer(document, first, "post", "/v1/flows/assign")
    again = client.post("/v1/flows/assign", json=seed.ASSIGN_REQUEST, headers={**key, "X-Request-ID": "docs-1"})
    assert answer(document, again, "post", "/v1/flows/assign") == assigned
    assert again.headers["Idempotent-Replayed"] == "true" and again.headers["X-Request-ID"] == "docs-1"
    duplicate = answer(document, client.post("/v1/flows/assign", json=seed.ASSIGN_REQUEST, headers=key),
                       "post", "/v1/flows/assign", 409)
    assert duplicate["error"] == "already_assigned" and duplicate["assignmentId"] == assigned["assignmentId"]
    assert client.post("/v1/flows/assign", data="x", content_type="text/plain", headers=key).get_json() == \
        example_of(document, "/v1/flows/assign", "post", "415", "Wrong content type")
    assert answer(document, client.post("/v1/flows/assign", json={**seed.ASSIGN_REQUEST, "flowId": "flow_nope"},
                                        headers=key), "post", "/v1/flows/assign", 404)["error"] == "not_found"
    bulk = {"assignments": [{"flowId": "flow_sec101", "userEmail": "employee@company.com"}, {"flowId": "flow_nope",
                                                                                            "userEmail": "x@y.z"}]}
    answer(document, client.post("/v1/flows/assign/bulk", json=bulk, headers=key), "post", "/v1/flows/assign/bulk")
    answer(document, client.get("/v1/flows", headers=key), "get", "/v1/flows")
    answer(document, client.get("/v1/flows/flow_123abc", headers=key), "get", "/v1/flows/{flowId}")
    answer(document, client.get("/v1/assignments?status=assigned&limit=1", headers=key), "get", "/v1/assignments")
    one = f"/v1/assignments/{assigned['assignmentId']}"
    answer(document, client.get(one, headers=key), "get", "/v1/assignments/{assignmentId}")
    answer(document, client.post(f"{one}/cancel", headers=key), "post", "/v1/assignments/{assignmentId}/cancel")
    answer(document, client.post(f"{one}/cancel", headers=key), "post", "/v1/assignments/{assignmentId}/cancel", 409)
