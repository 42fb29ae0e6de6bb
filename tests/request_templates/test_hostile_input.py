"""Hostile input to the templates API and to requests raised from templates: every part of a
definition, every kind of value and the preview body answer a 4xx in the ``/api/v1`` error
shape, never a 500, and leave no template (or version, or request) half-written."""

import copy
import json

import pytest

from momoflow.request_templates.models import RequestTemplate, RequestTemplateVersion
from momoflow.workflows.models import WorkflowRequest
from tests.request_templates.conftest import ADMIN, EMPLOYEE, purchase_request_definition

DEEP = "[" * 10_000 + "]" * 10_000
SURROGATE = "\\ud800"  # as JSON text: json.loads turns it into a lone surrogate
JSON = {"Content-Type": "application/json"}
MARK = "@@HOSTILE@@"  # stands where a hostile JSON text is spliced in
HUGE_DIGITS = "9" * 5_000
TINY = "1e-999999999"  # exact as a decimal, a billion digits when written out


def definition_with_every_part():
    """A definition using every part hostile input can reach: each field type, options,
    every kind of approver rule, nested conditions, on approval."""
    definition = purchase_request_definition()
    definition["defaultSpectators"] = [{"email": "director@royalenfield.com"}]
    definition["fields"] += [
        {"key": "need", "label": "Needed by", "type": "DATE"},
        {"key": "kind", "label": "Kind", "type": "CHOICE", "options": ["Hardware", "Software"]},
        {"key": "hire", "label": "New hire", "type": "PERSON"},
        {"key": "count", "label": "Count", "type": "NUMBER", "min": 1, "max": 100},
        {"key": "notes", "label": "Notes", "type": "LONG_TEXT", "help": "Anything else"},
        {"key": "quote", "label": "Quotation", "type": "FILE"},
    ]
    definition["levels"][0]["condition"] = {"any": [{"field": "kind", "op": "in", "value": ["Hardware"]},
                                                    {"all": [{"field": "count", "op": ">=", "value": 2},
                                                             {"field": "need", "op": "<", "value": "2030-01-01"}]}]}
    definition["levels"].append({"levelName": "Hire's manager", "tatHours": 24,
                                 "approverRule": {"type": "FIELD_MANAGER", "field": "hire", "levelsUp": 1},
                                 "condition": {"field": "hire", "op": "is not empty"}})
    definition["onApproval"] = [{"flowId": "flow_sec101", "assignTo": {"field": "hire"}, "dueInDays": 14}]
    return definition


