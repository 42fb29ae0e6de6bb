"""Where one ``POST /v1/flows/assign`` spends its time: the real app in this process, driven
by the Flask test client against the benchmark database and Redis (no network, no gunicorn).

Three passes over fresh (flow, person) pairs, each request with its own X-Request-ID:
1. unprofiled: wall time per request, and what it sent — SQL statements, transactions
   committed, Redis round trips — and how long it waited for PostgreSQL;
2. cProfile with the wall clock: where the latency goes (waiting on the server included);
3. cProfile with the process CPU clock: where the CPU goes (what limits throughput
   when every core is busy).
Components are read from the profiles by function; ``by package`` sums self time.
"""

import cProfile
import json
import pstats
import re
import statistics
import time
from collections import Counter

from sqlalchemy import event

# (label, path fragment, function name): cumulative time of that function, per request.
COMPONENTS = (
    ("whole request (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
    ("rate limiter before the view (Flask-Limiter)", "flask_limiter/_extension.py", "_check_request_limit"),
    ("  API key lookup (api_key_for: SELECT api_keys+org)", "momoflow/apikeys/services.py", "api_key_for"),
    ("  Redis: hit (one EVALSHA: count and TTL)", "momoflow/ratelimit.py", "hit"),
    ("idempotency wrapper (lock, stored answer, view, answer, commit)", "momoflow/integrator/idempotency.py",
     "wrapper"),
    ("  fingerprint (JSON re-dump + SHA-256)", "momoflow/integrator/idempotency.py", "_fingerprint"),
    ("  assign view (parse, assign_flow, response)", "momoflow/flows/api.py", "assign"),
    ("    flow and person (one SELECT)", "momoflow/flows/services.py", "_flow_and_person"),
    ("    _assign (INSERT assignment ON CONFLICT, INSERT event)", "momoflow/flows/services.py", "_assign"),
    ("    log line", "logging/__init__.py", "info"),
    ("after_request: X-RateLimit headers (from the hit)", "momoflow/integrator/__init__.py", "_rate_limit_headers"),
    ("every Session.commit (flush + COMMIT)", "sqlalchemy/orm/session.py", "commit"),
    ("  of which ORM flush (unit of work)", "sqlalchemy/orm/session.py", "_flush"),
    ("  of which COMMIT round trip", "psycopg/connection.py", "commit"),
    ("every SQL statement through SQLAlchemy (execute)", "sqlalchemy/engine/base.py", "_execute_context"),
    ("every lean statement (database.execute_lean)", "momoflow/database.py", "execute_lean"),
    ("psycopg waiting on the socket (every statement and the commit)", "psycopg/connection.py", "wait"),
    ("every Redis command", "redis/client.py", "_execute_command"),
    ("JSON: flask jsonify", "flask/json/__init__.py", "jsonify"),
    ("JSON: json.dumps (all: response, JSONB, fingerprint)", "json/__init__.py", "dumps"),
    ("public ids (secrets.choice x12)", "momoflow/publicids.py", "public_id"),
)
PACKAGES = ("sqlalchemy", "psycopg", "flask_limiter", "limits", "redis", "werkzeug", "flask_sqlalchemy", "flask",
            "momoflow", "json", "logging", "uuid", "hashlib", "secrets", "random")


class Meter:
    """SQL statements (and the seconds they took), commits and Redis commands sent.

    Statements are counted where psycopg runs them, so those the app executes lean
    (``database.execute_lean``, unseen by SQLAlchemy's events) and the pool's pre-ping
    count too; commits are the engine's."""

    def __init__(self, engine):
        _instrument_drivers()
        event.listen(engine, "commit", self._commit)
        self.reset()

    @property
    def statements(self):
        return _sql["statements"] - self._from["statements"]

    @property
    def sql_seconds(self):
        return _sql["seconds"] - self._from["seconds"]

    @property
    def texts(self):
        return _sql["texts"] - self._from["texts"]

    @property
    def redis_commands(self):
        return _redis_commands[0] - self._redis_from

    def reset(self):
        self.commits = 0
        self._from = {"statements": _sql["statements"], "seconds": _sql["seconds"], "texts": Counter(_sql["texts"])}
        self._redis_from = _redis_commands[0]

    def _commit(self, connection):
        self.commits += 1


_redis_commands = [0]
_sql = {"statements": 0, "seconds": 0.0, "texts": Counter()}


def _instrument_drivers():
    """Count every command redis-py sends and every statement psycopg runs (once per
    process; each wrapper only adds one)."""
    import psycopg
    from redis import Redis

    if getattr(Redis._execute_command, "_bench_counted", False):
        return
    send = Redis._execute_command

    def counted_command(self, *args, **options):
        _redis_commands[0] += 1
        return send(self, *args, **options)

    def counting(run):
        def counted_statement(self, query, *args, **kwargs):
            started = time.perf_counter()
            try:
                return run(self, query, *args, **kwargs)
            finally:
                _sql["seconds"] += time.perf_counter() - started
                _sql["statements"] += 1
                text = query if isinstance(query, str) else str(query)
                _sql["texts"][re.sub(r"sa_savepoint_\d+", "sa_savepoint_N", " ".join(text.split()[:4]))[:70]] += 1
        return counted_statement

    counted_command._bench_counted = True
    Redis._execute_command = counted_command
    psycopg.Cursor.execute = counting(psycopg.Cursor.execute)
    psycopg.Cursor.executemany = counting(psycopg.Cursor.executemany)


def profile_assign(app, engine, secret, pairs, requests=500, warmup=30):
    """Profile ``requests`` assigns (twice: wall and CPU), ``pairs`` an iterator of (flow id, email)."""
    client = app.test_client()
    meter = Meter(engine)
    counter = iter(range(10**9))

    def call():
        flow_id, email = next(pairs)
        response = client.post("/v1/flows/assign", data=assign_body(flow_id, email),
                               headers=assign_headers(secret, f"profile-{time.time_ns()}-{next(counter)}"))
        if response.status_code != 200:
            raise SystemExit(f"profile: assign answered {response.status_code}: {response.get_data(as_text=True)}")

    for _ in range(warmup):
        call()
    meter.reset()
    walls, cpu_started = [], time.process_time()
    for _ in range(requests):
        started = time.perf_counter()
        call()
        walls.append(time.perf_counter() - started)
    plain = {"requests": requests, "p50_ms": statistics.median(walls) * 1000,
             "mean_ms": statistics.fmean(walls) * 1000,
             "cpu_ms": (time.process_time() - cpu_started) / requests * 1000, "statements": meter.statements / requests,
             "commits": meter.commits / requests, "redis": meter.redis_commands / requests,
             "sql_ms": meter.sql_seconds / requests * 1000,
             "texts": {text: count / requests for text, count in meter.texts.items()}}
    profiles = {}
    for clock, timer in (("wall", time.perf_counter), ("cpu", time.process_time)):
        profiler = cProfile.Profile(timer)
        profiler.enable()
        for _ in range(requests):
            call()
        profiler.disable()
        profiles[clock] = pstats.Stats(profiler)
    return plain, profiles


def profile_bulk(app, engine, secret, pairs, items=1000):
    """One bulk request of ``items`` in this process: wall, statements, commits, and a CPU profile."""
    client = app.test_client()
    meter = Meter(engine)
    body = json.dumps({"assignments": [assign_item(*next(pairs)) for _ in range(items)]})
    profiler = cProfile.Profile(time.process_time)
    started = time.perf_counter()
    profiler.enable()
    response = client.post("/v1/flows/assign/bulk", data=body, headers=assign_headers(secret, f"bulk-{time.time_ns()}"))
    profiler.disable()
    wall = time.perf_counter() - started
    assigned = (response.get_json() or {}).get("assigned")
    return {"status": response.status_code, "assigned": assigned, "wall_s": wall, "statements": meter.statements,
            "commits": meter.commits, "sql_s": meter.sql_seconds, "texts": dict(meter.texts)}, pstats.Stats(profiler)


def assign_item(flow_id, email):
    return {"flowId": flow_id, "userEmail": email, "dueDate": "2026-12-31T23:59:59Z", "priority": "high",
            "notes": "Please complete this onboarding flow before the team meeting"}


def assign_body(flow_id, email):
    return json.dumps(assign_item(flow_id, email)).encode()


def assign_headers(secret, request_id):
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "X-Request-ID": request_id}


