"""The OpenAPI document (``/openapi.json``) and the reference page (``/docs/api``).

The document is checked four ways: it is well-formed OpenAPI 3.1 (our own
checks and ``openapi-spec-validator``); it documents exactly the routes the
app serves under ``/api/v1`` and ``/v1``; its seed examples are the seed documents'
own (here); and real answers from the app conform to the schemas it documents
(``test_openapi_answers``). The endpoints and the reference page: ``test_openapi_reference``.
"""

import json
import re
from pathlib import Path

import pytest

from momoflow.apikeys.models import ALL_SCOPES
from tests.platform.openapi_checks import conformance, examples, operations, resolve, structural_problems, walk
from tests.conftest import make_test_app

SEEDS = Path(__file__).resolve().parents[2] / "docs" / "seeds"  # the seed documents (the API contract)


# --- (a) valid OpenAPI 3.1 ------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate  # requirements-dev.txt

    assert structural_problems(document) == []
    validate(json.loads(json.dumps(document)))


def test_every_example_fits_its_schema(document):
    """Examples are shown to integrators as what to send and expect: no stray fields,
    right types; the app's own examples (not the seed's partial ones) are complete."""
    problems = []
    for where, media, example in examples(document):
        problems += [f"{where}: {p}" for p in conformance(document, example["value"], media["schema"],
                                                         strict="x-seed" not in example)]
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
    for where, media, example in examples(document):
        if "x-seed" not in example or example.get("x-seed-adapted"):
            checked += 1
            found += [f"{where}: {p}" for p in problems(media["schema"], example["value"])]
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
            # an export's download also takes its signed link instead of a key; a key needs its scope
            scope = next(iter(operation["security"][0].get("apiKeyAuth", [])), None)
            assert scope in ALL_SCOPES and operation["security"] in ([{"apiKeyAuth": [scope]}],
                                                                     [{"apiKeyAuth": [scope]}, {}]), f"{method} {path}"
            assert "403" in operation["responses"] and "429" in operation["responses"]
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
    added, either = BEYOND_THE_SEED.get(schema_name, (set(), set()))
    if required_only:  # a "Required Fields" table has no Required column: all of them are
        assert set(table) == set(schema["required"])
    else:
        assert set(table) | added == set(schema["properties"])
        assert {name for name, required in table.items() if required} - either == set(schema["required"])
        assert [sorted(option["required"]) for option in schema.get("oneOf", [])] == sorted([name] for name in (
            either | ({"approvers"} if either else set())))


# Fields later issues added to a seed's object (the seed's form stays valid), and seed
# fields that became one of two choices (``email``, or the ``approvers`` list).
BEYOND_THE_SEED = {
    "ApprovalLevelInput": ({"approvers", "approvalMode", "minApprovals", "rejectionPolicy", "onBreach"}, {"email"}),
}


def test_the_seeds_request_headers_are_documented(document):
    parameters = {resolve(document, p)["name"] for p in document["paths"]["/v1/flows/assign"]["post"]["parameters"]}
    assert set(seed_table("000", "## Request Headers")) - parameters == {"Authorization", "Content-Type"}
    assert document["components"]["securitySchemes"]["apiKeyAuth"]["scheme"] == "bearer"


def test_every_event_a_webhook_can_receive_is_documented(document):
    from momoflow.webhooks.services import SUBSCRIBABLE_EVENTS, TEST_EVENT

    assert sorted(document["webhooks"]) == sorted([*SUBSCRIBABLE_EVENTS, TEST_EVENT])
    assert "Send test event" in document["webhooks"]["webhook.test"]["post"]["description"]
    approved = document["webhooks"]["level.approved"]["post"]
    assert "onBehalfOf" in approved["description"]
    body = approved["requestBody"]["content"]["application/json"]["schema"]
    assert body["allOf"][1] == {"properties": {"type": {"const": "level.approved"}}}
