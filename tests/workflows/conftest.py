"""Workflow fixtures: API callers (``demo`` is in tests/conftest.py) and request bodies."""

import pytest


class Api:
    """Calls ``/api/v1`` as one person, with the token ``/auth/login`` gave them."""

    def __init__(self, client, token):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.client.put(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)

    def delete(self, path, **kwargs):
        return self.client.delete(f"/api/v1{path}", headers=self.headers, **kwargs)


@pytest.fixture
def api_as(client, demo, app):
    """``api_as("manager@royalenfield.com")`` signs in through the API and returns an Api."""
    tokens = {}

    def sign_in(email):
        if email not in tokens:
            response = client.post("/api/v1/auth/login",
                                   json={"email": email, "password": app.config["DEMO_PASSWORD"]})
            assert response.status_code == 200, response.get_json()
            tokens[email] = response.get_json()["data"]["token"]
        return Api(client, tokens[email])

    return sign_in


def simple_request(*approver_emails, spectators=(), **fields):
    body = {
        "templateType": "CUSTOM",
        "title": "Purchase Order",
        "description": "Office equipment",
        "priority": "STANDARD",
        "approvalLevels": [{"email": email, "tatHours": 24} for email in approver_emails],
        "spectators": [{"email": email} for email in spectators],
    }
    body.update(fields)
    return body
