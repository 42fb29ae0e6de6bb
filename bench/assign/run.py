"""``POST /v1/flows/assign`` under load, next to a bare Flask JSON endpoint, in one run.

Run ``python -m bench.assign`` after ``python -m bench.assign.generate``. It
1. removes what earlier runs assigned, creates a fresh API key in the enterprise
   organisation and empties its Redis database (rate-limit counters);
2. serves the app, ``bench.assign.bare_app`` and ``bench.assign.naive_app`` (the issue's naive stack, with
   a key of its own) with the Procfile's gunicorn command (production settings from the
   environment only; limits at ``RATE_LIMIT`` so they count, never refuse);
3. drives each with ``bench.common.loadgen`` at 16 and 64 connections: bare, naive, then assign.
   Every assign request has a (flow, person) pair nobody has and its own X-Request-ID, so an
   assignment, its event and an idempotency record are written every time;
4. times ``POST /v1/flows/assign/bulk`` with 1,000 items;
5. checks the database holds exactly what the 200s promised (one assignment, one event
   and one idempotency record each) and that a repeated X-Request-ID replays;
6. prints the tables and profiles the assign path in this process (``bench.assign.report``,
   ``bench.assign.profiling``, ``bench.assign.lean``).
It exits 1 if a check fails: throughput of wrong answers means nothing.
"""

import http.client
import itertools
import json
import logging
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import psycopg

from bench.assign import report as assign_report
from bench.common import loadgen
from bench.assign.config import (FLOWS, ORG_SLUG, PEOPLE, RATE_LIMIT, SEEDED_ANSWERS, SEEDED_KEY_NAME,
                                 app_environment, database_url,
                                 free_pair, libpq_dsn, make_app, redis_url)
from bench.assign.profiling import assign_body, assign_item
from bench.assign.report import BULK_ITEMS, BULK_PATH
from bench.common.serving import ROOT, WORKERS, CpuMeter, Server, machine_busy_share, pids_named

SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
CONNECTIONS = tuple(int(n) for n in os.environ.get("BENCH_CONNECTIONS", "16,64").split(","))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))  # the machine is shared: more rounds, fewer flukes
QUIET_WAIT = float(os.environ.get("BENCH_QUIET_WAIT", "120"))  # seconds to wait for other work to calm down
QUIET_BELOW = 0.25  # share of both cores busy in one second that counts as quiet
BULK_RUNS = int(os.environ.get("BENCH_BULK_RUNS", "3"))
PROFILE_REQUESTS = int(os.environ.get("BENCH_PROFILE_REQUESTS", "500"))
ASSIGN_PATH, BARE_PATH, NAIVE_PATH = "/v1/flows/assign", "/bare", "/naive"
LOG_PATH = Path(tempfile.gettempdir()) / "momoflow-bench-assign-gunicorn.log"
APP_LOG_PATH = Path(tempfile.gettempdir()) / "momoflow-bench-assign-inprocess.log"

RUN_KEYS = f"SELECT id FROM api_keys WHERE name <> '{SEEDED_KEY_NAME}'"
RESET_SQL = (
    f"DELETE FROM events WHERE subject_id IN (SELECT id FROM assignments WHERE assigned_by_api_key_id IN ({RUN_KEYS}))",
    f"DELETE FROM assignments WHERE assigned_by_api_key_id IN ({RUN_KEYS})",
    f"DELETE FROM idempotency_records WHERE api_key_id IN ({RUN_KEYS})",
    f"DELETE FROM api_keys WHERE id IN ({RUN_KEYS})",
)
# What autovacuum would keep analysed as a run grows them (it is off on some servers: see _autovacuum).
GROWING_TABLES = "assignments, events, idempotency_records"
# This database's connections (the app's) and PostgreSQL's own processes (WAL writer, …).
POSTGRES_PIDS_SQL = ("SELECT pid FROM pg_stat_activity WHERE (datname = current_database() "
                     "AND pid <> pg_backend_pid()) OR backend_type <> 'client backend'")


