"""Background delivery end to end: outbox → RQ → signed webhook to a loopback receiver.

``make bench-deliver`` (or ``python -m bench.deliver``). Two worker processes run as the
Procfile's ``worker:`` line does (``rq worker-pool -n 2 -w momoflow.jobs.worker.AppWorker
-S json``); a producer in this process commits ``flow.assigned`` events the way the web
tier does (one event per transaction, each commit kicking the relay); a receiver process
verifies every signature and notes when each event arrived. Reported per case: events/s
delivered, commit → receipt latency p50/p95/p99, the largest backlog seen (events not yet
relayed + deliveries not yet made), and CPU per event of each process group. A baseline
in the same run: how fast the same worker pool drains trivial RQ jobs.

Cases (``BENCH_DELIVER_*``): 100 events/s for latency, 300 events/s sustained (more than
the web tier can produce on this machine) and a burst of 5,000 committed at once.
Database ``momoflow_bench_deliver`` (emptied), Redis database 6 (flushed).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import redis
import sqlalchemy as sa

from bench.common.serving import children_of, cpu_seconds, free_port, pids_named
from bench.common.config import SECRET_KEY, database_url, ensure_database, migrate

ROOT = Path(__file__).resolve().parents[2]  # the repository
REDIS_URL = os.environ.get("BENCH_DELIVER_REDIS_URL", "redis://127.0.0.1:6379/6")
SECONDS = float(os.environ.get("BENCH_DELIVER_SECONDS", "20"))
RATES = tuple(int(r) for r in os.environ.get("BENCH_DELIVER_RATES", "100,300").split(","))
BURST = int(os.environ.get("BENCH_DELIVER_BURST", "5000"))
WORKERS = int(os.environ.get("BENCH_DELIVER_WORKERS", "2"))
PEOPLE = 2000
ORG_SLUG = "bench-deliver"
LOG_DIR = ROOT / "bench" / "logs"


def main():
    url = database_url("BENCH_DELIVER_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/momoflow_bench_deliver")
    ensure_database(url)
    app = _app(url)
    migrate(app)
    LOG_DIR.mkdir(exist_ok=True)
    redis.Redis.from_url(REDIS_URL).flushdb()
    receiver_port = free_port()
    with app.app_context():
        _empty()
        organization, assignments, secret = _seed(receiver_port)
    out_path = LOG_DIR / "deliver-received.txt"
    out_path.write_text("")
    receiver = subprocess.Popen([sys.executable, "-m", "bench.deliver.receiver", str(receiver_port), secret,
                                 str(out_path)], cwd=ROOT)
    pool = _start_workers(url)
    print(f"# Background delivery: {WORKERS} worker processes (rq worker-pool, AppWorker, JSON), "
          f"receiver on 127.0.0.1:{receiver_port}\n")
    try:
        time.sleep(3)  # workers up, the tick scheduled
        results = [_baseline_trivial_jobs()]
        seq = 0
        for rate in RATES:
            with app.app_context():
                results.append(_case(app, f"{rate} events/s for {SECONDS:.0f} s", organization, assignments,
                                     out_path, pool, rate=rate, seconds=SECONDS, first_seq=seq))
            seq += int(rate * SECONDS) + 1
        with app.app_context():
            results.append(_case(app, f"burst of {BURST} in one commit", organization, assignments, out_path,
                                 pool, burst=BURST, first_seq=seq))
        _report(results)
    finally:
        _stop(pool)
        receiver.terminate()


def _app(url):
    from momoflow import create_app

    return create_app({"MOMOFLOW_ENV": "production", "SECRET_KEY": SECRET_KEY,
                       "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
                       "REDIS_URL": REDIS_URL, "RATELIMIT_STORAGE_URI": "memory://", "LDAP_URL": None,
                       "WEBHOOK_ALLOW_LOOPBACK": True, "SESSION_COOKIE_SECURE": False})


def _empty():
    from momoflow.extensions import db

    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def _seed(receiver_port):
    """An organisation, its people, a flow, an open assignment per person (what the events
    are about), everyone's email opted out for flow.assigned (this measures webhooks), and
    one endpoint subscribed to flow.assigned."""
    from momoflow.accounts.models import Organization, User
    from momoflow.extensions import db
    from momoflow.flows.models import Assignment, AssignmentStatus, Flow
    from momoflow.notifications.models import EmailOptOut
    from momoflow.webhooks.models import WebhookEndpoint
    from momoflow.webhooks.signing import new_secret

    organization = Organization(slug=ORG_SLUG, name="Bench Deliver")
    db.session.add(organization)
    db.session.flush()
    flow = Flow(organization_id=organization.id, name="Compliance", description="", module_count=3,
                estimated_minutes=90)
    db.session.add(flow)
    db.session.flush()
    users = [{"id": uuid.uuid4(), "organization_id": organization.id, "email": f"p{n}@deliver.example.com",
              "display_name": f"Person {n}"} for n in range(PEOPLE)]
    db.session.execute(sa.insert(User), users)
    db.session.execute(sa.insert(EmailOptOut), [{"user_id": u["id"], "kind": "flow.assigned"} for u in users])
    assignments = [{"id": uuid.uuid4(), "public_id": f"asgn_bench{n:07d}", "organization_id": organization.id,
                    "flow_id": flow.id, "user_id": u["id"], "status": AssignmentStatus.ASSIGNED,
                    "modules_completed": 0} for n, u in enumerate(users)]
    db.session.execute(sa.insert(Assignment), assignments)
    secret = new_secret()
    db.session.add(WebhookEndpoint(organization_id=organization.id, url=f"http://127.0.0.1:{receiver_port}/hook",
                                   event_types=["flow.assigned"], secret=secret, enabled=True))
    db.session.commit()
    payloads = [(a["id"], {"assignmentId": a["public_id"], "flowId": flow.public_id, "flowName": flow.name,
                           "userEmail": u["email"], "status": "assigned", "dueDate": None, "priority": "medium",
                           "notes": None, "progress": {"completedModules": 0, "totalModules": 3, "percent": 0},
                           "assignedAt": None, "startedAt": None, "completedAt": None, "cancelledAt": None,
                           "assignedBy": {"type": "api_key", "name": "HR system"}})
                for a, u in zip(assignments, users)]
    return organization.id, payloads, secret


def _start_workers(url):
    environment = {**os.environ, "MOMOFLOW_ENV": "production", "SECRET_KEY": SECRET_KEY,
                   "DATABASE_URL": url.render_as_string(hide_password=False), "REDIS_URL": REDIS_URL,
                   "WEBHOOK_ALLOW_LOOPBACK": "1", "SESSION_COOKIE_SECURE": "0", "LOG_LEVEL": "WARNING"}
    rq = str(Path(sys.executable).with_name("rq"))
    log = open(LOG_DIR / "deliver-workers.log", "wb")
    return subprocess.Popen([rq, "worker-pool", "-n", str(WORKERS), "-w", "momoflow.jobs.worker.AppWorker",
                             "-S", "json", "-u", REDIS_URL, "-q", "events", "webhooks", "mail", "default"],
                            cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(pool):
    os.killpg(pool.pid, signal.SIGTERM)
    try:
        pool.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(pool.pid, signal.SIGKILL)


def _worker_pids(pool):
    return [pool.pid, *children_of(pool.pid)]


def _baseline_trivial_jobs(count=2000):
    """The same pool draining no-op jobs: RQ's own ceiling on this machine."""
    from rq import Queue

    queue = Queue("default", connection=redis.Redis.from_url(REDIS_URL), serializer="json")
    jobs = [Queue.prepare_data("bench.deliver.noop.noop", result_ttl=0) for _ in range(count)]
    started = time.perf_counter()
    queue.enqueue_many(jobs)
    while queue.count or queue.started_job_registry.count:
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    return {"case": f"baseline: {count} no-op RQ jobs", "rate": count / elapsed}


