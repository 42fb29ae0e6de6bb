"""API keys: their shape, storage (hash only), logging (never), expiry, last use, the command line,
and bulk assignment at scale."""

import logging
from datetime import datetime, timedelta

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from momoflow.accounts.models import User
from momoflow.apikeys.keys import PREFIX, generate_key, hash_key, is_well_formed
from momoflow.apikeys.models import ALL_SCOPES, ApiKey
from momoflow.apikeys.services import (
    EXPIRY_IN_THE_PAST,
    EXPIRY_NOT_A_DATE,
    api_key_for,
    create_api_key,
    last_use_is_due,
    note_use,
)
from momoflow.database import utcnow
from momoflow.errors import ValidationFailed
from momoflow.flows.models import Assignment


def test_keys_are_prefixed_and_checksummed():
    key = generate_key()
    assert key.startswith(PREFIX) and len(key) == len(PREFIX) + 38 and is_well_formed(key)
    flipped = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert not is_well_formed(flipped) and not is_well_formed(key[:-1]) and not is_well_formed("sk_live_x")


def test_malformed_keys_never_reach_the_database(db, demo_org, monkeypatch):
    calls = []
    monkeypatch.setattr(db.session, "scalar", lambda *a, **k: calls.append(a))
    assert api_key_for("mf_live_" + "a" * 38) is None and calls == []


def test_only_a_hash_is_stored_and_nothing_is_logged(integrator, db, caplog):
    caplog.set_level(logging.DEBUG)
    assert integrator.post("/flows/assign", json={"flowId": "flow_sec101", "userEmail": "hr@example.com"}
                           ).status_code == 200
    stored = db.session.scalar(db.select(ApiKey))
    assert stored.key_hash == hash_key(integrator.secret) and stored.prefix == integrator.secret[:12]
    row = db.session.execute(db.select(ApiKey.__table__)).one()
    assert all(integrator.secret not in str(value) for value in row)
    assert integrator.secret not in caplog.text
    assert stored.last_used_at is not None


def test_reads_and_failed_requests_note_the_last_use_too(integrator, db):
    assert integrator.get("/flows").status_code == 200
    first_use = db.session.scalar(db.select(ApiKey.last_used_at))
    assert first_use is not None
    db.session.execute(db.update(ApiKey).values(last_used_at=first_use - timedelta(minutes=5)))
    assert integrator.post("/flows/assign", json={"flowId": "flow_nope", "userEmail": "hr@example.com"}
                           ).status_code == 404
    assert db.session.scalar(db.select(ApiKey.last_used_at)) >= first_use


def test_bulk_assigns_a_thousand_people_in_one_request(integrator, demo_org, db):
    db.session.execute(db.insert(User), [
        {"organization_id": demo_org.id, "email": f"new.hire{n}@company.com", "display_name": f"New Hire {n}"}
        for n in range(1000)])
    items = [{"flowId": "flow_123abc", "userEmail": f"new.hire{n}@company.com", "dueDate": "2030-01-31"}
             for n in range(1000)]
    response = integrator.post("/flows/assign/bulk", json={"assignments": items})
    body = response.get_json()
    assert response.status_code == 200 and (body["assigned"], body["failed"]) == (1000, 0)
    assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 1000
    too_many = integrator.post("/flows/assign/bulk", json={"assignments": items + items[:1]})
    assert too_many.status_code == 400


def test_creating_a_key_from_the_command_line(app, db, demo_org):
    result = app.test_cli_runner().invoke(args=["create-api-key", "--org", "demo", "--name", "Workday"])
    secret = result.stdout.strip().splitlines()[-1]
    assert result.exit_code == 0 and is_well_formed(secret)
    assert api_key_for(secret).name == "Workday"


# --- expiry -------------------------------------------------------------------------