def main():
    sys.stdout.reconfigure(line_buffering=True)
    # The in-process app logs (one line per assign) to a file, as gunicorn's workers log to theirs;
    # a handler in place keeps create_app from adding its stderr one, at the same level.
    logging.basicConfig(filename=APP_LOG_PATH, level=logging.INFO,
                        format="%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    url = database_url()
    app = make_app(url)
    run_id = f"bench-{time.strftime('%Y%m%dT%H%M%S')}"
    with psycopg.connect(libpq_dsn(url), autocommit=True) as connection:
        _check_seed(connection)
        _reset(connection)
        secret, key_id = _new_key(app)
        naive_secret, naive_key_id = _new_key(app)
        _flush_redis()
        pairs = PairNumbers()
        print(_header(url))
        assign_server = Server("wsgi:app", app_environment(url), LOG_PATH)
        bare_server = Server("bench.assign.bare_app:app", app_environment(url), LOG_PATH)
        naive_server = Server("bench.assign.naive_app:app", app_environment(url), LOG_PATH)
        endpoints = (Endpoint("bare", bare_server, BARE_PATH, secret),
                     Endpoint("naive", naive_server, NAIVE_PATH, naive_secret),
                     Endpoint("assign", assign_server, ASSIGN_PATH, secret))
        try:
            print(f"gunicorn (Procfile web:, WEB_CONCURRENCY={WORKERS}): {assign_server.command}\n"
                  f"  baselines: {bare_server.command}; {naive_server.command}\n  log: {LOG_PATH}\n")
            sent, naive_sent = _warm(endpoints, run_id, pairs)
            cases = _load(connection, endpoints, run_id, pairs)
            bulks = [_bulk(assign_server, secret, run_id, pairs) for _ in range(BULK_RUNS)]
            replay = _replay(assign_server, secret, run_id)
        finally:
            for endpoint in endpoints:
                endpoint.server.stop()
        ok_200 = sent + _answered_200(cases, "assign")
        problems = _check(connection, key_id, ok_200, bulks, replay)
        problems += _check_naive(connection, naive_key_id, naive_sent + _answered_200(cases, "naive"))
    assign_report.load(cases, ROUNDS, CONNECTIONS, WORKERS)
    assign_report.bulk(bulks)
    print("\n## Checks\n")
    print("\n".join(problems) if problems else
          f"OK: {ok_200:,} single assigns answered 200 and {sum(b['assigned'] for b in bulks):,} bulk items assigned; "
          "the database holds exactly one assignment, one flow.assigned event and one idempotency record for each "
          "(bulk: one record per request); a repeated X-Request-ID replayed the same assignmentId "
          "(Idempotent-Replayed: true) and assigned nothing.")
    _wait_for_quiet()
    assign_report.profile(app, secret, pairs.next, PROFILE_REQUESTS, BULK_RUNS)  # the last to use pairs
    if problems:
        sys.exit(1)


# --- setting up ---------------------------------------------------------------------


def _check_seed(connection):
    row = connection.execute(
        "SELECT (SELECT tier FROM organizations WHERE slug = %s), (SELECT count(*) FROM users), "
        "(SELECT count(*) FROM flows), (SELECT count(*) FROM idempotency_records)", [ORG_SLUG]).fetchone()
    if row[:3] != ("enterprise", PEOPLE, FLOWS) or row[3] < SEEDED_ANSWERS:
        raise SystemExit(f"the database is not seeded as expected ({row}); run python -m bench.assign.generate")


def _reset(connection):
    """Forget earlier runs: their assignments, events, idempotency records and keys."""
    for statement in RESET_SQL:
        connection.execute(statement)
    connection.execute("VACUUM ANALYZE assignments, events, idempotency_records, api_keys")


def _new_key(app):
    from momoflow.accounts.services import find_organization
    from momoflow.apikeys.services import create_api_key
    from momoflow.extensions import db

    with app.app_context():
        api_key, secret = create_api_key(find_organization(ORG_SLUG), "bench")
        db.session.commit()
        return secret, api_key.id


def _flush_redis():
    from redis import Redis

    Redis.from_url(redis_url()).flushdb()


def _header(url):
    load = os.getloadavg()
    with psycopg.connect(libpq_dsn(url)) as connection:
        server = connection.execute("SHOW server_version").fetchone()[0]
        analysed = ("autovacuum on" if _autovacuum(connection) else
                    f"autovacuum OFF on this server, so each case starts with ANALYZE {GROWING_TABLES}, "
                    "as autovacuum would keep them analysed")
    return (f"# Assign endpoint benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {_tree()}\n\n"
            f"{os.cpu_count()} cores, load average {load[0]:.2f} before the run; Python {platform.python_version()}, "
            f"PostgreSQL {server} ({url.database}), Redis {redis_url()}; rate limits {RATE_LIMIT!r}; "
            f"{SECONDS:g} s measured after {WARMUP:g} s warm-up per case; {analysed}.")


def _tree():
    """The commit measured, and whether momoflow/ differs from it (others may be editing)."""
    import subprocess

    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()

    changed = git("status", "--porcelain", "--", "momoflow")
    return f"commit {git('rev-parse', '--short', 'HEAD')}" + (" + uncommitted changes in momoflow/" if changed else "")


# --- load ---------------------------------------------------------------------------


class Endpoint(NamedTuple):
    name: str  # bare, naive or assign
    server: Server
    path: str
    secret: str  # the API key its requests carry

    @property
    def writes(self):
        """Whether each request uses up a (flow, person) pair."""
        return self.name != "bare"


def _requests(endpoint, run_id):
    """``make_request(n)`` for the load generator: pair n, X-Request-ID ``run_id-n``."""
    host = f"127.0.0.1:{endpoint.server.port}"

    def make(n):
        flow_id, email = free_pair(n)
        headers = {"Host": host, "Authorization": f"Bearer {endpoint.secret}", "Content-Type": "application/json",
                   "X-Request-ID": f"{run_id}-{n}"}
        return loadgen.http_request("POST", endpoint.path, headers, assign_body(flow_id, email))

    return make


def _warm(endpoints, run_id, pairs):
    """A second of light load on each, so workers, pools and prepared statements are warm; the
    200s of (assign, naive). The assign endpoint goes first: the replay check resends its pair 0."""
    answered = {}
    for endpoint in sorted(endpoints, key=lambda endpoint: endpoint.name != "assign"):
        result = loadgen.run("127.0.0.1", endpoint.server.port, _requests(endpoint, run_id), 4, 1.0, 0,
                             first=pairs.next if endpoint.writes else 0)
        if endpoint.writes:
            pairs.take(result.issued)
            if result.all_statuses[200] != result.issued:
                raise SystemExit(f"warm-up: {endpoint.name} answered {dict(result.all_statuses)}; "
                                 f"first bodies {result.examples}")
        answered[endpoint.name] = result.all_statuses[200]
    return answered["assign"], answered["naive"]


def _load(connection, endpoints, run_id, pairs):
    """Every round: at each connection count, bare, naive then assign (adjacent, so they share conditions)."""
    cases = []
    for round_, connections, endpoint in itertools.product(range(1, ROUNDS + 1), CONNECTIONS, endpoints):
        case = _case(connection, endpoint, run_id, connections, pairs)
        cases.append({"round": round_, "name": endpoint.name, "connections": connections, **case})
        result = case["result"]
        print(f"  round {round_}: {endpoint.name:<6} {connections:>3} connections: "
              f"{result.requests_per_second:,.0f} req/s, p50 {result.percentile_ms(50):.1f} ms, "
              f"p99 {result.percentile_ms(99):.1f} ms, errors {result.errors or 'none'} "
              f"(machine {case['busy_before']:.0%} busy just before, after waiting {case['waited']:.0f} s)")
    return cases


def _answered_200(cases, name):
    return sum(case["result"].all_statuses[200] for case in cases if case["name"] == name)


def _case(connection, endpoint, run_id, connections, pairs):
    """One load run with the CPU every process on the path spent."""
    server = endpoint.server
    meter = CpuMeter({
        "app": lambda: [server.process.pid, *server.worker_pids()],
        "PostgreSQL": lambda: [pid for (pid,) in connection.execute(POSTGRES_PIDS_SQL).fetchall()],
        "Redis": lambda: pids_named("redis-server"),
        "load generator": lambda: [os.getpid()],
    })
    if not _autovacuum(connection):
        connection.execute(f"ANALYZE {GROWING_TABLES}")
    busy_before, waited = _wait_for_quiet()
    meter.start()
    result = loadgen.run("127.0.0.1", server.port, _requests(endpoint, run_id), connections, SECONDS,
                         WARMUP, first=pairs.next if endpoint.writes else 0)
    cpu = meter.stop()
    if endpoint.writes:
        pairs.take(result.issued)
    return {"result": result, "cpu": cpu, "busy_before": busy_before, "waited": waited}


def _autovacuum(connection):
    """Whether the server analyses growing tables itself (CI machines may turn it off)."""
    return connection.execute("SHOW autovacuum").fetchone()[0] == "on"


def _wait_for_quiet():
    """(busy share of the last second, seconds waited): up to QUIET_WAIT for the machine to be idle."""
    started = time.monotonic()
    busy = machine_busy_share(1.0)
    while busy >= QUIET_BELOW and time.monotonic() - started < QUIET_WAIT:
        busy = machine_busy_share(1.0)
    return busy, time.monotonic() - started


class PairNumbers:
    """The next (flow, person) pair number nobody has used in this run (``free_pair``)."""

    def __init__(self):
        self.next = 0

    def take(self, count):
        first, self.next = self.next, self.next + count
        return first


# --- bulk and replay ----------------------------------------------------------------


def _bulk(server, secret, run_id, pairs):
    first = pairs.take(BULK_ITEMS)
    items = [assign_item(*free_pair(n)) for n in range(first, first + BULK_ITEMS)]
    body = json.dumps({"assignments": items}).encode()
    busy_before, waited = _wait_for_quiet()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=300)
    started = time.perf_counter()
    connection.request("POST", BULK_PATH, body, {"Authorization": f"Bearer {secret}",
                                                 "Content-Type": "application/json",
                                                 "X-Request-ID": f"{run_id}-bulk-{first}"})
    response = connection.getresponse()
    data = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    answer = json.loads(data) if data.startswith(b"{") else {}
    return {"status": response.status, "seconds": seconds, "assigned": answer.get("assigned", 0),
            "failed": answer.get("failed"), "body_kb": len(body) / 1024, "busy_before": busy_before}


