"""/healthz says the process answers; /readyz whether it can work (database, Redis)."""

from tests.background.services import free_port


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_the_database_and_skips_redis_when_there_is_none(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_reports_redis_down_but_stays_ready(app, client, monkeypatch):
    """Without Redis the app still serves (limits in memory, jobs waiting in the outbox):
    taking every instance out of rotation would make a Redis outage a full outage."""
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody listens
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded" and body["checks"]["redis"].startswith("error")
    assert body["checks"]["database"] == "ok"


def test_readyz_is_503_without_the_database(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from momoflow import health

    def unreachable():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(health.db.session, "execute", lambda *args, **kwargs: unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"


def test_readyz_is_ready_with_a_live_redis(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/7")
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["redis"] == "ok"
