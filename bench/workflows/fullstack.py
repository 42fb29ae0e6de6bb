"""Whole requests through the Flask test client: routing, sign-in, queries, JSON or HTML.

Each path is requested WARMUP times, then timed BENCH_RUNS times (wall clock, in this
process, no network), just after as many requests to a bare route: the ratio to that
adjacent bare block holds up when other work slows the machine down for a while. Next to
the timings: how many SQL statements one request sent and how long it spent in them, and
any count() without a LIMIT it ran (none allowed, except counts per row of the page: grouped
by a key the statement restricts to a list, such as the inbox cards' attachments).
"""

import os
import re
import statistics
import time
from dataclasses import dataclass, field

from sqlalchemy import event
from werkzeug.exceptions import MethodNotAllowed, NotFound

RUNS = int(os.environ.get("BENCH_RUNS", "40"))
WARMUP = 5
BARE_PATH = "/__bench/bare"
STATIC_PATH = "/static/favicon.svg"
EXACT_COUNT = re.compile(r"\bcount\(", re.IGNORECASE)


@dataclass
class Timing:
    label: str
    who: str
    path: str
    samples: list = field(repr=False)
    bare_samples: list = field(repr=False)  # the bare route, timed just before the samples
    status: int = 200
    statements: int = 0  # per request
    sql_ms: float = 0.0  # median time per request spent executing SQL
    exact_counts: list = field(default_factory=list)

    @property
    def p50(self):
        return statistics.median(self.samples) * 1000

    @property
    def p95(self):
        return statistics.quantiles(self.samples, n=20, method="inclusive")[18] * 1000

    @property
    def times_bare(self):
        return statistics.median(self.samples) / statistics.median(self.bare_samples)


class SqlMeter:
    """Statements and seconds spent in the database by the request being timed."""

    def __init__(self, engine):
        self.statements, self.seconds, self.texts = 0, 0.0, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self):
        self.statements, self.seconds, self.texts = 0, 0.0, []

    def _before(self, connection, cursor, statement, parameters, context, executemany):
        context._bench_started = time.perf_counter()

    def _after(self, connection, cursor, statement, parameters, context, executemany):
        self.seconds += time.perf_counter() - context._bench_started
        self.statements += 1
        self.texts.append(statement)


def add_bare_route(app):
    """A route that does nothing, served by the same app: the floor for every timing."""
    app.add_url_rule(BARE_PATH, "bench_bare", lambda: "ok")


def route_exists(app, path):
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path.split("?")[0], method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    return endpoint != "static"


def signed_in_client(app, login_id):
    """A test client signed in as ``login_id`` (a user's ``get_id()`` after ``start_session``,
    as the tests' ``login_as`` does)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    return client


def time_path(client, meter, label, who, path, headers=None, bare_client=None):
    bare_samples = [_timed(bare_client or client, BARE_PATH) for _ in range(RUNS)]
    for _ in range(WARMUP):
        response = client.get(path, headers=headers)
    samples, sql_seconds = [], []
    for _ in range(RUNS):
        meter.reset()
        samples.append(_timed(client, path, headers))
        sql_seconds.append(meter.seconds)
    counts = [text for text in meter.texts if EXACT_COUNT.search(text) and "LIMIT" not in text.upper()
              and not _per_page_row(text)]
    return Timing(label, who, path, samples, bare_samples, response.status_code, meter.statements,
                  statistics.median(sql_seconds) * 1000, counts)


def _timed(client, path, headers=None):
    started = time.perf_counter()
    client.get(path, headers=headers)
    return time.perf_counter() - started


def measure(app, engine, cases, login_ids, tokens):
    """Baselines first, then every case as JSON and, where the route exists, as a page
    (``login_ids``: each person's page sign-in, ``tokens``: their API bearer token)."""
    meter = SqlMeter(engine)
    anonymous = app.test_client()
    heavy_api = {"Authorization": f"Bearer {tokens['heavy']}"}
    timings = [
        time_path(anonymous, meter, "bare Flask route (baseline)", "-", BARE_PATH),
        time_path(anonymous, meter, "static file (baseline)", "-", STATIC_PATH),
        time_path(anonymous, meter, "JSON auth/me: token + user", "heavy", "/api/v1/auth/me", heavy_api),
    ]
    for case in cases:
        headers = {"Authorization": f"Bearer {tokens[case.who]}"}
        timings.append(time_path(anonymous, meter, f"JSON {case.label}", case.who, case.api_path, headers))
    pages, missing = _page_timings(app, meter, cases, login_ids, anonymous)
    return timings + pages, missing


def _page_timings(app, meter, cases, login_ids, bare_client):
    clients = {who: signed_in_client(app, login_id) for who, login_id in login_ids.items()}
    timings, missing = [], set()
    for case in cases:
        path = case.page_path
        if path is None:
            continue
        if not route_exists(app, path):
            missing.add(path.split("?")[0] if case.query else "/requests/<id>")
            continue
        timings.append(time_path(clients[case.who], meter, f"page {case.label}", case.who, path,
                                 bare_client=bare_client))
    return timings, sorted(missing)


def _per_page_row(text):
    """A count per row of the page (GROUP BY over ``key IN (the page's ids)``): bounded by the page."""
    upper = text.upper()
    return "GROUP BY" in upper and " IN (" in upper
