"""End-to-end background work: the app served over HTTP with ``REDIS_URL`` set, a Redis
server, an RQ worker pool, a webhook receiver and an SMTP server of our own, all against
the session's committed database."""

import pytest

from tests.background.services import RedisServer, WorkerPool, redis_available
from tests.conftest import TEST_SECRET_KEY, make_test_app, need, serving
from tests.notifications.conftest import SmtpServer, free_port
from tests.webhooks.receiver import Receiver

BASE_URL = "https://momoflow.example.com"

# Fast clocks so a test sees retries and ticks within seconds, not minutes.
FAST = {"TICK_SECONDS": "1", "WEBHOOK_RETRY_SCHEDULE": "1,1,1,1,1", "WEBHOOK_ALLOW_LOOPBACK": "1",
        "WORKER_MAINTENANCE_SECONDS": "1"}


@pytest.fixture
def redis_server():
    need(redis_available(), "redis-server is not installed (apt-get install redis-server)")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    server = SmtpServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


@pytest.fixture
def background_app(database_url, redis_server, smtp, tmp_path):
    """The app as production runs it: jobs go to RQ on ``redis_server``."""
    return make_test_app(database_url, tmp_path, REDIS_URL=redis_server.url, TICK_SECONDS=1,
                         WEBHOOK_RETRY_SCHEDULE=FAST["WEBHOOK_RETRY_SCHEDULE"], WEBHOOK_ALLOW_LOOPBACK=True,
                         SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, BASE_URL=BASE_URL)


@pytest.fixture
def served(background_app):
    with serving(background_app) as url:
        yield url


@pytest.fixture
def worker_environment(database_url, redis_server, smtp):
    """What the workers are configured by: the environment alone, as in production."""
    return {"MOMOFLOW_ENV": "testing", "SECRET_KEY": TEST_SECRET_KEY, "DATABASE_URL": database_url,
            "REDIS_URL": redis_server.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port),
            "BASE_URL": BASE_URL, "WEBHOOK_TIMEOUT": "2", **FAST}


@pytest.fixture
def workers(worker_environment, tmp_path):
    pool = WorkerPool(worker_environment, tmp_path / "worker.log").start()
    yield pool
    pool.stop()
