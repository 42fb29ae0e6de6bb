"""What the assign benchmark's scripts share: its database, Redis, people, flows and app settings.

The database is its own (``momoflow_bench_assign``), so this benchmark and the workflow
one (``momoflow_bench``) never empty each other's data.
"""

import os

from bench.common import config
from bench.common.config import SECRET_KEY, ensure_database, libpq_dsn, migrate  # noqa: F401  (re-exported)

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/momoflow_bench_assign"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"  # a database of its own: the run FLUSHDBs it
# High enough never to refuse during a run, so the limiter is counted but never in the way.
RATE_LIMIT = "1000000 per minute"

ORG_SLUG = "bench-assign"
SEEDED_KEY_NAME = "HR system (seeded)"  # its rows survive between runs; the runs' own keys do not
SEEDED_ANSWERS = 100_000  # a day of that HR system's requests, each answer kept for idempotency
EMAIL_DOMAIN = "bench.example.com"
PEOPLE = 100_000
FLOWS = 1_000
SEEDED_PER_PERSON = 2  # existing assignments per person (flows SEEDED_FLOW(p, 0..1))
FLOW_STRIDE = 389  # coprime with FLOWS: person p's k-th flow is (7p + 389k) mod FLOWS


def email_of(number):
    return f"person{number:06d}@{EMAIL_DOMAIN}"


def flow_public_id(number):
    return f"flow_bench{number:07d}"


def flow_number(person, k):
    """The k-th flow of ``person``: k < SEEDED_PER_PERSON are seeded, later ones are free."""
    return (7 * person + FLOW_STRIDE * k) % FLOWS


def free_pair(n):
    """The n-th (flow public id, email) nobody has yet: distinct for every n < PEOPLE * (FLOWS - 2)."""
    person, round_ = n % PEOPLE, n // PEOPLE
    return flow_public_id(flow_number(person, SEEDED_PER_PERSON + round_)), email_of(person)


def database_url():
    return config.database_url("BENCH_ASSIGN_DATABASE_URL", DEFAULT_DATABASE_URL)


def redis_url():
    return os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)


def app_environment(url):
    """The environment production is configured by (README, Configuration), for this benchmark."""
    return {
        "MOMOFLOW_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": url.render_as_string(hide_password=False),
        "REDIS_URL": redis_url(),
        "API_RATE_LIMIT_STANDARD": RATE_LIMIT,
        "API_RATE_LIMIT_ENTERPRISE": RATE_LIMIT,
    }


def make_app(url):
    """The real app in this process, configured exactly as the gunicorn workers are."""
    from momoflow import create_app

    saved = {name: os.environ.get(name) for name in app_environment(url)}
    os.environ.update(app_environment(url))
    try:
        return create_app()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
