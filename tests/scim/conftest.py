"""SCIM fixtures: the demo organisation, an integrator (its key is no SCIM token), a
provisioning token, and the workflow API's callers (continuity on deactivation)."""

import pytest

from momoflow.scim import tokens
from tests.flows.conftest import demo_org, integrator  # noqa: F401  (fixtures)
from tests.workflows.conftest import api_as  # noqa: F401  (fixture)


class Provisioner:
    """Calls ``/scim/v2`` as an identity provider with one token."""

    def __init__(self, client, secret):
        self.client, self.secret = client, secret

    def _open(self, method, path, body=None, headers=None, **kwargs):
        return self.client.open(f"/scim/v2{path}", method=method, json=body,
                                headers={"Authorization": f"Bearer {self.secret}", **(headers or {})}, **kwargs)

    def get(self, path, **kwargs):
        return self._open("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self._open("POST", path, body, **kwargs)

    def put(self, path, body=None, **kwargs):
        return self._open("PUT", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self._open("PATCH", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self._open("DELETE", path, **kwargs)


@pytest.fixture
def okta(client, demo_org, db):  # noqa: F811
    _, secret = tokens.create_token(demo_org, "Okta")
    db.session.flush()
    return Provisioner(client, secret)
