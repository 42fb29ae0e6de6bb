"""The assign benchmark's tables (Markdown, ready for bench/README.md) and its in-process profile."""

import itertools
import os
import statistics

from bench.assign import profiling as assign_profile
from bench.assign.config import free_pair, redis_url

RATIO_TARGET, P99_TARGET_MS, P99_TARGET_CONNECTIONS, BULK_TARGET_S = 0.18, 60.0, 16, 1.0
BULK_ITEMS = 1000
ENDPOINTS = ("bare", "naive", "assign")  # in the order each round runs them
BULK_PATH = "/v1/flows/assign/bulk"


def load(cases, rounds, connection_counts, workers):
    print("\n## Throughput and latency (closed loop, loopback, the load generator on the same cores)\n")
    print("| round | endpoint | conns | req/s | p50 ms | p99 ms | errors | app CPU ms/req | PostgreSQL | Redis | "
          "load gen | other | machine busy (before) | iowait | workers on CPU | CPU-bound capacity req/s |")
    print("|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case in cases:
        result, cpu = case["result"], case["cpu"]
        per_request = {name: seconds / max(result.issued, 1) * 1000 for name, seconds in cpu.components.items()}
        other = (cpu.machine_busy - sum(cpu.components.values())) / max(result.issued, 1) * 1000
        errors = ", ".join(f"{status}: {count}" for status, count in sorted(result.errors.items(), key=str)) or "0"
        print(f"| {case['round']} | {case['name']} | {case['connections']} | {result.requests_per_second:,.0f} | "
              f"{result.percentile_ms(50):.1f} | {result.percentile_ms(99):.1f} | {errors} | "
              f"{per_request['app']:.2f} | {per_request['PostgreSQL']:.2f} | {per_request['Redis']:.2f} | "
              f"{per_request['load generator']:.2f} | {other:.2f} | "
              f"{cpu.machine_busy / cpu.machine_total:.0%} ({case['busy_before']:.0%}) | "
              f"{cpu.machine_iowait / cpu.machine_total:.0%} | {cpu.components['app'] / (workers * cpu.wall):.0%} | "
              f"{_capacity(case):,.0f} |")
    print("\nCPU columns: CPU milliseconds per request sent, from /proc (app = gunicorn master and workers; "
          "PostgreSQL = this database's backends and the server's own processes; other = the rest of the machine, "
          "i.e. whatever else was running). Machine busy: share of both cores during the case (and in the second "
          "before it). iowait: share of both cores idle while waiting on the disk (another process's fsyncs "
          "slow our commits). Workers on CPU: the app's CPU over WEB_CONCURRENCY x wall time; below ~90 % with "
          "requests queued, the workers were waiting (on PostgreSQL, Redis, or a core taken by someone else). "
          "CPU-bound capacity: the cores divided by the CPU one request costs on the path (app + "
          "PostgreSQL + Redis + load generator), i.e. the rate if nothing else ran and no core ever idled; "
          "it barely moves when other work shares the machine, unlike req/s.")
    print("\n| round | conns | bare req/s | naive req/s | assign req/s | naive / bare | assign / bare | "
          "target ≥ 0.18 | assign / naive | ratio of CPU-bound capacities (assign / bare) | assign p99 ms | "
          "target < 60 ms at 16 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    by_key = {(case["round"], case["name"], case["connections"]): case for case in cases}
    for round_, connections in itertools.product(range(1, rounds + 1), connection_counts):
        bare_case, naive_case, assign_case = (by_key[(round_, name, connections)] for name in ENDPOINTS)
        bare, naive, assign = bare_case["result"], naive_case["result"], assign_case["result"]
        ratio = assign.requests_per_second / bare.requests_per_second
        p99 = assign.percentile_ms(99)
        p99_verdict = ("met" if p99 < P99_TARGET_MS else "NOT met") if connections == P99_TARGET_CONNECTIONS else "-"
        print(f"| {round_} | {connections} | {bare.requests_per_second:,.0f} | {naive.requests_per_second:,.0f} | "
              f"{assign.requests_per_second:,.0f} | {naive.requests_per_second / bare.requests_per_second:.3f} | "
              f"{ratio:.3f} | {'met' if ratio >= RATIO_TARGET else 'NOT met'} | "
              f"{assign.requests_per_second / naive.requests_per_second:.2f} | "
              f"{_capacity(assign_case) / _capacity(bare_case):.3f} | {p99:.1f} | {p99_verdict} |")
    print("\nnaive: bench/assign/naive_app.py, the issue's plain Flask-SQLAlchemy ORM endpoint (key lookup, two selects, "
          "insert, commit, one RQ enqueue, Flask-Limiter on Redis), served by the same command. The issue derives "
          "0.18 as about twice the naive stack's share of bare (its 210 / 2,400 req/s = 0.0875).")
    for case in cases:
        for status, body in case["result"].examples.items():
            if status != 200:
                print(f"\nround {case['round']} {case['name']} {case['connections']}: a {status} answer: "
                      f"{body[:300]!r}")


def _capacity(case):
    path = ("app", "PostgreSQL", "Redis", "load generator")
    seconds = sum(case["cpu"].components[name] for name in path) / max(case["result"].issued, 1)
    return os.cpu_count() / seconds if seconds else float("nan")


def bulk(bulks):
    print(f"\n## Bulk: POST {BULK_PATH} with {BULK_ITEMS:,} items (one request each, through gunicorn)\n")
    for number, bulk in enumerate(bulks, start=1):
        print(f"- run {number}: {bulk['seconds']:.2f} s, HTTP {bulk['status']}, {bulk['assigned']:,} assigned, "
              f"{bulk['failed']} failed ({bulk['body_kb']:.0f} KiB body; machine {bulk['busy_before']:.0%} busy "
              "just before)")
    median = statistics.median(bulk["seconds"] for bulk in bulks)
    print(f"\nmedian {median:.2f} s: target < {BULK_TARGET_S:g} s {'met' if median < BULK_TARGET_S else 'NOT met'}")


def profile(app, secret, first_pair, requests, bulk_runs):
    if requests <= 0:
        return
    from momoflow.extensions import db

    pair_iter = (free_pair(n) for n in itertools.count(first_pair))
    with app.app_context():
        engine = db.engine
    plain, profiles = assign_profile.profile_assign(app, engine, secret, pair_iter, requests)
    n = requests
    print(f"\n## In-process profile: {n} assigns through the Flask test client (no gunicorn, no network)\n")
    print(f"unprofiled: p50 {plain['p50_ms']:.1f} ms wall, {plain['cpu_ms']:.1f} ms CPU per request (mean "
          f"{plain['mean_ms']:.1f} ms wall); "
          f"{plain['statements']:.1f} SQL statements taking {plain['sql_ms']:.1f} ms, {plain['commits']:.1f} commits, "
          f"{plain['redis']:.1f} Redis commands per request\n")
    print("| statement | per request |\n|---|---:|")
    for text, count in sorted(plain["texts"].items(), key=lambda item: -item[1]):
        print(f"| `{text}` | {count:.1f} |")
    wall = assign_profile.component_ms(profiles["wall"], n)
    cpu = assign_profile.component_ms(profiles["cpu"], n)
    whole_wall = wall["whole request (Flask wsgi_app)"][0]
    whole_cpu = cpu["whole request (Flask wsgi_app)"][0]
    print("\nComponents, cumulative per request under cProfile, which inflates call-heavy Python (the ORM) "
          "about 3x: read the shares, not the milliseconds.\n")
    print("| component | wall ms | share of wall | CPU ms | share of CPU | calls |\n|---|---:|---:|---:|---:|---:|")
    for label, _, _ in assign_profile.COMPONENTS:
        print(f"| {label} | {wall[label][0]:.2f} | {wall[label][0] / whole_wall:.0%} | {cpu[label][0]:.2f} | "
              f"{cpu[label][0] / whole_cpu:.0%} | {wall[label][1]:.1f} |")
    print("\nSelf CPU time by package, per request (share of the profiled CPU):\n")
    print("| package | CPU ms | share |\n|---|---:|---:|")
    packages = assign_profile.package_ms(profiles["cpu"], n)
    total = sum(ms for _, ms in packages)
    for name, ms in packages[:14]:
        print(f"| {name} | {ms:.2f} | {ms / total:.0%} |")
    print("\nTop cumulative CPU (framework plumbing omitted), ms per request:\n")
    print("| CPU ms | calls | function |\n|---:|---:|---|")
    for ms, calls, where in assign_profile.top_cumulative(profiles["cpu"], n, limit=30):
        print(f"| {ms:.2f} | {calls:.1f} | `{where}` |")
    _lean(engine, secret, pair_iter, plain, requests, bulk_runs)
    bulk, stats = assign_profile.profile_bulk(app, engine, secret, pair_iter, BULK_ITEMS)
    print(f"\n## In-process bulk of {BULK_ITEMS:,}: {bulk['wall_s']:.2f} s under cProfile, HTTP {bulk['status']}, "
          f"{bulk['assigned']} assigned; {bulk['statements']:,} SQL statements ({bulk['sql_s']:.2f} s), "
          f"{bulk['commits']} commits\n")
    print("| statement | count |\n|---|---:|")
    for text, count in sorted(bulk["texts"].items(), key=lambda item: -item[1])[:12]:
        print(f"| `{text}` | {count:,} |")
    print("\n| CPU s | calls | function |\n|---:|---:|---|")
    for ms, calls, where in assign_profile.top_cumulative(stats, 1, limit=20):
        print(f"| {ms / 1000:.2f} | {calls:,.0f} | `{where}` |")


def _lean(engine, secret, pair_iter, plain, requests, bulk_runs):
    from redis import Redis

    from bench.assign import lean as assign_lean

    results = assign_lean.measure(engine, Redis.from_url(redis_url()), secret, pair_iter, requests)
    print(f"\n## The floor: the same work in 6 statements + 1 Redis round trip, without Flask or the ORM "
          f"({requests} iterations, bench/assign/lean.py)\n")
    print("| data access | CPU ms per assign | wall ms per assign |\n|---|---:|---:|")
    print(f"| the app, whole request (unprofiled, above; {plain['statements']:.0f} statements, "
          f"{plain['redis']:.0f} Redis commands) | {plain['cpu_ms']:.2f} | {plain['mean_ms']:.2f} |")
    for label, (cpu_ms, wall_ms) in results.items():
        print(f"| {label}, 6 statements, 2 commits, 1 Redis round trip | {cpu_ms:.2f} | {wall_ms:.2f} |")
    bulks = [assign_lean.measure_bulk(engine, secret, pair_iter, BULK_ITEMS) for _ in range(bulk_runs)]
    print(f"\nSet-wise bulk of {BULK_ITEMS:,} through SQLAlchemy Core (2 SELECTs, one INSERT … ON CONFLICT DO NOTHING "
          f"RETURNING, one INSERT of events, one commit): "
          + ", ".join(f"{seconds:.2f} s ({statements} statements, {assigned:,} assigned)"
                      for seconds, statements, assigned in bulks))
