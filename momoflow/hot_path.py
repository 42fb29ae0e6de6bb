"""Every statement ``POST /v1/flows/assign`` sends, prebuilt, in one place.

The integrator API's hot path skips the ORM: these Core statements are built once
(per dialect, where upserts differ) and run through ``database.execute_lean``, with
the event's INSERT from ``events``. A Core INSERT applies none of the models' Python
defaults, so the rows for them are built here too, setting every column;
``tests/platform/test_hot_path.py`` fails if a column with a default is left out.
"""

import uuid

import sqlalchemy as sa

from momoflow.accounts.models import Organization, User
from momoflow.apikeys.models import ApiKey, IdempotencyRecord
from momoflow.database import built_per_dialect, dialect_insert, utcnow
from momoflow.flows.models import OPEN_PREDICATE, Assignment, AssignmentStatus, Flow
from momoflow.publicids import public_id

_keys, _organizations = ApiKey.__table__, Organization.__table__
_flows, _users, _assignments = Flow.__table__, User.__table__, Assignment.__table__
_records = IdempotencyRecord.__table__

# --- the API key --------------------------------------------------------------------

# Neither revoked nor expired at ``now``.
ACTIVE_KEY_BY_HASH = (
    sa.select(_keys.c.id, _keys.c.name, _keys.c.organization_id, _organizations.c.tier, _keys.c.scopes,
              _keys.c.last_used_at)
    .join_from(_keys, _organizations)
    .where(_keys.c.key_hash == sa.bindparam("key_hash"), _keys.c.revoked_at.is_(None),
           sa.or_(_keys.c.expires_at.is_(None), _keys.c.expires_at > sa.bindparam("now"))))
# Writes only if the last use noted is older than ``stale_before``: however many requests
# (and processes) race, a key is written at most once in that time.
NOTE_USE = (
    sa.update(_keys)
    .where(_keys.c.id == sa.bindparam("key_id"),
           sa.or_(_keys.c.last_used_at.is_(None), _keys.c.last_used_at < sa.bindparam("stale_before")))
    .values(last_used_at=sa.bindparam("now"), last_used_from=sa.bindparam("address")))

# --- idempotency --------------------------------------------------------------------

TRY_IDEMPOTENCY_LOCK = sa.select(sa.func.pg_try_advisory_xact_lock(sa.bindparam("lock_id", type_=sa.BigInteger)))
STORED_ANSWER = (sa.select(_records.c.request_hash, _records.c.response_status, _records.c.response_body)
                 .where(_records.c.api_key_id == sa.bindparam("api_key_id"), _records.c.key == sa.bindparam("key"),
                        _records.c.created_at > sa.bindparam("kept_since")))


@built_per_dialect
def upsert_answer():
    """The answer, replacing an expired record of the same name."""
    insert = dialect_insert(_records)
    replaced = ("request_hash", "response_status", "response_body", "created_at")
    return insert.on_conflict_do_update(index_elements=["api_key_id", "key"],
                                        set_={column: insert.excluded[column] for column in replaced})


def answer_row(api_key_id, key, request_hash, status, body):
    """Kept for 24 hours (``created_at`` starts the clock)."""
    return {"id": uuid.uuid4(), "api_key_id": api_key_id, "key": key, "request_hash": request_hash,
            "response_status": status, "response_body": body, "created_at": utcnow()}


# --- the assignment -----------------------------------------------------------------

# The flow and the person, in one statement.
FLOW_AND_PERSON = (
    sa.select(_flows.c.id, _flows.c.public_id, _flows.c.name, _flows.c.status, _flows.c.version,
              _flows.c.module_count, _flows.c.estimated_minutes, _users.c.id.label("user_id"), _users.c.email,
              _users.c.display_name,
              _users.c.organization_id, _users.c.active, _users.c.source, _users.c.synced_at)
    .select_from(_flows.outerjoin(_users, _users.c.email == sa.bindparam("email")))
    .where(_flows.c.public_id == sa.bindparam("flow_id"), _flows.c.organization_id == sa.bindparam("organization_id")))


@built_per_dialect
def insert_assignment_if_not_open():
    """One INSERT that the open-assignment index refuses for a duplicate (however two
    requests race): no check-first SELECT, no savepoint."""
    return (dialect_insert(_assignments)
            .on_conflict_do_nothing(index_elements=["flow_id", "user_id"], index_where=OPEN_PREDICATE)
            .returning(_assignments.c.id))


def new_assignment(organization_id, flow, user_id, spec, *, api_key_id=None, assigned_by_id=None,
                   source_request_id=None):
    """A transient Assignment with every column set, for the Core INSERTs (one, or a batch).
    It walks the flow's current version (``flow``: a Flow or a FLOW_AND_PERSON row)."""
    return Assignment(id=uuid.uuid4(), public_id=public_id("asgn"), organization_id=organization_id,
                      flow_id=flow.id, flow_version=flow.version, module_total=flow.module_count, user_id=user_id,
                      due_date=spec.due_date, priority=spec.priority, notes=spec.notes,
                      status=AssignmentStatus.ASSIGNED, modules_completed=0,
                      assigned_at=utcnow(), started_at=None, completed_at=None, cancelled_at=None,
                      assigned_by_api_key_id=api_key_id, assigned_by_user_id=assigned_by_id,
                      cancelled_by_api_key_id=None, cancelled_by_user_id=None,
                      source_request_id=source_request_id)


def assignment_row(assignment):
    return {column.key: getattr(assignment, column.key) for column in _assignments.columns}