def _case(app, label, organization_id, payloads, out_path, pool, rate=None, seconds=None, burst=None,
          first_seq=0):
    from momoflow.events import record_events
    from momoflow.extensions import db

    commits = {}
    pids = {"workers": _worker_pids(pool), "postgres": pids_named("postgres"), "redis": pids_named("redis-server")}
    cpu_before = {name: cpu_seconds(p) for name, p in pids.items()}
    producer_before = time.process_time()
    backlog = []
    started = time.time()
    seq = first_seq
    if burst:
        events = []
        for n in range(burst):
            subject, payload = payloads[n % len(payloads)]
            events.append((organization_id, subject, {**payload, "benchSeq": seq + n}))
        record_events("flow.assigned", events)
        db.session.commit()
        committed = time.time()
        commits = {seq + n: committed for n in range(burst)}
    else:
        total = int(rate * seconds)
        for n in range(total):
            due = started + n / rate
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            subject, payload = payloads[n % len(payloads)]
            record_events("flow.assigned", [(organization_id, subject, {**payload, "benchSeq": seq + n})])
            db.session.commit()
            commits[seq + n] = time.time()
            if n % max(1, rate // 2) == 0:
                backlog.append(_backlog())
    producer_cpu = time.process_time() - producer_before
    expected = set(commits)
    deadline = time.time() + 120
    received = {}
    while time.time() < deadline:
        received = _received(out_path, expected)
        backlog.append(_backlog())
        if len(received) >= len(expected):
            break
        time.sleep(0.25)
    cpu = {name: cpu_seconds(p) - cpu_before[name] for name, p in pids.items()}
    latencies = sorted((received[s] - commits[s]) * 1000 for s in received)
    first_commit, last_receipt = min(commits.values()), max(received.values(), default=started)
    db.session.remove()
    count = len(received)
    return {"case": label, "produced": len(commits), "delivered": count,
            "rate": count / max(last_receipt - first_commit, 1e-9),
            "offered": len(commits) / max(max(commits.values()) - first_commit, 1e-9) if not burst else None,
            "p50": _pct(latencies, 50), "p95": _pct(latencies, 95), "p99": _pct(latencies, 99),
            "backlog": max(backlog) if backlog else 0,
            "cpu_ms": {name: 1000 * seconds_ / max(count, 1) for name, seconds_ in cpu.items()},
            "producer_ms": 1000 * producer_cpu / max(len(commits), 1)}


def _received(out_path, expected):
    received = {}
    for line in out_path.read_text().splitlines():
        seq, at, webhook_id = line.split(" ", 2)
        seq = int(seq)
        if webhook_id.startswith("bad:"):
            raise SystemExit(f"a delivery failed signature verification: {webhook_id}")
        if seq in expected and seq not in received:
            received[seq] = float(at)
    return received


def _backlog():
    from momoflow.events import Event
    from momoflow.extensions import db
    from momoflow.webhooks.models import DeliveryStatus, WebhookDelivery

    with db.engine.connect() as connection:
        events = connection.scalar(sa.select(sa.func.count()).where(Event.dispatched_at.is_(None)))
        deliveries = connection.scalar(sa.select(sa.func.count()).where(
            WebhookDelivery.status == DeliveryStatus.PENDING))
    return events + deliveries


def _pct(values, percent):
    if not values:
        return None
    return values[min(len(values) - 1, int(len(values) * percent / 100))]


def _report(results):
    print("| case | produced | delivered | events/s delivered | offered/s | latency p50 / p95 / p99 ms | "
          "max backlog | worker CPU ms/event | PostgreSQL | Redis | producer |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        if "produced" not in r:
            print(f"| {r['case']} | | | {r['rate']:,.0f} jobs/s | | | | | | | |")
            continue
        lat = " / ".join(f"{v:,.0f}" if v is not None else "-" for v in (r["p50"], r["p95"], r["p99"]))
        offered = f"{r['offered']:,.0f}" if r["offered"] else "-"
        cpu = r["cpu_ms"]
        print(f"| {r['case']} | {r['produced']:,} | {r['delivered']:,} | {r['rate']:,.0f} | {offered} | {lat} | "
              f"{r['backlog']:,} | {cpu['workers']:.2f} | {cpu['postgres']:.2f} | {cpu['redis']:.2f} | "
              f"{r['producer_ms']:.2f} |")
    failed = [r for r in results if "produced" in r and r["delivered"] < r["produced"]]
    if failed:
        raise SystemExit(f"not every event was delivered: {[r['case'] for r in failed]}")


if __name__ == "__main__":
    main()
