"""Fill the assign benchmark's database: one enterprise organisation, 100k people, 1,000 flows.

Run ``python -m bench.assign.generate``. The database (``momoflow_bench_assign``) is
emptied first and the same seed gives the same rows every time. As in
``bench.workflows.generate``, rows are COPY text (``bench.common.rows.Tables``) loaded by
``bench.common.load.reload_tables``: keys and indexes dropped, tables copied, every key and
index rebuilt and checked by PostgreSQL.

Besides the people and flows (3–12 modules each) every person already has two flows
(200k assignments in every state, each with its dispatched ``flow.assigned`` event), so
the assign path inserts into tables and indexes of a realistic size. The pairs the
benchmark assigns (``config.free_pair``) never collide with these. An HR system's
API key has a day of answers kept for idempotency (``SEEDED_ANSWERS``), as a busy
integration would: an empty table there lets PostgreSQL plan the replay lookup as a
sequential scan, which gets slower with every request once the run fills it.
"""

import json
from datetime import datetime, timedelta, timezone

from bench.assign.config import (EMAIL_DOMAIN, FLOWS, ORG_SLUG, PEOPLE, SEEDED_ANSWERS, SEEDED_KEY_NAME,
                                 SEEDED_PER_PERSON, database_url, email_of, flow_number, flow_public_id)
from bench.common.load import generate
from bench.common.rows import FIRST_NAMES, JOBS, LAST_NAMES
from momoflow.apikeys.models import ALL_SCOPES
from momoflow.flows.schemas import iso

SEED = 20261123
ADMIN = 0  # person number of the organisation's admin, who assigned the seeded flows
ANCHOR = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)
STATES = (("completed", 50), ("in_progress", 20), ("assigned", 25), ("cancelled", 5))
TOPICS = ("Customer Onboarding", "Security Awareness", "Code of Conduct", "Manager Essentials", "Data Privacy",
          "Sales Playbook", "Expense Policy", "Incident Response", "Product Basics", "Health and Safety")
MODULE_WORDS = ("Welcome", "Policies", "Tools", "Practice", "Quiz", "Case study", "Checklist", "Review")

COLUMNS = {
    "organizations": ("id", "slug", "name", "tier", "created_at"),
    "users": ("id", "organization_id", "email", "display_name", "designation", "department", "role",
              "password_hash", "source", "active", "last_login_at", "synced_at", "created_at", "updated_at"),
    "flows": ("id", "public_id", "organization_id", "name", "description", "status", "module_count",
              "estimated_minutes", "created_at", "updated_at"),
    "flow_modules": ("id", "public_id", "flow_id", "position", "title", "content", "estimated_minutes", "lineage_id"),
    "assignments": ("id", "public_id", "organization_id", "flow_id", "user_id", "due_date", "priority", "notes",
                    "status", "modules_completed", "module_total", "assigned_at", "started_at", "completed_at",
                    "cancelled_at",
                    "assigned_by_user_id", "assigned_by_api_key_id"),
    "events": ("id", "organization_id", "type", "subject_id", "actor_id", "payload", "occurred_at",
               "dispatched_at"),
    "api_keys": ("id", "organization_id", "name", "prefix", "key_hash", "scopes", "created_by_id", "created_at",
                 "last_used_at", "revoked_at"),
    "idempotency_records": ("id", "api_key_id", "key", "request_hash", "response_status", "response_body",
                            "created_at"),
}


def main():
    generate(database_url(), SEED, _build, COLUMNS)


def _build(tables, rng):
    org_id = tables.new_id()
    tables.add("organizations", org_id, ORG_SLUG, "Bench Assign Corporation", "enterprise",
               ANCHOR - timedelta(days=730))
    people = _add_people(tables, rng, org_id)
    flows = _add_flows(tables, rng, org_id)
    _add_assignments(tables, rng, org_id, people, flows)
    _add_answers(tables, rng, org_id, people[ADMIN][0])


