"""Settings → API keys: generate one (shown once, only its hash kept), list, revoke."""

import hashlib
import re

from momoflow.apikeys.models import ALL_SCOPES, ApiKey
from tests.flows.conftest import SEED_BODY
from tests.flows.pages import ADMIN, HR, error_of, post


def form(name, **fields):
    """The generate form as the page posts it: every scope ticked, no expiry."""
    return {"name": name, "scopes": list(ALL_SCOPES), "expires": "", **fields}


# --- Settings → API keys -----------------------------------------------------------


def test_api_keys_page_renders(client, demo, login_as):
    login_as(demo[ADMIN])
    response = client.get("/settings/api-keys")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'for="key-name"' in html and "Generate New Key" in html and "No API keys yet." in html


def test_a_new_key_is_shown_once_and_only_its_hash_is_stored(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = post(client, "/settings/api-keys", form("Workday sync"), htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code id="new-key-value"[^>]*>(mf_live_[0-9A-Za-z]+)</code>', html).group(1)
    assert "won't be shown again" in html and 'data-copy="new-key-value"' in html
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.name == "Workday sync"))
    assert api_key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [getattr(api_key, column.key) for column in ApiKey.__table__.columns]
    assert all(secret not in str(value) for value in stored)
    assert api_key.prefix == secret[:12] and f"{api_key.prefix}…" in html

    again = client.get("/settings/api-keys").get_data(as_text=True)
    assert secret not in again and f"{api_key.prefix}…" in again and "Workday sync" in again
    with client.session_transaction() as session:  # not flashed into the cookie either
        assert secret not in str(dict(session))


def test_a_key_name_too_long_is_an_inline_error(client, demo, login_as):
    login_as(demo[ADMIN])
    response = post(client, "/settings/api-keys", form("x" * 101), htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at most 100 characters" in error_of(html, "key-name") and "mf_live_" not in html


def test_revoking_a_key_refuses_it_at_once(client, demo, login_as, db):
    login_as(demo[ADMIN])
    html = post(client, "/settings/api-keys", form("HR system")).get_data(as_text=True)
    secret = re.search(r'>(mf_live_[0-9A-Za-z]+)<', html).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/v1/flows/assign", json=SEED_BODY, headers=headers).status_code == 200
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.name == "HR system"))
    assert "Last used" in client.get("/settings/api-keys").get_data(as_text=True)

    response = post(client, f"/settings/api-keys/{api_key.id}/revoke", htmx=True)
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and "Revoked" in row and "revoked" in row and secret not in row
    answer = client.post("/v1/flows/assign", json={**SEED_BODY, "userEmail": HR}, headers=headers)
    assert answer.status_code == 401
    assert answer.get_json() == {"error": "unauthorized", "message": "Invalid or missing API key"}


def test_revoke_without_javascript_redirects_and_unknown_keys_are_404(client, demo, login_as):
    login_as(demo[ADMIN])
    html = post(client, "/settings/api-keys", form("Old")).get_data(as_text=True)
    key_id = re.search(r'/settings/api-keys/([0-9a-f-]+)/revoke', html).group(1)
    response = post(client, f"/settings/api-keys/{key_id}/revoke")
    assert response.status_code == 303 and response.headers["Location"].endswith("/settings/api-keys")
    assert post(client, "/settings/api-keys/00000000-0000-0000-0000-000000000000/revoke").status_code == 404
    assert post(client, "/settings/api-keys/not-a-uuid/revoke").status_code == 404
