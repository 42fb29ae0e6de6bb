"""Settings → API keys: generate one (shown once, only its hash kept) with scopes and an expiry,
list (scopes, last use, expiry), revoke."""

import hashlib
import re
from datetime import datetime, timedelta

import pytest

from momoflow.apikeys.labels import expiry_text, last_use_text, state_text
from momoflow.apikeys.models import ALL_SCOPES, ApiKey
from momoflow.apikeys.services import (
    EXPIRY_IN_THE_PAST,
    EXPIRY_NOT_A_DATE,
    NO_SCOPE,
    UNKNOWN_SCOPE,
    create_api_key,
)
from momoflow.database import utcnow
from tests.flows.conftest import SEED_BODY
from tests.flows.pages import ADMIN, HR, error_of, post


def form(name, **fields):
    """The generate form as the page posts it: every scope ticked, no expiry."""
    return {"name": name, "scopes": list(ALL_SCOPES), "expires": "", **fields}


def row_of(html, api_key):
    """The list's row for ``api_key``: from its ``<li class="key-row …">`` to the next row's."""
    start = html.rindex('<li class="key-row', 0, html.index(f'id="key-{api_key.id}"'))
    end = html.find('<li class="key-row', start + 1)
    return html[start:end if end != -1 else None]


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


# --- scopes and expiry ----------------------------------------------------------------


def test_every_scope_is_ticked_by_default(client, demo, login_as):
    login_as(demo[ADMIN])
    html = client.get("/settings/api-keys").get_data(as_text=True)
    for scope in ALL_SCOPES:
        assert re.search(rf'<input type="checkbox" id="key-scope-{scope.replace(":", "-")}" name="scopes" '
                         rf'value="{scope}" checked>', html)
    assert 'type="date" id="key-expires" name="expires"' in html


def test_a_key_gets_the_scopes_ticked_and_its_expiry(client, demo, login_as, db):
    login_as(demo[ADMIN])
    expires = (utcnow() + timedelta(days=12, hours=12)).date().isoformat()  # its start: 11.5 to 12.5 days away
    response = post(client, "/settings/api-keys", form("Reports", scopes=["reports:read", "flows:read"],
                                                       expires=expires), htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.name == "Reports"))
    assert api_key.scopes == ["flows:read", "reports:read"]
    assert api_key.expires_at == datetime.fromisoformat(f"{expires}T00:00:00+00:00")
    row = row_of(html, api_key)
    assert 'class="key-row key-row--active"' in row
    assert re.findall(r'<li class="badge badge--scope">([^<]+)</li>', row) == ["flows:read", "reports:read"]
    assert "Never used" in row and "Expires in 12 days" in row


@pytest.mark.parametrize("fields, anchor, message", [
    ({"scopes": []}, "key-scopes", NO_SCOPE),
    ({"scopes": ["flows:read", "flows:delete"]}, "key-scopes", UNKNOWN_SCOPE),
    ({"expires": "2000-01-01"}, "key-expires", EXPIRY_IN_THE_PAST),
    ({"expires": "31/01/2030"}, "key-expires", EXPIRY_NOT_A_DATE),
])
def test_the_forms_mistakes_are_inline_errors(client, demo, login_as, db, fields, anchor, message):
    login_as(demo[ADMIN])
    response = post(client, "/settings/api-keys", form("Mistaken", **fields), htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and error_of(html, anchor) == message and "mf_live_" not in html
    assert db.session.scalar(db.select(db.func.count(ApiKey.id))) == 0
    # what was entered comes back: the name, the boxes ticked (none, here, if none were), the date
    assert 'value="Mistaken"' in html
    ticked = re.findall(r'name="scopes" value="([^"]+)" checked', html)
    assert ticked == [scope for scope in ALL_SCOPES if scope in form("", **fields)["scopes"]]


def test_every_mistake_is_shown_at_once(client, demo, login_as):
    login_as(demo[ADMIN])
    html = post(client, "/settings/api-keys", form("x" * 101, scopes=[], expires="2000-01-01"),
                htmx=True).get_data(as_text=True)
    assert error_of(html, "key-name") and error_of(html, "key-scopes") == NO_SCOPE
    assert error_of(html, "key-expires") == EXPIRY_IN_THE_PAST


def test_the_list_says_when_a_key_was_last_used_and_whether_it_expired(client, demo, login_as, db):
    login_as(demo[ADMIN])
    organization = demo[ADMIN].organization
    used, _ = create_api_key(organization, "Used", ["flows:assign"])
    expired, _ = create_api_key(organization, "Lapsed", expires_on=(utcnow() + timedelta(days=1)).date().isoformat())
    used.last_used_at, used.last_used_from = utcnow() - timedelta(minutes=3, seconds=5), "203.0.113.7"
    expired.expires_at = utcnow() - timedelta(days=1)
    db.session.flush()
    html = client.get("/settings/api-keys").get_data(as_text=True)
    used_row = row_of(html, used)
    assert 'class="key-row key-row--active"' in used_row and "Last used 3 minutes ago from 203.0.113.7" in used_row and "Never expires" in used_row
    expired_row = row_of(html, expired)
    assert 'class="key-row key-row--expired"' in expired_row and '<span class="badge badge--key-expired">Expired</span>' in expired_row and "Never used" in expired_row
    # revoking an expired key still works, and says so
    row = post(client, f"/settings/api-keys/{expired.id}/revoke", htmx=True).get_data(as_text=True)
    assert "badge--key-revoked" in row


@pytest.mark.parametrize("seconds, text", [(30, "less than a minute"), (61, "1 minute"), (3 * 60 + 5, "3 minutes"),
                                           (90 * 60, "2 hours"), (36 * 3600, "2 days"), (12 * 86400 - 600, "12 days")])
def test_spans_read_in_the_largest_unit_they_reach(seconds, text):
    now = utcnow()
    key = ApiKey(revoked_at=None, expires_at=now + timedelta(seconds=seconds),
                 last_used_at=now - timedelta(seconds=seconds), last_used_from=None)
    assert expiry_text(key, now) == f"Expires in {text}" and last_use_text(key, now) == f"Last used {text} ago"
    assert state_text(key, now) == "Active" and state_text(key, key.expires_at) == "Expired"