def _add_people(tables, rng, org_id):
    """(id, email) per person number; person 0 is the admin."""
    joined = ANCHOR - timedelta(days=730)
    people = []
    for number in range(PEOPLE):
        designation, department = rng.choice(JOBS)
        role = "admin" if number == ADMIN else "manager" if rng.random() < 0.1 else "employee"
        person = (tables.new_id(), email_of(number))
        tables.add("users", person[0], org_id, person[1], f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                   designation if rng.random() < 0.9 else None, department, role, None, "local", True, None, None,
                   joined, joined)
        people.append(person)
    return people


def _add_flows(tables, rng, org_id):
    """(id, public id, name, module count, minutes) per flow number."""
    flows = []
    for number in range(FLOWS):
        flow_id, name = tables.new_id(), f"{TOPICS[number % len(TOPICS)]} {number // len(TOPICS) + 1}"
        created = ANCHOR - timedelta(days=rng.uniform(30, 700))
        minutes = []
        for position in range(1, rng.randint(3, 12) + 1):
            minutes.append(rng.choice((5, 10, 15, 20, 30, 45, 60)))
            module_id = tables.new_id()
            tables.add("flow_modules", module_id, f"mod_b{number:05d}{position:02d}", flow_id, position,
                       f"{position}. {rng.choice(MODULE_WORDS)}",
                       f"Read the {name} material for part {position}, then confirm you understood it.",
                       minutes[-1], module_id)
        tables.add("flows", flow_id, flow_public_id(number), org_id, name,
                   f"{name}: what every {EMAIL_DOMAIN} employee needs to know.", "active", len(minutes),
                   sum(minutes), created, created)
        flows.append((flow_id, flow_public_id(number), name, len(minutes), sum(minutes)))
    return flows


def _add_assignments(tables, rng, org_id, people, flows):
    states, weights = zip(*STATES)
    admin_id = people[ADMIN][0]
    for person in range(PEOPLE):
        user_id, email = people[person]
        for k in range(SEEDED_PER_PERSON):
            flow_id, flow_public, flow_name, modules, _ = flows[flow_number(person, k)]
            status = rng.choices(states, weights)[0]
            assigned = ANCHOR - timedelta(days=rng.uniform(1, 365))
            due = assigned + timedelta(days=rng.choice((7, 14, 30)))
            started = assigned + timedelta(hours=rng.uniform(1, 72)) if status in ("in_progress", "completed") else None
            completed = started + timedelta(hours=rng.uniform(1, 48)) if status == "completed" else None
            cancelled = assigned + timedelta(days=1) if status == "cancelled" else None
            done = modules if status == "completed" else rng.randrange(modules) if status == "in_progress" else 0
            assignment_id, public = tables.new_id(), f"asgn_{tables.new_id()[-12:]}"
            tables.add("assignments", assignment_id, public, org_id, flow_id, user_id, due,
                       rng.choice(("low", "medium", "medium", "high")), None, status, done, modules, assigned,
                       started, completed, cancelled, admin_id, None)
            payload = {"assignmentId": public, "flowId": flow_public, "flowName": flow_name, "userEmail": email,
                       "status": "assigned", "dueDate": iso(due), "assignedAt": iso(assigned), "assignedBy": None}
            tables.add("events", tables.new_id(), org_id, "flow.assigned", assignment_id, admin_id,
                       json.dumps(payload, separators=(",", ":")), assigned, assigned + timedelta(seconds=2))


def _add_answers(tables, rng, org_id, admin_id):
    """The seeded HR system's key (its secret is never needed) and the answers it was given."""
    key_id, created = tables.new_id(), ANCHOR - timedelta(days=90)
    tables.add("api_keys", key_id, org_id, SEEDED_KEY_NAME, "mf_live_seed", f"{rng.getrandbits(256):064x}",
               json.dumps(list(ALL_SCOPES)), admin_id, created, ANCHOR, None)
    for number in range(SEEDED_ANSWERS):
        answered = ANCHOR - timedelta(seconds=rng.uniform(0, 86_400))
        body = {"success": True, "assignmentId": f"asgn_{tables.new_id()[-12:]}", "message": "Flow assigned successfully"}
        tables.add("idempotency_records", tables.new_id(), key_id, f"hr-sync-{number:08d}",
                   f"{rng.getrandbits(256):064x}", 200, json.dumps(body, separators=(",", ":")), answered)


if __name__ == "__main__":
    main()