def test_an_expired_key_is_refused_like_an_unknown_one(client, demo_org, db):
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    api_key, secret = create_api_key(demo_org, "Until tomorrow", expires_on=tomorrow)
    assert api_key.expires_at == datetime.fromisoformat(f"{tomorrow}T00:00:00+00:00")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/v1/flows", headers=headers).status_code == 200

    db.session.execute(db.update(ApiKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = client.get("/v1/flows", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "message": "Invalid or missing API key"}
    assert api_key_for(secret) is None


@pytest.mark.parametrize("expires_on, message", [
    ("2000-01-01", EXPIRY_IN_THE_PAST), ("today", EXPIRY_NOT_A_DATE), ("2030-02-30", EXPIRY_NOT_A_DATE),
    ("2030-01-01T00:00:00Z", EXPIRY_NOT_A_DATE), (["2030-01-01"], EXPIRY_NOT_A_DATE)])
def test_an_expiry_must_be_a_future_date(demo_org, expires_on, message):
    with pytest.raises(ValidationFailed) as refused:
        create_api_key(demo_org, "x", expires_on=expires_on)
    assert refused.value.problems == [("expires", message)]


def test_today_is_not_in_the_future(demo_org):
    with pytest.raises(ValidationFailed):
        create_api_key(demo_org, "x", expires_on=utcnow().date().isoformat())


# --- last use -----------------------------------------------------------------------


def last_use(db):
    db.session.expire_all()
    return db.session.execute(db.select(ApiKey.last_used_at, ApiKey.last_used_from)).one()


def test_the_last_use_is_recorded_with_the_clients_address(integrator, db):
    assert last_use(db) == (None, None)
    before = utcnow()
    integrator.get("/flows", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    used_at, used_from = last_use(db)
    assert before <= used_at <= utcnow() and used_from == "203.0.113.7"


def test_the_last_use_is_written_at_most_once_a_minute(integrator, db):
    integrator.get("/flows", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    first = last_use(db)
    integrator.get("/flows", environ_base={"REMOTE_ADDR": "198.51.100.4"})  # within the minute: no write
    assert last_use(db) == first

    a_while_ago = first.last_used_at - timedelta(minutes=2)
    db.session.execute(db.update(ApiKey).values(last_used_at=a_while_ago))
    integrator.get("/flows", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    used_at, used_from = last_use(db)
    assert used_at > first.last_used_at and used_from == "198.51.100.4"


def test_racing_requests_write_the_last_use_once(integrator, db):
    """Two requests that both read "never used" (or a stale use) before either wrote: the
    UPDATE's own condition lets only the first through."""
    first, second = api_key_for(integrator.secret), api_key_for(integrator.secret)
    assert last_use_is_due(first) and last_use_is_due(second)
    assert note_use(first, "203.0.113.7") is True
    assert note_use(second, "198.51.100.4") is False
    assert last_use(db).last_used_from == "203.0.113.7"


def test_behind_a_trusted_proxy_the_forwarded_client_is_recorded(app, integrator, db, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", ProxyFix(app.wsgi_app, x_for=1))  # TRUSTED_PROXIES = 1
    integrator.get("/flows", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert last_use(db).last_used_from == "203.0.113.7"


@pytest.mark.parametrize("address, kept", [("2001:DB8::1", "2001:db8::1"), ("not an address", None),
                                           ("10.0.0.1\x00", None), (None, None)])
def test_only_an_ip_address_is_kept(integrator, db, address, kept):
    assert note_use(api_key_for(integrator.secret), address) is True
    assert last_use(db).last_used_from == kept


# --- the command line ---------------------------------------------------------------


def test_the_command_line_takes_scopes_and_an_expiry(app, db, demo_org):
    expires = (utcnow() + timedelta(days=30)).date().isoformat()
    result = app.test_cli_runner().invoke(args=["create-api-key", "--org", "demo", "--name", "Reports",
                                                "--scope", "reports:read", "--scope", "flows:read",
                                                "--expires", expires])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert is_well_formed(secret) and result.stdout.strip() == secret
    assert api_key_for(secret).scopes == {"flows:read", "reports:read"}
    stored = db.session.scalar(db.select(ApiKey).where(ApiKey.name == "Reports"))
    assert stored.scopes == ["flows:read", "reports:read"] and stored.expires_at.date().isoformat() == expires


def test_the_command_line_gives_every_scope_by_default_and_refuses_bad_ones(app, db, demo_org):
    runner = app.test_cli_runner()
    secret = runner.invoke(args=["create-api-key", "--org", "demo"]).stdout.strip().splitlines()[-1]
    assert api_key_for(secret).scopes == set(ALL_SCOPES)
    unknown = runner.invoke(args=["create-api-key", "--org", "demo", "--scope", "flows:delete"])
    past = runner.invoke(args=["create-api-key", "--org", "demo", "--name", "Old", "--expires", "2000-01-01"])
    assert unknown.exit_code == 2 and "flows:delete" in unknown.output
    assert past.exit_code == 1 and EXPIRY_IN_THE_PAST in past.output
    assert db.session.scalar(db.select(db.func.count(ApiKey.id))) == 1
