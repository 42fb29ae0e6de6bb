"""Settings → Provisioning: a token shown once, the list, revoking, the latest changes."""

import re

import sqlalchemy as sa

from momoflow.scim import tokens
from momoflow.scim.models import ScimToken
from tests.factories import make_org
from tests.flows.pages import ADMIN, MANAGER, post

PAGE = "/settings/provisioning"


def test_an_admin_makes_a_token_sees_it_once_and_revokes_it(client, demo, login_as, db, okta):
    login_as(demo[ADMIN])
    page = client.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert re.search(r'<code id="scim-base-url" translate="no">http://[^<]+/scim/v2</code>', html)
    made = post(client, PAGE, {"name": "Entra ID"})
    html = made.get_data(as_text=True)
    secret = re.search(r'<code id="new-token-value"[^>]*>([^<]+)</code>', html).group(1)
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    assert tokens.token_for(secret).name == "Entra ID"
    assert secret not in client.get(PAGE).get_data(as_text=True)  # never again

    assert okta.post("/Users", {"userName": "new.hire@company.com", "displayName": "New Hire"}).status_code == 201
    assert "Created new.hire@company.com" in client.get(PAGE).get_data(as_text=True)

    token = tokens.token_for(secret)
    assert post(client, f"{PAGE}/{token.id}/revoke").status_code == 303
    assert tokens.token_for(secret) is None
    assert "Token “Entra ID” revoked" in client.get(PAGE).get_data(as_text=True)


def test_a_blank_name_is_an_inline_error(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = post(client, PAGE, {"name": "  "})
    assert response.status_code == 422 and 'id="token-name-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScimToken)) == 0


def test_only_admins_with_a_csrf_token_and_only_their_own_tokens(client, demo, login_as, db):
    other, _ = tokens.create_token(make_org(), "Theirs")
    db.session.flush()
    login_as(demo[MANAGER])
    assert client.get(PAGE).status_code == 403
    login_as(demo[ADMIN])
    assert client.post(PAGE, data={"name": "x"}).status_code == 400
    assert post(client, f"{PAGE}/{other.id}/revoke").status_code == 404
    assert db.session.get(ScimToken, other.id).revoked_at is None
