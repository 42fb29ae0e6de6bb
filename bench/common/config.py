"""What every benchmark shares: its own PostgreSQL database (never one without "bench" in
its name), the schema built by the app's migrations, and the app configured as in production."""

import os

import sqlalchemy as sa

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/momoflow_bench"
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"

def database_url(variable="BENCH_DATABASE_URL", default=DEFAULT_DATABASE_URL):
    """``variable`` or the default; its name must contain "bench" (it gets emptied)."""
    url = sa.make_url(os.environ.get(variable, default))
    url = url.set(drivername="postgresql+psycopg")
    if "bench" not in (url.database or ""):
        raise SystemExit(f"refusing database {url.database!r}: the benchmark empties it, so its name "
                         "must contain 'bench'")
    return url


def libpq_dsn(url):
    """The same URL for psycopg itself (no SQLAlchemy driver suffix)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_database(url):
    """Create the database if it does not exist yet."""
    import psycopg

    with psycopg.connect(libpq_dsn(url.set(database="postgres")), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [url.database]).fetchone():
            connection.execute(f'CREATE DATABASE "{url.database}"')


def migrate(app):
    """Build or update the benchmark database's schema with the app's own migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def make_app(url):
    """The real app on the benchmark database, configured as in production (minus https cookies)."""
    from momoflow import create_app

    return create_app({
        "MOMOFLOW_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
        "SESSION_COOKIE_SECURE": False,
        "LDAP_URL": None,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
    })
