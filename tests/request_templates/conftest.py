"""Template fixtures: the demo organisation's admin keeps templates through the API."""

import pytest

from tests.workflows.conftest import Api, api_as, simple_request  # noqa: F401  (fixtures)

ADMIN, EMPLOYEE = "admin@company.com", "employee@company.com"


def purchase_request_definition(**changes):
    """Manager; finance when amount > 10,000; the CFO when amount > 50,000."""
    definition = {
        "name": "Purchase request",
        "description": "Buying goods or services for the company.",
        "category": "Finance",
        "instructions": "Attach the quotation.",
        "fields": [
            {"key": "item", "label": "Item", "type": "SHORT_TEXT", "required": True},
            {"key": "amount", "label": "Amount", "type": "AMOUNT", "required": True, "min": 0, "currency": "INR"},
        ],
        "levels": [
            {"levelName": "Manager approval", "tatHours": 24, "approverRule": {"type": "MANAGER"}},
            {"levelName": "Finance", "tatHours": 48,
             "approverRule": {"type": "PEOPLE", "emails": ["finance-manager@royalenfield.com"]},
             "condition": {"field": "amount", "op": ">", "value": 10000}},
            {"levelName": "CFO", "tatHours": 48,
             "approverRule": {"type": "PEOPLE", "emails": ["cfo@royalenfield.com"]},
             "condition": {"field": "amount", "op": ">", "value": 50000}},
        ],
    }
    definition.update(changes)
    return definition


@pytest.fixture
def admin_api(api_as):
    return api_as(ADMIN)


@pytest.fixture
def employee_api(api_as):
    return api_as(EMPLOYEE)


@pytest.fixture
def make_template(admin_api):
    def make(definition=None, **changes):
        response = admin_api.post("/templates", json=definition or purchase_request_definition(**changes))
        assert response.status_code == 201, response.get_json()
        return response.get_json()["data"]

    return make


def raise_from(api, template, fields, **extra):
    return api.post("/workflows", json={"templateType": "TEMPLATE", "templateId": template["templateId"],
                                        "fields": fields, **extra})
