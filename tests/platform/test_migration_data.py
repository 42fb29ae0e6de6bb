"""Migrations that move data keep it: every level from before issue 12 becomes a
one-approver ANY level whose task carries its decision; the decision times approval analytics
kept on tasks move to approval_decisions; API keys from before scopes keep every scope. Runs on
a database of its own."""

import json
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from momoflow.accounts.models import Organization
from momoflow.apikeys.keys import generate_key, hash_key
from momoflow.apikeys.models import ALL_SCOPES
from momoflow.apikeys.services import api_key_for, create_api_key

from tests.conftest import _create_postgres_database, _postgres_url, make_test_app

BEFORE_TASKS = "e5c7a9b1d3f4"
BEFORE_DECISIONS = "e8a0c2d4f6b8"  # decision times were approval_tasks.wait_seconds / on_time
KEY_SCOPES = "b2c4e6a8d0f1"  # api_keys.scopes, expires_at, last_used_from
FLOW_VERSIONS = "a3d5f7b9c1e4"  # flows.version, flow_modules.version / lineage_id, assignments.flow_version


@pytest.fixture
def scratch_app(tmp_path):
    url = _postgres_url()
    if url:
        url = str(sa.make_url(url).set(database=sa.make_url(url).database + "_migrations"))
        _create_postgres_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    app = make_test_app(url, tmp_path)
    with app.app_context():
        from momoflow.extensions import db

        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        yield app, db
        db.engine.dispose()


def test_existing_levels_become_tasks_with_their_decisions(scratch_app):
    app, db = scratch_app
    upgrade(revision=BEFORE_TASKS)
    ids = _old_request(db)
    upgrade()
    rows = db.session.execute(sa.text(
        "SELECT l.level_number, l.approval_mode, l.min_approvals, t.assignee_id, t.status, t.acted_by_id, "
        "t.comments, t.due_at IS NOT NULL FROM approval_tasks t JOIN approval_levels l ON l.id = t.level_id "
        "ORDER BY l.level_number")).all()
    approver, deadline = ids["approver"], True
    assert [(r[0], r[1], r[2], str(r[3]).replace("-", ""), r[4], r[5] is not None, r[6], r[7]) for r in rows] == [
        (1, "ANY", 1, approver, "APPROVED", True, "fine", False),
        (2, "ANY", 1, approver, "PENDING", False, None, deadline),
        (3, "ANY", 1, approver, "PENDING", False, None, False),
    ]
    db.session.rollback()  # release the read's locks before the schema changes again
    downgrade(revision=BEFORE_TASKS)  # and back: the levels' approvers return
    back = db.session.execute(sa.text("SELECT approver_id FROM approval_levels")).scalars().all()
    assert {str(value).replace("-", "") for value in back} == {approver}
    db.session.rollback()


def test_kept_decision_times_move_to_their_own_table_and_back(scratch_app):
    app, db = scratch_app
    upgrade(revision=BEFORE_TASKS)
    ids = _old_request(db)
    upgrade(revision=BEFORE_DECISIONS)
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE approval_tasks SET wait_seconds = 5400, on_time = true "
                                   "WHERE status = 'APPROVED'"))
    upgrade()
    rows = db.session.execute(sa.text(
        "SELECT d.approver_id, d.level_key, d.level_name, d.tat_hours, d.wait_seconds, d.on_time, d.by_delegate, "
        "d.decided_at = t.acted_at, d.request_id = t.request_id FROM approval_decisions d "
        "JOIN approval_tasks t ON t.id = d.task_id")).all()
    assert [(str(r[0]).replace("-", ""), *r[1:]) for r in rows] == [
        (ids["approver"], "l", "L", 24, 5400, True, False, True, True)]
    db.session.rollback()
    downgrade(revision=BEFORE_DECISIONS)
    back = db.session.execute(sa.text("SELECT status, wait_seconds, on_time FROM approval_tasks "
                                      "WHERE wait_seconds IS NOT NULL")).all()
    assert [tuple(row) for row in back] == [("APPROVED", 5400, True)]
    db.session.rollback()


def test_keys_from_before_scopes_keep_every_scope_and_limited_ones_are_revoked_going_back(scratch_app):
    app, db = scratch_app
    before = _revision_before(KEY_SCOPES)
    upgrade(revision=before)
    org, secret = _old_key(db)
    upgrade()
    scopes, expires_at, used_from = db.session.execute(sa.text(
        "SELECT scopes, expires_at, last_used_from FROM api_keys")).one()
    assert (json.loads(scopes) if isinstance(scopes, str) else scopes) == list(ALL_SCOPES)
    assert (expires_at, used_from) == (None, None)
    assert api_key_for(secret).scopes == set(ALL_SCOPES)
    create_api_key(db.session.get(Organization, uuid.UUID(org)), "Readers", ["flows:read"])
    db.session.commit()

    downgrade(revision=before)  # the old schema cannot hold a limit: the limited key is revoked
    rows = db.session.execute(sa.text("SELECT name, revoked_at IS NOT NULL FROM api_keys ORDER BY name")).all()
    assert [tuple(row) for row in rows] == [("Old", False), ("Readers", True)]
    db.session.rollback()


