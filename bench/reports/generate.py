"""Fill the reports benchmark's database (``momoflow_bench_reports``): one organisation,
100,000 people, 220,000 assignments over 11 flows, of which one flow (``flow_bench_big``,
5 modules) has 100,000 in every state with their module progress, and three schedules.

Run ``python -m bench.reports.generate``; ``BENCH_SCALE`` shrinks it (0.02 for a quick try).
Rows are COPY text loaded by ``bench.common.load`` (keys and indexes rebuilt and checked).
The approval dashboard is measured on the workflow benchmark's database instead
(``momoflow_bench``: 100,000 requests, 500,000 levels), which ``bench.workflows.generate`` fills.
"""

import os
from datetime import datetime, timedelta, timezone

from bench.common.config import database_url
from bench.common.load import generate
from bench.common.rows import COLUMNS as WORKFLOW_COLUMNS
from bench.common.rows import FIRST_NAMES, JOBS, LAST_NAMES

SEED = 20261204
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/momoflow_bench_reports"
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
PEOPLE = int(100_000 * SCALE)
BIG_FLOW = "flow_bench_big"
BIG_ASSIGNMENTS = int(100_000 * SCALE)
OTHER_FLOWS, OTHER_ASSIGNMENTS = 10, int(12_000 * SCALE)
MODULES = 5
# state, share: completed ones took 1–30 days; open ones past due count as overdue
STATES = (("completed", 45), ("in_progress", 25), ("assigned", 25), ("cancelled", 5))

COLUMNS = {
    "organizations": WORKFLOW_COLUMNS["organizations"],
    "users": WORKFLOW_COLUMNS["users"],
    "flows": ("id", "public_id", "organization_id", "name", "description", "status", "module_count",
              "estimated_minutes", "created_at", "updated_at"),
    "flow_modules": ("id", "public_id", "flow_id", "position", "title", "content", "estimated_minutes", "lineage_id"),
    "assignments": ("id", "public_id", "organization_id", "flow_id", "user_id", "due_date", "priority", "notes",
                    "status", "modules_completed", "module_total", "assigned_at", "started_at", "completed_at",
                    "cancelled_at"),
    "module_progress": ("assignment_id", "module_id", "completed_at"),
    "flow_schedules": ("id", "public_id", "organization_id", "flow_id", "user_emails", "every", "unit",
                       "due_in_days", "priority", "notes", "next_run_at", "last_run_at", "first_run_at", "active",
                       "created_at"),
}


def database():
    return database_url("BENCH_REPORTS_DATABASE_URL", DEFAULT_DATABASE_URL)


def main():
    generate(database(), SEED, _build, COLUMNS)


def _build(tables, rng):
    org_id = tables.new_id()
    tables.add("organizations", org_id, "bench-reports", "Bench Reports Corporation", "enterprise",
               NOW - timedelta(days=730))
    people = _people(tables, rng, org_id)
    big = _flow(tables, org_id, BIG_FLOW, "Customer Onboarding (big)", MODULES)
    _assignments(tables, rng, org_id, big, people, BIG_ASSIGNMENTS, progress=True)
    for number in range(OTHER_FLOWS):
        flow = _flow(tables, org_id, f"flow_bench_other{number:02d}", f"Training {number + 1}", 3)
        _assignments(tables, rng, org_id, flow, people, OTHER_ASSIGNMENTS, progress=False)
    for number, every in enumerate((7, 30, 365)):
        emails = [f"person{rng.randrange(len(people)):06d}@bench.example.com" for _ in range(20)]
        tables.add("flow_schedules", tables.new_id(), f"sched_bench{number:04d}", org_id, big[0],
                   tables_json(emails), every, "days", 14, "medium", None, NOW + timedelta(days=number + 1), None,
                   NOW + timedelta(days=number + 1), True, NOW - timedelta(days=30))


def tables_json(value):
    import json

    return json.dumps(value)


def _people(tables, rng, org_id):
    joined = NOW - timedelta(days=730)
    people = []
    for number in range(PEOPLE):
        designation, department = rng.choice(JOBS)
        person_id = tables.new_id()
        tables.add("users", person_id, org_id, f"person{number:06d}@bench.example.com",
                   f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", designation, department,
                   "admin" if number == 0 else "employee", None, "local", True, None, None, joined, joined)
        people.append(person_id)
    return people


def _flow(tables, org_id, public_id, name, module_count):
    flow_id = tables.new_id()
    modules = []
    for position in range(1, module_count + 1):
        module_id = tables.new_id()
        tables.add("flow_modules", module_id, f"mod_{public_id[5:]}_{position}", flow_id, position,
                   f"Part {position}", "Read, then confirm.", 20, module_id)
        modules.append(module_id)
    tables.add("flows", flow_id, public_id, org_id, name, "", "active", module_count, 20 * module_count,
               NOW - timedelta(days=400), NOW - timedelta(days=400))
    return flow_id, modules


def _assignments(tables, rng, org_id, flow, people, count, progress):
    flow_id, modules = flow
    states = [state for state, share in STATES for _ in range(share)]
    for person_id in rng.sample(people, min(count, len(people))) if count <= len(people) else people:
        state = rng.choice(states)
        assigned = NOW - timedelta(days=rng.uniform(0, 365))
        due = assigned + timedelta(days=rng.choice((7, 14, 30)))
        done = len(modules) if state == "completed" else rng.randint(1, len(modules) - 1) \
            if state == "in_progress" else 0
        started = assigned + timedelta(hours=rng.uniform(1, 48)) if done else None
        finished = started + timedelta(days=rng.uniform(1, 30)) if state == "completed" else None
        assignment_id = tables.new_id()
        tables.add("assignments", assignment_id, f"asgn_b{tables.counts['assignments']:011d}", org_id, flow_id,
                   person_id, due, "medium", None, state, done, len(modules), assigned, started, finished,
                   assigned + timedelta(days=1) if state == "cancelled" else None)
        if progress and done:
            end = finished or min(NOW, started + timedelta(days=20))
            step = (end - started) / (done if finished else done + 1)
            for position in range(done):
                tables.add("module_progress", assignment_id, modules[position], started + step * (position + 1))


if __name__ == "__main__":
    main()
