"""Per-key rate limits: in-process with small limits, then exact across two gunicorn
workers sharing Redis, and answering (from memory) when Redis is gone."""

import http.client
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from momoflow.accounts.models import Tier
from momoflow.apikeys.services import create_api_key
from momoflow.extensions import db as _db
from tests.background.conftest import redis_server  # noqa: F401  (fixture: a redis-server of the test's own)
from tests.conftest import TEST_SECRET_KEY
from tests.factories import make_org
from tests.flows.conftest import Integrator

ROOT = Path(__file__).resolve().parents[2]


def test_limits_are_per_key_by_tier_with_headers(client, integrator, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_STANDARD", "3 per minute")
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ENTERPRISE", "5 per minute")
    answers = [integrator.get("/flows") for _ in range(3)]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert all(a.headers["X-RateLimit-Limit"] == "3" and int(a.headers["X-RateLimit-Reset"]) > time.time()
               for a in answers)
    refused = integrator.post("/flows/assign", json={})  # every endpoint counts against the same key
    body = refused.get_json()
    assert refused.status_code == 429
    assert body == {"error": "rate_limit_exceeded",
                    "message": f"Too many requests. Please try again in {body['retry_after']} seconds",
                    "retry_after": body["retry_after"]}
    assert 1 <= body["retry_after"] <= 60 and refused.headers["Retry-After"] == str(body["retry_after"])
    assert (refused.headers["X-RateLimit-Limit"], refused.headers["X-RateLimit-Remaining"]) == ("3", "0")

    enterprise = make_org(tier=Tier.ENTERPRISE)
    _, secret = create_api_key(enterprise, "big")
    db.session.flush()
    big = Integrator(client, secret)
    assert [big.get("/flows").status_code for _ in range(6)] == [200] * 5 + [429]


# --- real processes -----------------------------------------------------------------


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(database_url, tmp_path):
    """``start(redis_url)`` serves the app with two gunicorn workers; the base URL and log."""
    processes = []

    def start(redis_url):
        port = _free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        env = {**os.environ, "MOMOFLOW_ENV": "production", "SECRET_KEY": TEST_SECRET_KEY,
               "DATABASE_URL": database_url, "REDIS_URL": redis_url, "SESSION_COOKIE_SECURE": "false",
               "UPLOAD_FOLDER": str(tmp_path / "uploads")}
        command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                   "--access-logfile", "-", "--access-logformat", "%(p)s %(s)s %(U)s"]
        with open(log, "w") as output:
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return f"127.0.0.1:{port}", log
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start:\n{log.read_text()}")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def _statuses(host, secret, count):
    """How many of ``count`` requests got each status. Each uses a new connection, so
    the two workers share them, and eight run at once, so all of them land well inside
    one rate-limit window even on a busy machine."""

    def send(_):
        connection = http.client.HTTPConnection(host, timeout=30)
        try:
            connection.request("GET", "/v1/flows", headers={"Authorization": f"Bearer {secret}"})
            return connection.getresponse().status
        finally:
            connection.close()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = Counter(pool.map(send, range(count)))
    assert time.monotonic() - started < 50, "too slow to stay inside one one-minute window"
    return statuses


@pytest.fixture
def keys(app, committed_demo):
    """A standard-tier key (the demo) and an enterprise-tier key, committed."""
    with app.app_context():
        from momoflow.accounts.services import find_organization

        _, standard = create_api_key(find_organization("demo"), "standard")
        enterprise_org = make_org(slug="big-co", tier=Tier.ENTERPRISE)
        _, enterprise = create_api_key(enterprise_org, "enterprise")
        _db.session.commit()
        _db.session.remove()
    return standard, enterprise


def test_limits_are_exact_across_two_workers_sharing_redis(gunicorn, keys, redis_server):
    # A Redis of its own: a shared one (another test run, anything else using it) could
    # flush or count in the same keys, and the limit would not look exact.
    host, log = gunicorn(redis_server.url)
    standard, enterprise = keys
    assert _statuses(host, standard, 101) == {200: 100, 429: 1}
    assert _statuses(host, enterprise, 1001) == {200: 1000, 429: 1}
    workers = {line.split()[0] for line in log.read_text().splitlines() if "/v1/flows" in line}
    assert len(workers) == 2, "both workers should have served requests"


def test_the_api_keeps_answering_when_redis_is_gone(gunicorn, keys):
    host, log = gunicorn(f"redis://127.0.0.1:{_free_port()}/0")  # nothing listens there
    assert _statuses(host, keys[0], 3) == {200: 3}
    assert "falling back to in-memory storage" in log.read_text()