def test_flows_become_version_1_and_going_back_keeps_the_current_versions_modules(scratch_app):
    app, db = scratch_app
    before = _revision_before(FLOW_VERSIONS)
    upgrade(revision=before)
    flow = _old_flow(db)
    upgrade()
    assert db.session.execute(sa.text("SELECT version FROM flows")).scalar() == 1
    assert db.session.execute(sa.text("SELECT flow_version, module_total FROM assignments")).one() == (1, 3)
    lineages = db.session.execute(sa.text("SELECT id, lineage_id, version FROM flow_modules")).all()
    assert len(lineages) == 3 and all(row[0] == row[1] and row[2] == 1 for row in lineages)
    db.session.rollback()
    with db.engine.begin() as connection:  # version 2: one module
        connection.execute(sa.text("UPDATE flows SET version = 2, module_count = 1"))
        connection.execute(sa.text(
            "INSERT INTO flow_modules (id, public_id, flow_id, version, position, title, content, estimated_minutes, "
            "requires_acknowledgement, lineage_id) VALUES (:id, 'mod_v2', :flow, 2, 1, 'New', '', 5, false, :id)"),
            {"id": uuid.uuid4().hex, "flow": flow})

    downgrade(revision=before)  # one set of modules per flow again: the current version's
    assert [row[0] for row in db.session.execute(sa.text("SELECT public_id FROM flow_modules"))] == ["mod_v2"]
    db.session.rollback()


def _old_flow(db):
    """A flow of three modules assigned to one person, as before versions: the flow's id."""
    now = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    org, person, flow = (uuid.uuid4().hex for _ in range(3))
    modules = [uuid.uuid4().hex for _ in range(3)]
    with db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO organizations (id, slug, name, tier, created_at) "
                                   "VALUES (:id, 'old', 'Old', 'standard', :now)"), {"id": org, "now": now})
        connection.execute(sa.text(
            "INSERT INTO users (id, organization_id, email, display_name, role, source, active, created_at, "
            "updated_at) VALUES (:id, :org, 'p@old.example', 'P', 'employee', 'local', true, :now, :now)"),
            {"id": person, "org": org, "now": now})
        connection.execute(sa.text(
            "INSERT INTO flows (id, public_id, organization_id, name, description, status, module_count, "
            "estimated_minutes, created_at, updated_at) VALUES (:id, 'flow_old', :org, 'Old', '', 'active', 3, 30, "
            ":now, :now)"), {"id": flow, "org": org, "now": now})
        for position, module in enumerate(modules, start=1):
            connection.execute(sa.text(
                "INSERT INTO flow_modules (id, public_id, flow_id, position, title, content, estimated_minutes, "
                "requires_acknowledgement) VALUES (:id, :public, :flow, :n, 'M', '', 10, false)"),
                {"id": module, "public": f"mod_{position}", "flow": flow, "n": position})
        connection.execute(sa.text(
            "INSERT INTO assignments (id, public_id, organization_id, flow_id, user_id, priority, status, "
            "modules_completed, assigned_at) VALUES (:id, 'asgn_old', :org, :flow, :person, 'medium', "
            "'in_progress', 1, :now)"), {"id": uuid.uuid4().hex, "org": org, "flow": flow, "person": person, "now": now})
    return flow


def _revision_before(revision):
    """The revision ``revision`` follows, read from its script (so it stays right when re-chained)."""
    return ScriptDirectory(current_app.extensions["migrate"].directory).get_revision(revision).down_revision


def _old_key(db):
    """An organisation and an API key as they were before scopes: ``(organisation id, secret)``."""
    org, secret, now = uuid.uuid4().hex, generate_key(), datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    with db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO organizations (id, slug, name, tier, created_at) "
                                   "VALUES (:id, 'old', 'Old', 'standard', :now)"), {"id": org, "now": now})
        connection.execute(sa.text(
            "INSERT INTO api_keys (id, organization_id, name, prefix, key_hash, created_at) "
            "VALUES (:id, :org, 'Old', :prefix, :hash, :now)"),
            {"id": uuid.uuid4().hex, "org": org, "prefix": secret[:12], "hash": hash_key(secret), "now": now})
    return org, secret


def _old_request(db):
    """An organisation, two people and a request with a decided, a current and a waiting level."""
    now = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    # 32 hex digits: how SQLite stores a Uuid, and a form PostgreSQL reads too.
    org, initiator, approver, request = (uuid.uuid4().hex for _ in range(4))
    with db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO organizations (id, slug, name, tier, created_at) "
                                   "VALUES (:id, 'old', 'Old', 'standard', :now)"), {"id": org, "now": now})
        for person, email in ((initiator, "i@old.example"), (approver, "a@old.example")):
            connection.execute(sa.text(
                "INSERT INTO users (id, organization_id, email, display_name, role, source, active, created_at, "
                "updated_at) VALUES (:id, :org, :email, 'X', 'employee', 'local', true, :now, :now)"),
                {"id": person, "org": org, "email": email, "now": now})
        connection.execute(sa.text(
            "INSERT INTO workflow_requests (id, organization_id, request_number, template_type, title, description, "
            "priority, status, initiator_id, current_level, total_levels, created_at, updated_at) VALUES "
            "(:id, :org, 'REQ-1', 'CUSTOM', 't', 'd', 'STANDARD', 'PENDING', :initiator, 2, 3, :now, :now)"),
            {"id": request, "org": org, "initiator": initiator, "now": now})
        for number, status, comments in ((1, "APPROVED", "fine"), (2, "IN_PROGRESS", None), (3, "PENDING", None)):
            connection.execute(sa.text(
                "INSERT INTO approval_levels (id, request_id, level_number, level_name, approver_id, tat_hours, "
                "is_final_approver, status, started_at, tat_deadline, acted_at, comments, tat_stage) VALUES "
                "(:id, :request, :n, 'L', :approver, 24, false, :status, :started, :deadline, :acted, :comments, 0)"),
                {"id": uuid.uuid4().hex, "request": request, "n": number, "approver": approver, "status": status,
                 "started": now if number < 3 else None, "deadline": now if number < 3 else None,
                 "acted": now if number == 1 else None, "comments": comments})
    return {"approver": approver}