def shape(response, status=400):
    """The ``/api/v1`` error shape, never a 500; the body."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["success"] is False and set(body) == {"success", "error", "details"}
    assert isinstance(body["error"], str) and isinstance(body["details"], str) and body["details"]
    return body


def templates_kept(db):
    return (db.session.scalar(db.select(db.func.count()).select_from(RequestTemplate)),
            db.session.scalar(db.select(db.func.count()).select_from(RequestTemplateVersion)))


def post_raw(api, path, text, method="post"):
    return getattr(api.client, method)(f"/api/v1{path}", data=text.encode("utf-8", "surrogatepass"),
                                       headers={**api.headers, **JSON})


def spliced(definition, where, hostile):
    """``definition`` as JSON text with the value at ``where`` (a path of keys and indexes)
    replaced by the JSON text ``hostile``, written as is (escapes and all)."""
    data = copy.deepcopy(definition)
    holder = data
    for step in where[:-1]:
        holder = holder[step]
    holder[where[-1]] = MARK
    return json.dumps(data).replace(json.dumps(MARK), hostile)


# Every part of a definition; each gets every hostile value below.
PARTS = {
    "name": ("name",), "description": ("description",), "category": ("category",),
    "instructions": ("instructions",), "defaultPriority": ("defaultPriority",),
    "whenNoApprover": ("whenNoApprover",), "spectators": ("defaultSpectators",),
    "spectator": ("defaultSpectators", 0), "spectator email": ("defaultSpectators", 0, "email"),
    "fields": ("fields",), "field": ("fields", 0), "key": ("fields", 0, "key"), "label": ("fields", 0, "label"),
    "type": ("fields", 0, "type"), "required": ("fields", 0, "required"), "help": ("fields", 6, "help"),
    "min": ("fields", 1, "min"), "max": ("fields", 5, "max"), "currency": ("fields", 1, "currency"),
    "options": ("fields", 3, "options"), "option": ("fields", 3, "options", 1),
    "levels": ("levels",), "level": ("levels", 1), "levelName": ("levels", 0, "levelName"),
    "tatHours": ("levels", 0, "tatHours"), "approvalMode": ("levels", 0, "approvalMode"),
    "minApprovals": ("levels", 0, "minApprovals"), "rejectionPolicy": ("levels", 0, "rejectionPolicy"),
    "onBreach": ("levels", 0, "onBreach"), "approverRule": ("levels", 1, "approverRule"),
    "rule type": ("levels", 1, "approverRule", "type"), "emails": ("levels", 1, "approverRule", "emails"),
    "email": ("levels", 1, "approverRule", "emails", 0), "levelsUp": ("levels", 3, "approverRule", "levelsUp"),
    "rule field": ("levels", 3, "approverRule", "field"), "condition": ("levels", 0, "condition"),
    "any": ("levels", 0, "condition", "any"), "nested all": ("levels", 0, "condition", "any", 1, "all"),
    "condition field": ("levels", 0, "condition", "any", 1, "all", 0, "field"),
    "op": ("levels", 0, "condition", "any", 1, "all", 0, "op"),
    "number value": ("levels", 0, "condition", "any", 1, "all", 0, "value"),
    "date value": ("levels", 0, "condition", "any", 1, "all", 1, "value"),
    "in values": ("levels", 0, "condition", "any", 0, "value"),
    "in value": ("levels", 0, "condition", "any", 0, "value", 0),
    "onApproval": ("onApproval",), "action": ("onApproval", 0), "flowId": ("onApproval", 0, "flowId"),
    "assignTo": ("onApproval", 0, "assignTo"), "dueInDays": ("onApproval", 0, "dueInDays"),
}
HOSTILE = {
    "lone surrogate": f'"{SURROGATE}"', "NUL": '"a\\u0000b"', "long text": json.dumps("x" * 20_000),
    "object": '{"a": [1, {"b": null}]}', "list": '[[], {}, 1]', "number": "7", "true": "true", "null": "null",
    "1e400": "1e400", "-1e400": "-1e400", "10**5000 as text": f'"{HUGE_DIGITS}"', "1e15": "1e15",
    "tiny": f'"{TINY}"', "deep": "[" * 60 + "]" * 60,
}
# What a part may hold among the values above: its default for null, plain text for text
# parts (within their length), a small number for numeric ones. Everything else is refused.
NULL_IS_FINE = {"description", "category", "instructions", "defaultPriority", "whenNoApprover", "spectators",
                "required", "assignTo", "help", "min", "max", "currency", "approvalMode", "rejectionPolicy", "onBreach",
                "levelsUp", "onApproval", "condition", "dueInDays"}
SHORT_TEXT = {"name", "description", "category", "instructions", "label", "help", "option", "levelName"}
ACCEPTED = ({(part, "null") for part in NULL_IS_FINE} | {(part, "tiny") for part in SHORT_TEXT}
            | {("description", "10**5000 as text"), ("instructions", "10**5000 as text"), ("required", "true")}
            | {(part, "number") for part in ("min", "max", "tatHours", "levelsUp", "dueInDays", "number value")}
            | {("minApprovals", hostile) for hostile in HOSTILE if hostile != "lone surrogate"})  # QUORUM only


@pytest.fixture
def admin(api_as):
    return api_as(ADMIN)


def test_the_definition_with_every_part_is_accepted(admin, db):
    response = admin.post("/templates", json=definition_with_every_part())
    assert response.status_code == 201, response.get_json()
    assert templates_kept(db) == (1, 1)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_in_any_part_of_a_definition_is_a_4xx(admin, db, hostile):
    accepted = 0
    for number, (part, where) in enumerate(PARTS.items()):
        definition = definition_with_every_part()
        definition["name"] = f"Purchase {number}"  # an accepted one takes its name
        response = post_raw(admin, "/templates", spliced(definition, where, HOSTILE[hostile]))
        if (part, hostile) in ACCEPTED:
            assert response.status_code == 201, (part, response.get_json())
            accepted += 1
        else:
            assert shape(response)["error"] == "Validation failed", part
        assert templates_kept(db) == (accepted, accepted), part  # nothing half-written


@pytest.mark.parametrize("hostile", ["lone surrogate", "NUL", "object", "1e400", "tiny", "10**5000 as text"])
def test_hostile_input_in_a_change_leaves_the_template_as_it_was(admin, db, hostile):
    created = admin.post("/templates", json=definition_with_every_part()).get_json()["data"]
    for part in ("min", "number value", "tatHours", "rule type"):
        text = spliced(definition_with_every_part(), PARTS[part], HOSTILE[hostile])
        shape(post_raw(admin, f"/templates/{created['templateId']}", text, method="put"))
    again = admin.get(f"/templates/{created['templateId']}").get_json()["data"]
    assert again == created and templates_kept(db) == (1, 1)


def test_deep_json_is_refused_before_anything_is_read(admin, employee_api, db):
    for response in (post_raw(admin, "/templates", DEEP), post_raw(admin, "/templates/tmpl_x", DEEP, "put"),
                     post_raw(employee_api, "/templates/tmpl_x/preview", DEEP)):
        assert shape(response)["details"] == "body: Request body is nested too deeply"
    assert templates_kept(db) == (0, 0)


def nested(depth):
    condition = {"field": "amount", "op": ">", "value": 1}
    for level in range(depth - 1):
        condition = {("all", "any")[level % 2]: [condition]}
    return condition


@pytest.mark.parametrize("depth, parts", [(4, 1), (50, 1), (2, 21), (1, 500)])
def test_conditions_beyond_the_limits_are_refused(admin, db, depth, parts):
    condition = nested(depth) if parts == 1 else {"any": [nested(depth - 1 or 1)] * parts}
    if depth == 1:
        condition = {"field": "amount", "op": "in", "value": [1] * parts}
    definition = purchase_request_definition()
    definition["levels"][1]["condition"] = condition
    details = shape(admin.post("/templates", json=definition))["details"]
    assert details.startswith("levels.1.condition")
    assert templates_kept(db) == (0, 0)


def test_lone_surrogate_names_its_path(admin):
    text = spliced(definition_with_every_part(), PARTS["option"], f'"{SURROGATE}"')
    path = "fields.3.options.1"
    assert shape(post_raw(admin, "/templates", text))["details"] == (
        f"{path}: {path} must be valid text (it holds a lone surrogate)")


@pytest.mark.parametrize("body", ["[]", '"x"', "7", "null"])
def test_a_body_that_is_not_an_object_is_400(admin, employee_api, body):
    assert shape(post_raw(admin, "/templates", body))["details"] == "body: Request body must be a JSON object"
    assert shape(post_raw(employee_api, "/templates/tmpl_x/preview", body))["details"] == (
        "body: Request body must be a JSON object")


# --- a request's values, and the preview ------------------------------------------------------

VALUES = {"item": "Laptop", "amount": 5000, "need": "2027-01-31", "kind": "hardware", "count": 3}
HOSTILE_VALUES = {
    "item": ['{"a": 1}', "[1]", "7", f'"{SURROGATE}"', '"a\\u0000b"', json.dumps("x" * 300)],
    "notes": [json.dumps("x" * 10_001), "true"],
    "amount": ["1e400", "-1e400", f'"{HUGE_DIGITS}"', "1e15", f'"{TINY}"', '"12,500"', "0.001", "[]", "true",
               '"NaN"', '"Infinity"', "-5"],
    "count": [f'"{TINY}"', "1e-7", "101", "{}", '"0x10"'],
    "need": ["20261231", '"2026-02-30"', json.dumps("2026-01-01" * 500), f'"{SURROGATE}"', '"2026-01-0\\u0000"'],
    "kind": ['"Food"', '["Hardware"]', f'"{SURROGATE}"', "1"],
    "hire": ['"not an email"', "{}", json.dumps("a" * 5_000 + "@company.com"), '"a\\u0000@company.com"'],
    "quote": ['"quote.pdf"', '{"documentId": "x", "fileName": "y"}'],
}
BAD_KEYS = [f'"{SURROGATE}"', '"a\\u0000"', json.dumps("k" * 5_000), '""']


@pytest.fixture
def template(api_as):
    response = api_as(ADMIN).post("/templates", json=definition_with_every_part())
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def fields_text(key, hostile):
    return json.dumps({**VALUES, key: MARK}).replace(json.dumps(MARK), hostile)


def request_text(template, fields):
    return f'{{"templateType": "TEMPLATE", "templateId": "{template["templateId"]}", "fields": {fields}}}'


def requests_kept(db):
    return db.session.scalar(db.select(db.func.count()).select_from(WorkflowRequest))


@pytest.mark.parametrize("key, hostile", [(key, value) for key, values in HOSTILE_VALUES.items() for value in values])
def test_a_hostile_value_is_a_400_naming_the_field(api_as, db, template, key, hostile):
    employee = api_as(EMPLOYEE)
    fields = fields_text(key, hostile)
    for response in (post_raw(employee, "/workflows", request_text(template, fields)),
                     post_raw(employee, f"/templates/{template['templateId']}/preview", f'{{"fields": {fields}}}')):
        details = shape(response)["details"]
        assert details.startswith(f"fields.{key}") or details.startswith("fields") and "valid text" in details
    assert requests_kept(db) == 0


@pytest.mark.parametrize("key", BAD_KEYS)
def test_a_hostile_key_is_a_400(api_as, db, template, key):
    employee = api_as(EMPLOYEE)
    fields = json.dumps(VALUES)[:-1] + f", {key}: 1}}"
    for response in (post_raw(employee, "/workflows", request_text(template, fields)),
                     post_raw(employee, f"/templates/{template['templateId']}/preview", f'{{"fields": {fields}}}')):
        shape(response)
    assert requests_kept(db) == 0


@pytest.mark.parametrize("fields", ['"x"', "[]", "7", "true", "[" * 60 + "]" * 60, DEEP])
def test_fields_that_are_not_an_object_are_a_400(api_as, db, template, fields):
    employee = api_as(EMPLOYEE)
    for response in (post_raw(employee, "/workflows", request_text(template, fields)),
                     post_raw(employee, f"/templates/{template['templateId']}/preview", f'{{"fields": {fields}}}')):
        shape(response)
    assert requests_kept(db) == 0


@pytest.mark.parametrize("template_id, status", [
    (f'"{SURROGATE}"', 400), ("[]", 400), ("7", 400),
    ('"tmpl_\\u0000"', 404), (json.dumps("t" * 5_000), 404), ('"tmpl_%2F..%2F"', 404)])
def test_a_hostile_template_id_is_a_4xx(api_as, db, template_id, status):
    employee = api_as(EMPLOYEE)
    text = f'{{"templateType": "TEMPLATE", "templateId": {template_id}, "fields": {{}}}}'
    shape(post_raw(employee, "/workflows", text), status)
    for path in ("t" * 5_000, "tmpl_%00", "%ED%A0%80"):
        shape(employee.get(f"/templates/{path}"), 404)
        shape(employee.post(f"/templates/{path}/preview", json={}), 404)
    assert requests_kept(db) == 0


def test_a_file_part_for_a_field_that_is_not_a_file_field_is_refused(api_as, db, template):
    import io

    employee = api_as(EMPLOYEE)
    payload = request_text(template, json.dumps(VALUES))
    for name in ("fields.item", "fields.nope", "fields." + "k" * 5_000):
        response = employee.client.post("/api/v1/workflows/multipart", headers=employee.headers, data={
            "payload": payload, name: (io.BytesIO(b"%PDF-1.4 quote"), "quote.pdf")})
        details = shape(response)["details"]
        assert "has no file field" in details
    assert requests_kept(db) == 0
