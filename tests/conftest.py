"""Fixtures: ``app``, ``db`` (rolled back after each test), ``client``, ``login_as``,
``demo``, ``count_queries``, ``live_server``, ``slapd``, ``idp`` (an OpenID provider) and the
strict mode that turns skips into failures.

The database is PostgreSQL when ``TEST_DATABASE_URL`` is set (CI sets it), otherwise a
SQLite file. Its schema is built once per session by running the migrations.
"""

import contextlib
import contextvars
import os
import re
import threading

import flask.globals
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from momoflow import create_app
from momoflow.auth.services import start_session
from momoflow.demo.seed import seed_demo
from momoflow.extensions import db as _db
from momoflow.extensions import limiter

STRICT = os.environ.get("MOMOFLOW_TEST_STRICT") == "1"
TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def need(condition, reason):
    """Skip when a service is missing; under MOMOFLOW_TEST_STRICT=1, fail instead."""
    if not condition:
        if STRICT:
            pytest.fail(f"strict mode: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"strict mode: a skipped test fails: {report.longrepr}"


# --- database ----------------------------------------------------------------------


def _postgres_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    name = sa.make_url(url).database or ""
    if "test" not in name:
        raise pytest.UsageError(f"TEST_DATABASE_URL names database {name!r}; its name must contain 'test' "
                                "because the suite drops and recreates its schema")
    return url


def _create_postgres_database(url):
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database})
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def _reset_schema(app):
    """Empty the test database, then build it with the migrations (which tests them too)."""
    from flask_migrate import upgrade

    with app.app_context():
        with _db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            else:
                for table in reversed(sa.inspect(connection).get_table_names()):
                    connection.exec_driver_sql(f'DROP TABLE "{table}"')
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _postgres_url()
    if url:
        _create_postgres_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'momoflow-test.db'}"


def make_test_app(database_url, tmp_path, **overrides):
    config = {
        "MOMOFLOW_ENV": "testing",
        "SECRET_KEY": TEST_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "EXPORT_FOLDER": str(tmp_path / "exports"),
        "LDAP_URL": None,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "SERVER_NAME": None,
        # Port 9 (discard) on loopback: nothing listens, so no test could ever reach a real
        # mail server; tests that check mail start their own (tests/notifications).
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 9,
        # The test OpenID provider listens on loopback over http (tests/sso).
        "SSO_ALLOW_LOOPBACK": True,
    }
    config.update(overrides)
    return create_app(config)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, like a real server, even when the test
    itself holds one: otherwise ``g`` (and Flask-Login's cached user) would leak from
    one request into the next."""

    def open(self, *args, **kwargs):
        # Buffered: a streamed answer (a CSV download) is read inside the request's own
        # context, as a server reads it, not later in the test's.
        kwargs.setdefault("buffered", True)

        def run():
            flask.globals._cv_app.set(None)
            return super(IsolatedClient, self).open(*args, **kwargs)

        return contextvars.copy_context().run(run)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    app.test_client_class = IsolatedClient
    _reset_schema(app)
    return app


@pytest.fixture
def db(app):
    """The database inside one transaction that is rolled back after the test.

    Sessions (the test's and every request's) share one connection; their commits
    only release savepoints inside the outer transaction.
    """
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        engines = _db.engines
        engine = engines[None]
        engines[None] = connection
        original_session = _db.session
        _db.session = _db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original_session
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    with app.app_context():
        limiter.reset()


@pytest.fixture
def client(app, db):
    return app.test_client()


def sign_in(client, user):
    """Sign ``user`` in on ``client`` (a test client) without going through the form."""
    start_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return user


@pytest.fixture
def login_as(client):
    """Sign ``user`` in on the test client without going through the form."""
    return lambda user: sign_in(client, user)


@pytest.fixture
def count_queries(db):
    """``with count_queries() as statements:`` collects every SQL statement sent to the
    database inside the block (the test's and its requests', which share a connection)."""

    @contextlib.contextmanager
    def counting():
        statements = []

        def record(connection, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        sa.event.listen(_db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", record)

    return counting


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html):
    match = CSRF_INPUT.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


# --- live server (browser tests) ---------------------------------------------------


@contextlib.contextmanager
def serving(app):
    """``app`` served over HTTP on a free loopback port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="session")
def live_server(app):
    """The session's app, served for the browser tests."""
    with serving(app) as url:
        yield url


@pytest.fixture
def demo(db):
    """The demo organisation (its 21 people and its flows, not its request templates: tests
    keep their own) in the test's transaction, as
    ``{email: user}``."""
    organization, people = seed_demo(templates=False, activity=False)
    db.session.flush()
    return {person.email: person for person in people}


@pytest.fixture
def committed_demo(app):
    """The demo organisation committed for real (a live server cannot see a test's
    transaction); every table is emptied afterwards."""
    with app.app_context():
        seed_demo(templates=False, activity=False)
        _db.session.commit()
        _db.session.remove()
    yield
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as connection:
            for table in reversed(_db.metadata.sorted_tables):
                connection.execute(table.delete())


# --- directory ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    from tests.ldap_server import SlapdServer, slapd_available

    need(slapd_available(), "OpenLDAP slapd is not installed (apt-get install slapd ldap-utils)")
    server = SlapdServer(tmp_path_factory.mktemp("slapd")).start()
    yield server
    server.stop()


# --- identity provider -----------------------------------------------------------------


@pytest.fixture(scope="session")
def openid_provider(tmp_path_factory, live_server):
    """A real OpenID provider on loopback (tests/sso/provider), with a client for MomoFlow's
    test client (``http://localhost``) and for the live server the browser tests use."""
    from tests.sso.provider import OpenIDProvider, node_ready

    problem = node_ready()
    need(problem is None, problem)
    provider = OpenIDProvider(tmp_path_factory.mktemp("openid-provider"),
                              ["http://localhost/login/sso/callback", f"{live_server}/login/sso/callback"]).start()
    yield provider
    provider.stop()


@pytest.fixture
def idp(openid_provider):
    """The provider with nobody in it yet: each test adds its own people."""
    openid_provider.accounts.clear()
    openid_provider._write_accounts()
    return openid_provider
