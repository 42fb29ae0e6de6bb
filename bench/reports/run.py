"""Time the flow report and the approval dashboard next to ``count(*)`` over the same rows,
and a 100,000-row CSV export's memory, in one run (``python -m bench.reports``).

Each case: the median of ``BENCH_RUNS`` requests through the Flask test client (the whole
request: key or sign-in, queries, JSON or HTML) and the median of as many ``count(*)`` of
the rows it covers, timed right before it, and their ratio (the issue's target: 20×).
"""

import logging
import os
import statistics
import time
import tracemalloc
from datetime import date

import sqlalchemy as sa

from bench.common.config import DEFAULT_DATABASE_URL, database_url, make_app
from bench.reports.generate import BIG_FLOW
from bench.reports.generate import database as reports_database

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
TARGET = 20


def _median_seconds(action, runs=RUNS):
    action()  # warm: plans, caches, imports
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _row(label, seconds, baseline, target=TARGET):
    ratio = seconds / baseline
    verdict = "" if target is None else ("  meets ≤ %d×" % target if ratio <= target else "  MISSES %d×" % target)
    print(f"  {label:<44}{seconds * 1000:>9.1f} ms   count(*) {baseline * 1000:>7.2f} ms   {ratio:>6.1f}×{verdict}")


def flow_report():
    from momoflow.accounts.services import find_organization
    from momoflow.apikeys.services import create_api_key
    from momoflow.extensions import db

    app = make_app(reports_database())
    app.config["API_REPORT_RATE_LIMIT_ENTERPRISE"] = "1000000 per minute"
    with app.app_context():
        _, secret = create_api_key(find_organization("bench-reports"), "bench run")
        db.session.commit()
        flow_id = db.session.execute(sa.text("SELECT id FROM flows WHERE public_id = :p"), {"p": BIG_FLOW}).scalar()
    client, headers = app.test_client(), {"Authorization": f"Bearer {secret}"}
    engine_url = reports_database().render_as_string(hide_password=False)
    engine = sa.create_engine(engine_url)
    quarter = "assigned_at >= '2026-07-01' AND assigned_at < '2026-10-01'"
    cases = [
        ("detailed: false (first page of 100)", {}, ""),
        ("status: completed", {"status": "completed"}, "AND status = 'completed'"),
        ("one quarter", {"startDate": "2026-07-01", "endDate": "2026-09-30"}, f"AND {quarter}"),
        ("detailed: true", {"detailed": True}, None),
        ("aggregate by week", {"aggregate": {"by": "week"}}, None),
    ]
    print(f"\nPOST /v1/flows/report on {BIG_FLOW} (median of {RUNS})")
    with engine.connect() as connection:
        total = connection.execute(sa.text("SELECT count(*) FROM assignments WHERE flow_id = :f AND status <> "
                                           "'cancelled'"), {"f": flow_id}).scalar()
        print(f"  the flow has {total:,} assignments (not cancelled)")
        for label, body, extra in cases:
            count_sql = sa.text(f"SELECT count(*) FROM assignments WHERE flow_id = :f AND status <> 'cancelled' "
                                f"{extra or ''}")
            baseline = _median_seconds(lambda: connection.execute(count_sql, {"f": flow_id}).scalar())

            def ask():
                response = client.post("/v1/flows/report", json={"flowId": BIG_FLOW, **body}, headers=headers)
                assert response.status_code == 200, response.get_data(as_text=True)[:300]

            _row(label, _median_seconds(ask), baseline, TARGET if extra is not None else None)
    return app, flow_id


def csv_export(app):
    """Build the big flow's report as CSV in-process, as the exports drain does."""
    from momoflow.accounts.services import find_organization
    from momoflow.exports import services
    from momoflow.exports.models import Export
    from momoflow.extensions import db

    with app.app_context():
        export = services.request_export(find_organization("bench-reports"), kind="flow_report", export_format="csv",
                                         params={"flowId": BIG_FLOW})
        db.session.commit()
        tracemalloc.start()
        started = time.perf_counter()
        services.build(export.id)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        export = db.session.get(Export, export.id)
        print(f"\nCSV export of {BIG_FLOW}: {export.row_count:,} rows, {export.size / 1e6:.1f} MB in {seconds:.1f} s "
              f"({export.row_count / seconds:,.0f} rows/s); peak Python memory {peak / 1e6:.1f} MB")
        services.file_path(export).unlink(missing_ok=True)


def approval_dashboard():
    """The whole page for an admin over the year the workflow benchmark's data spans."""
    from bench.workflows.fullstack import signed_in_client
    from momoflow.accounts.models import Role, User
    from momoflow.auth.services import start_session
    from momoflow.extensions import db

    url = database_url(default=DEFAULT_DATABASE_URL)
    app = make_app(url)
    engine = sa.create_engine(url.render_as_string(hide_password=False))
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).limit(1))
        if admin is None:
            print("\napproval dashboard: no data (run python -m bench.workflows.generate first)")
            return
        organization_id = admin.organization_id
        start_session(admin)  # a recorded page sign-in: pages refuse a session without one
        login_id = admin.get_id()
        db.session.commit()
    client = signed_in_client(app, login_id)
    print(f"\nGET /reports/approvals for the whole organisation (median of {RUNS})")
    span = {"start": "2025-11-21", "end": "2026-11-21"}
    with engine.connect() as connection:
        requests = connection.execute(sa.text("SELECT count(*) FROM workflow_requests WHERE created_at >= :s AND "
                                              "created_at < :e + 1"), {"s": date(2025, 11, 21), "e": date(2026, 11, 21)})
        print(f"  {requests.scalar():,} requests raised in the year")

        def count_rows():
            """The rows the page sums up: the organisation's requests raised in the year, its
            decisions taken in it, and the tasks waiting now (the queue)."""
            connection.execute(sa.text("SELECT count(*) FROM workflow_requests WHERE organization_id = :o AND "
                                       "created_at >= :s AND created_at < :e"), window).scalar()
            connection.execute(sa.text("SELECT count(*) FROM approval_decisions WHERE organization_id = :o AND "
                                       "decided_at >= :s AND decided_at < :e"), window).scalar()
            connection.execute(sa.text("SELECT count(*) FROM approval_tasks t JOIN workflow_requests r ON "
                                       "r.id = t.request_id WHERE r.organization_id = :o AND t.status = 'PENDING' "
                                       "AND t.due_at IS NOT NULL"), window).scalar()

        window = {"o": organization_id, "s": "2025-11-21", "e": "2026-11-22"}
        baseline = _median_seconds(count_rows)

        def page():
            response = client.get("/reports/approvals", query_string=span)
            assert response.status_code == 200, response.status_code

        _row("the dashboard, a year, every section", _median_seconds(page), baseline)


def main():
    logging.getLogger("momoflow").setLevel(logging.WARNING)  # not a line per request
    app, _ = flow_report()
    csv_export(app)
    approval_dashboard()