def component_ms(stats, requests):
    """label -> (ms per request, calls per request) for COMPONENTS.

    Where several functions match (``Session.commit`` and ``SessionTransaction.commit``
    both live in session.py), the outermost one, the biggest, counts."""
    found = {}
    for (filename, _, function), (_, calls, _, cumulative, _) in stats.stats.items():
        for label, fragment, name in COMPONENTS:
            if function == name and fragment in filename and cumulative > found.get(label, (0, 0))[0]:
                found[label] = (cumulative, calls)
    return {label: (found.get(label, (0, 0))[0] / requests * 1000, found.get(label, (0, 0))[1] / requests)
            for label, _, _ in COMPONENTS}


def package_ms(stats, requests):
    """Self time per package (ms per request), biggest first."""
    totals = Counter()
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():
        totals[_package(filename, function)] += own
    return [(name, seconds / requests * 1000) for name, seconds in totals.most_common()]


def _package(filename, function):
    if filename == "~":
        return "C builtins (" + ("socket/select" if any(word in function for word in ("socket", "select", "poll",
                                                                                      "recv", "send"))
                                 else "other") + ")"
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        return path.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if "/momoflow/" in path:
        return "momoflow"
    for name in PACKAGES:
        if f"/{name}/" in path or path.endswith(f"/{name}.py"):
            return f"stdlib {name}"
    return "stdlib other"


def top_cumulative(stats, requests, limit=25, exclude=("flask/app.py", "werkzeug/test.py", "flask/testing.py",
                                                      "bench/assign/profiling.py", "state_changes.py", "<sqlalchemy")):
    """The functions with the most cumulative time, minus framework plumbing, per request."""
    rows = []
    for (filename, line, function), (_, calls, _, cumulative, _) in stats.stats.items():
        if any(fragment in filename for fragment in exclude):
            continue
        short = filename.split("site-packages/")[-1].split("/work/main/")[-1].split("lib/python3.11/")[-1]
        rows.append((cumulative / requests * 1000, calls / requests, f"{short}:{line}({function})"))
    rows.sort(reverse=True)
    return rows[:limit]
