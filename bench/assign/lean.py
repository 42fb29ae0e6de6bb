"""The floor under the assign path: the same work with the fewest statements, without the ORM.

Not the app: a reference for what ``POST /v1/flows/assign``'s data access could cost. Each
iteration does what a request must (and writes real rows, with the run's API key):
look the key up with its organisation's tier; claim the idempotency key and commit; read
the flow and the person in one statement; insert the assignment (the open-assignment
index refuses duplicates, so no SELECT first and no savepoint), its event, and the
answer to replay; commit; and one Redis round trip for the rate limit (INCR + TTL).
That is 6 statements and 2 commits where the app sends 12 statements and 2 commits.

Measured twice: raw psycopg, and SQLAlchemy Core (compiled-statement cache, same
psycopg underneath). CPU and wall per iteration, in this process.
"""

import hashlib
import json
import time
import uuid

import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.publicids import public_id

KEY_SQL = ("SELECT k.id, k.organization_id, k.revoked_at, o.tier FROM api_keys k "
           "JOIN organizations o ON o.id = k.organization_id WHERE k.key_hash = %(hash)s")
CLAIM_SQL = ("INSERT INTO idempotency_records (id, api_key_id, key, request_hash, created_at) "
             "VALUES (%(id)s, %(key_id)s, %(name)s, %(fingerprint)s, %(now)s) "
             "ON CONFLICT (api_key_id, key) DO NOTHING RETURNING id")
FLOW_AND_USER_SQL = ("SELECT f.id, f.name, f.status, f.module_count, f.estimated_minutes, u.id, u.email, u.active "
                     "FROM flows f JOIN users u ON u.organization_id = f.organization_id "
                     "WHERE f.public_id = %(flow)s AND f.organization_id = %(org)s AND u.email = %(email)s")
ASSIGN_SQL = ("INSERT INTO assignments (id, public_id, organization_id, flow_id, user_id, due_date, priority, notes, "
              "status, modules_completed, assigned_at, assigned_by_api_key_id) "
              "VALUES (%(id)s, %(public_id)s, %(org)s, %(flow_id)s, %(user_id)s, %(due)s, 'high', %(notes)s, "
              "'assigned', 0, %(now)s, %(key_id)s) "
              "ON CONFLICT (flow_id, user_id) WHERE status IN ('assigned', 'in_progress') DO NOTHING "
              "RETURNING id, public_id, assigned_at")
EVENT_SQL = ("INSERT INTO events (id, organization_id, type, subject_id, payload, occurred_at) "
             "VALUES (%(id)s, %(org)s, 'flow.assigned', %(subject)s, %(payload)s, %(now)s)")
ANSWER_SQL = "UPDATE idempotency_records SET response_status = 200, response_body = %(body)s WHERE id = %(id)s"
NOTES = "Please complete this onboarding flow before the team meeting"
DUE = "2026-12-31T23:59:59+00:00"


def measure(engine, redis, secret, pairs, iterations=500):
    """{"psycopg": (cpu ms, wall ms), "SQLAlchemy Core": (…)} per iteration."""
    results = {}
    for label, step in (("psycopg", _psycopg_step), ("SQLAlchemy Core", _core_step)):
        with engine.connect() as connection:
            for _ in range(20):  # warm: prepared statements, compiled cache
                step(connection, redis, secret, *next(pairs))
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(iterations):
                step(connection, redis, secret, *next(pairs))
            results[label] = ((time.process_time() - cpu) / iterations * 1000,
                              (time.perf_counter() - wall) / iterations * 1000)
    return results


def _rate_limit(redis, key_id):
    with redis.pipeline(transaction=False) as pipe:
        pipe.incr(f"bench-lean:{key_id}")
        pipe.ttl(f"bench-lean:{key_id}")
        pipe.execute()


def _answer(assignment_public_id, flow_name, email, minutes, modules):
    return {"success": True, "assignmentId": assignment_public_id, "message": "Flow assigned successfully",
            "details": {"assigneeEmail": email, "flowName": flow_name, "moduleCount": modules,
                        "estimatedDuration": f"{minutes} minutes"}}


def _psycopg_step(connection, redis, secret, flow_public_id, email):
    raw = connection.connection.driver_connection
    key_id, org_id, _revoked, _tier = raw.execute(KEY_SQL, {"hash": _hash(secret)}).fetchone()
    _rate_limit(redis, key_id)
    now = utcnow()
    claim_id = raw.execute(CLAIM_SQL, {"id": uuid.uuid4(), "key_id": key_id, "name": f"lean-{uuid.uuid4()}",
                                       "fingerprint": "0" * 64, "now": now}).fetchone()[0]
    raw.commit()
    flow_id, flow_name, _status, modules, minutes, user_id, email, _active = raw.execute(
        FLOW_AND_USER_SQL, {"flow": flow_public_id, "org": org_id, "email": email}).fetchone()
    assignment_id, assignment_public_id, _ = raw.execute(ASSIGN_SQL, {
        "id": uuid.uuid4(), "public_id": public_id("asgn"), "org": org_id, "flow_id": flow_id, "user_id": user_id,
        "due": DUE, "notes": NOTES, "now": now, "key_id": key_id}).fetchone()
    answer = _answer(assignment_public_id, flow_name, email, minutes, modules)
    raw.execute(EVENT_SQL, {"id": uuid.uuid4(), "org": org_id, "subject": assignment_id,
                            "payload": json.dumps(answer), "now": now})
    raw.execute(ANSWER_SQL, {"body": json.dumps(answer), "id": claim_id})
    raw.commit()


