"""Each field type's values, checked on the server in the seed's error shape."""

import pytest

from tests.request_templates.conftest import raise_from

FORM = [
    {"key": "summary", "label": "Summary", "type": "SHORT_TEXT", "required": True},
    {"key": "details", "label": "Details", "type": "LONG_TEXT"},
    {"key": "quantity", "label": "Quantity", "type": "NUMBER", "min": 1, "max": 100},
    {"key": "amount", "label": "Amount", "type": "AMOUNT", "min": 0, "currency": "eur"},
    {"key": "needed_by", "label": "Needed by", "type": "DATE"},
    {"key": "kind", "label": "Kind", "type": "CHOICE", "options": ["Hardware", "Software"]},
    {"key": "buyer", "label": "Buyer", "type": "PERSON"},
    {"key": "quote", "label": "Quote", "type": "FILE"},
]
MANAGER_ONLY = [{"levelName": "Manager approval", "tatHours": 24, "approverRule": {"type": "MANAGER"}}]


@pytest.fixture
def template(make_template):
    return make_template(fields=FORM, levels=MANAGER_ONLY)


def problems(response):
    assert response.status_code == 400, response.get_json()
    return response.get_json()["details"] if "details" in response.get_json() else response.get_json()


@pytest.mark.parametrize("values, path, message", [
    ({}, "fields.summary", "Summary is required"),
    ({"summary": "   "}, "fields.summary", "Summary is required"),
    ({"summary": 42}, "fields.summary", "Summary must be text"),
    ({"summary": "x" * 201}, "fields.summary", "Summary must be at most 200 characters"),
    ({"summary": "ok", "quantity": 0}, "fields.quantity", "Quantity must be at least 1"),
    ({"summary": "ok", "quantity": 101}, "fields.quantity", "Quantity must be at most 100"),
    ({"summary": "ok", "quantity": "many"}, "fields.quantity", "Quantity must be a number"),
    ({"summary": "ok", "quantity": True}, "fields.quantity", "Quantity must be a number"),
    ({"summary": "ok", "amount": -5}, "fields.amount", "Amount must be at least 0"),
    ({"summary": "ok", "amount": 10.005}, "fields.amount", "Amount can have at most two decimal places"),
    ({"summary": "ok", "amount": "1e400"}, "fields.amount", "Amount is too large"),
    ({"summary": "ok", "amount": "NaN"}, "fields.amount", "Amount must be a number"),
    ({"summary": "ok", "amount": "12,500"}, "fields.amount", "Amount must be a number"),
    ({"summary": "ok", "amount": 1e300}, "fields.amount", "Amount is too large"),
    ({"summary": "ok", "needed_by": "31/12/2026"}, "fields.needed_by", "Needed by must be a date such as 2026-12-31"),
    ({"summary": "ok", "kind": "Services"}, "fields.kind", "Kind must be one of: Hardware, Software"),
    ({"summary": "ok", "buyer": "not-an-email"}, "fields.buyer", "Buyer must be a valid email address"),
    ({"summary": "ok", "buyer": "nobody@company.com"}, "fields.buyer",
     "Buyer: nobody@company.com is not in the company directory"),
    ({"summary": "ok", "quote": "quote.pdf"}, "fields.quote",
     "Quote: attach the file with the request (multipart), a JSON body cannot carry one"),
    ({"summary": "ok", "colour": "red"}, "fields.colour", "This template has no field 'colour'"),
])
def test_each_field_type_refuses_bad_values_naming_the_field(template, employee_api, values, path, message):
    response = raise_from(employee_api, template, values)
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["success"] is False and body["error"] == "Validation failed"
    assert f"{path}: {message}" in body["details"]


def test_every_problem_is_reported_at_once(template, employee_api):
    body = raise_from(employee_api, template, {"quantity": 0, "kind": "x"}).get_json()
    assert "fields.summary: Summary is required" in body["details"]
    assert "fields.quantity: Quantity must be at least 1" in body["details"]
    assert "fields.kind: Kind must be one of: Hardware, Software" in body["details"]


def test_good_values_are_kept_in_their_types(template, employee_api):
    response = raise_from(employee_api, template, {
        "summary": "  New laptops ", "details": "For the team", "quantity": "3", "amount": 1250.5,
        "needed_by": "2027-01-15", "kind": "hardware", "buyer": "Spectator@RoyalEnfield.com"})
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert data["fields"] == {"summary": "New laptops", "details": "For the team", "quantity": 3,
                              "amount": 1250.5, "needed_by": "2027-01-15", "kind": "Hardware",
                              "buyer": "spectator@royalenfield.com"}
    assert data["templateType"] == "TEMPLATE"
    assert data["template"] == {"templateId": template["templateId"], "name": "Purchase request", "version": 1}


def test_a_file_field_takes_its_upload_through_multipart(template, employee_api):
    import io
    import json

    payload = {"templateType": "TEMPLATE", "templateId": template["templateId"], "fields": {"summary": "Quote"}}
    response = employee_api.post("/workflows/multipart", data={
        "payload": json.dumps(payload), "fields.quote": (io.BytesIO(b"%PDF-1.4 quote"), "quote.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    quote = data["fields"]["quote"]
    assert quote["fileName"] == "quote.pdf"
    assert quote["documentId"] in {document["documentId"] for document in data["documents"]}
