"""/healthz says the process answers; /readyz whether it can work (database, Redis)."""

from tests.background.services import free_port


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_skips_redis_when_there_is_none(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_is_503_when_redis_is_configured_but_unreachable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody listens
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["checks"]["redis"].startswith("error")
    assert body["checks"]["database"] == "ok"


def test_readyz_is_ready_with_a_live_redis(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/7")
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["redis"] == "ok"