_CORE = {name: sa.text(sql.replace("%(", ":").replace(")s", "")) for name, sql in (
    ("key", KEY_SQL), ("claim", CLAIM_SQL), ("flow_and_user", FLOW_AND_USER_SQL), ("assign", ASSIGN_SQL),
    ("event", EVENT_SQL), ("answer", ANSWER_SQL))}


def _core_step(connection, redis, secret, flow_public_id, email):
    key_id, org_id, _revoked, _tier = connection.execute(_CORE["key"], {"hash": _hash(secret)}).one()
    _rate_limit(redis, key_id)
    now = utcnow()
    claim_id = connection.execute(_CORE["claim"], {"id": uuid.uuid4(), "key_id": key_id,
                                                   "name": f"lean-{uuid.uuid4()}", "fingerprint": "0" * 64,
                                                   "now": now}).scalar_one()
    connection.commit()
    flow_id, flow_name, _status, modules, minutes, user_id, email, _active = connection.execute(
        _CORE["flow_and_user"], {"flow": flow_public_id, "org": org_id, "email": email}).one()
    assignment_id, assignment_public_id, _ = connection.execute(_CORE["assign"], {
        "id": uuid.uuid4(), "public_id": public_id("asgn"), "org": org_id, "flow_id": flow_id, "user_id": user_id,
        "due": DUE, "notes": NOTES, "now": now, "key_id": key_id}).one()
    answer = _answer(assignment_public_id, flow_name, email, minutes, modules)
    connection.execute(_CORE["event"], {"id": uuid.uuid4(), "org": org_id, "subject": assignment_id,
                                        "payload": json.dumps(answer), "now": now})
    connection.execute(_CORE["answer"], {"body": json.dumps(answer), "id": claim_id})
    connection.commit()


def _hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()



def measure_bulk(engine, secret, pairs, items=1000):
    """Seconds for ``items`` assignments the set-wise way, in one transaction through SQLAlchemy Core:
    flows and people in two SELECTs, every assignment in one multi-row INSERT … ON CONFLICT DO
    NOTHING RETURNING (the open-assignment index refuses duplicates: no savepoints, no SELECT per
    item), every event in one more INSERT. Returns (seconds, statements, assigned)."""
    from sqlalchemy.dialects import postgresql

    from momoflow.accounts.models import User
    from momoflow.events import Event
    from momoflow.flows.models import Assignment, Flow

    assignments, events = Assignment.__table__, Event.__table__
    wanted = [next(pairs) for _ in range(items)]
    statements = 0

    def count(*_):
        nonlocal statements
        statements += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    with engine.begin() as connection:
        key_id, org_id, _revoked, _tier = connection.execute(_CORE["key"], {"hash": _hash(secret)}).one()
        flows = {row.public_id: row for row in connection.execute(
            sa.select(Flow.id, Flow.public_id, Flow.name, Flow.module_count, Flow.estimated_minutes)
            .where(Flow.organization_id == org_id, Flow.public_id.in_({flow for flow, _ in wanted})))}
        users = {row.email: row.id for row in connection.execute(
            sa.select(User.email, User.id).where(User.organization_id == org_id, User.active,
                                                 User.email.in_({email for _, email in wanted})))}
        now = utcnow()
        rows = [{"id": uuid.uuid4(), "public_id": public_id("asgn"), "organization_id": org_id,
                 "flow_id": flows[flow].id, "user_id": users[email], "due_date": None, "priority": "high",
                 "notes": NOTES, "status": "assigned", "modules_completed": 0, "assigned_at": now,
                 "assigned_by_api_key_id": key_id} for flow, email in wanted]
        inserted = connection.execute(
            postgresql.insert(assignments).values(rows)
            .on_conflict_do_nothing(index_elements=["flow_id", "user_id"],
                                    index_where=assignments.c.status.in_(["assigned", "in_progress"]))
            .returning(assignments.c.id, assignments.c.public_id, assignments.c.flow_id)).all()
        names = {row.id: row for row in flows.values()}
        connection.execute(events.insert(), [
            {"id": uuid.uuid4(), "organization_id": org_id, "type": "flow.assigned", "subject_id": row.id,
             "payload": {"assignmentId": row.public_id, "flowName": names[row.flow_id].name}, "occurred_at": now}
            for row in inserted])
    seconds = time.perf_counter() - started
    sa.event.remove(engine, "before_cursor_execute", count)
    return seconds, statements, len(inserted)
