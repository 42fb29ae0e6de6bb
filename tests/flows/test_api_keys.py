"""API keys: their shape, storage (hash only), logging (never), and bulk assignment at scale."""

import logging
from datetime import timedelta

from momoflow.accounts.models import User
from momoflow.apikeys.keys import PREFIX, generate_key, hash_key, is_well_formed
from momoflow.apikeys.models import ApiKey
from momoflow.apikeys.services import api_key_for
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
