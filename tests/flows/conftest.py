"""Flow fixtures: the demo organisation (``demo`` is in tests/conftest.py) and integrator API callers."""

import pytest

from momoflow.apikeys.services import create_api_key
from tests.flows.report_data import report_data  # noqa: F401  (fixture: the reports' hand-counted data)


@pytest.fixture
def demo_org(demo):
    return demo["admin@company.com"].organization


class Integrator:
    """Calls ``/v1`` with one API key."""

    def __init__(self, client, secret):
        self.client = client
        self.secret = secret

    def headers(self, extra=None):
        return {"Authorization": f"Bearer {self.secret}", **(extra or {})}

    def post(self, path, json=None, headers=None, **kwargs):
        return self.client.post(f"/v1{path}", json=json, headers=self.headers(headers), **kwargs)

    def get(self, path, headers=None, **kwargs):
        return self.client.get(f"/v1{path}", headers=self.headers(headers), **kwargs)


@pytest.fixture
def integrator(client, demo_org, db):
    api_key, secret = create_api_key(demo_org, "HR system")
    db.session.flush()
    return Integrator(client, secret)


SEED_BODY = {
    "flowId": "flow_123abc",
    "userEmail": "employee@company.com",
    "dueDate": "2024-11-25T23:59:59Z",
    "priority": "high",
    "notes": "Please complete this onboarding flow before the team meeting",
}