def _replay(server, secret, run_id):
    """Send request number 0 (answered during the warm-up) again: it must replay, not assign."""
    flow_id, email = free_pair(0)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("POST", ASSIGN_PATH, assign_body(flow_id, email),
                       {"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                        "X-Request-ID": f"{run_id}-0"})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return {"status": response.status, "replayed": response.getheader("Idempotent-Replayed"),
            "assignment_id": body.get("assignmentId"), "flow_id": flow_id, "email": email}


def _check(connection, key_id, ok_200, bulks, replay):
    problems = []
    assignments, events, records = connection.execute(
        "SELECT (SELECT count(*) FROM assignments WHERE assigned_by_api_key_id = %(key)s), "
        "(SELECT count(*) FROM events e JOIN assignments a ON a.id = e.subject_id "
        " WHERE a.assigned_by_api_key_id = %(key)s AND e.type = 'flow.assigned'), "
        "(SELECT count(*) FROM idempotency_records WHERE api_key_id = %(key)s AND response_status = 200)",
        {"key": key_id}).fetchone()
    bulk_items = sum(bulk["assigned"] for bulk in bulks)
    if assignments != ok_200 + bulk_items:
        problems.append(f"FAIL: {assignments:,} assignments for {ok_200:,} 200s and {bulk_items:,} bulk items")
    if events != assignments:
        problems.append(f"FAIL: {events:,} flow.assigned events for {assignments:,} assignments")
    if records != ok_200 + len(bulks):
        problems.append(f"FAIL: {records:,} idempotency records for {ok_200:,} 200s and {len(bulks)} bulk requests")
    for bulk in bulks:
        if bulk["status"] != 200 or bulk["assigned"] != BULK_ITEMS:
            problems.append(f"FAIL: bulk answered {bulk['status']} with {bulk['assigned']} assigned")
    original = connection.execute(
        "SELECT a.public_id FROM assignments a JOIN flows f ON f.id = a.flow_id JOIN users u ON u.id = a.user_id "
        "WHERE f.public_id = %s AND u.email = %s AND a.assigned_by_api_key_id = %s",
        [replay["flow_id"], replay["email"], key_id]).fetchall()
    if replay["status"] != 200 or replay["replayed"] != "true" or [(replay["assignment_id"],)] != original:
        problems.append(f"FAIL: replay answered {replay} for {original}")
    return problems


def _check_naive(connection, key_id, ok_200):
    (assignments,) = connection.execute("SELECT count(*) FROM assignments WHERE assigned_by_api_key_id = %s",
                                        [key_id]).fetchone()
    return [] if assignments == ok_200 else [f"FAIL: naive stack: {assignments:,} assignments for {ok_200:,} 200s"]


if __name__ == "__main__":
    main()
