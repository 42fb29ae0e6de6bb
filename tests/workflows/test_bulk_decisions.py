"""Bulk decisions (issue 13): ``POST /api/v1/workflows/decisions`` and its service.

Every item runs alone (a refused one changes nothing and stops nothing), a dry run
reports exactly what the real run then does and leaves no row behind, and hostile bodies
are 400s in the API's shape. The inbox's bulk bar is in test_bulk_pages.py.
"""

import json
import uuid

import pytest
import sqlalchemy as sa

from momoflow.events import Event
from momoflow.workflows import services
from momoflow.workflows.models import Activity, ApprovalLevel, ApprovalTask, WorkflowRequest
from momoflow.workflows.validation import parse_new_request
from tests.factories import make_org, make_user
from tests.workflows.conftest import simple_request
from tests.workflows.pages import DIRECTOR, INITIATOR, MANAGER, fresh

DECISIONS = "/workflows/decisions"
TABLES = (WorkflowRequest, ApprovalLevel, ApprovalTask, Activity, Event)


def raise_for(initiator, *levels, spectators=()):
    """A request of ``initiator``'s whose levels are ``levels`` (one email each)."""
    spec = parse_new_request(simple_request(*levels, spectators=spectators))
    return services.create_request(initiator, spec)


def item(workflow, action="approve", number=1, **more):
    level = next(level for level in workflow.levels if level.level_number == number)
    return {"requestId": str(workflow.id), "levelId": str(level.id), "action": action, **more}


def row_counts(db):
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in TABLES}


def snapshot(db):
    """Every request's status and every level's and task's, as the database holds them."""
    db.session.expire_all()
    requests = {row.id: (row.status, row.current_level) for row in db.session.scalars(sa.select(WorkflowRequest))}
    levels = {row.id: row.status for row in db.session.scalars(sa.select(ApprovalLevel))}
    tasks = {row.id: (row.status, row.acted_at, row.comments) for row in db.session.scalars(sa.select(ApprovalTask))}
    return requests, levels, tasks


@pytest.fixture
def hundred(db, demo):
    """100 decisions for the manager, each kind a known outcome: ``(body items, expected)``
    with expected ``(outcome, status)`` per item."""
    employee, manager = demo[INITIATOR], demo[MANAGER]
    other_org = make_org()
    stranger_boss, stranger = make_user(other_org, email="boss@elsewhere.example"), make_user(other_org)
    items, expected = [], []

    def add(body, outcome, status):
        items.append(body)
        expected.append((outcome, status))

    for n in range(40):  # the manager's only level: the request is decided
        add(item(raise_for(employee, MANAGER), "approve", comments=f"ok {n}"), "applied", "APPROVED")
    for _ in range(15):  # the first of two levels: it moves on
        add(item(raise_for(employee, MANAGER, DIRECTOR)), "applied", "PENDING")
    for _ in range(10):
        add(item(raise_for(employee, MANAGER), "reject", comments="Over budget"), "applied", "REJECTED")
    for _ in range(8):  # decided already, by the manager himself
        decided = raise_for(employee, MANAGER)
        services.approve_level(manager, decided.id, decided.levels[0].id)
        add(item(decided), "skipped", "APPROVED")
    for _ in range(5):  # the manager's level is not current yet
        add(item(raise_for(employee, DIRECTOR, MANAGER), number=2), "skipped", "PENDING")
    for _ in range(6):  # someone else's: the manager cannot see it
        add(item(raise_for(employee, DIRECTOR)), "failed", None)
    for _ in range(4):  # someone else's level, but the manager watches the request
        add(item(raise_for(employee, DIRECTOR, spectators=[MANAGER])), "failed", "PENDING")
    for _ in range(6):  # another organisation's
        add(item(raise_for(stranger, stranger_boss.email)), "failed", None)
    for _ in range(3):  # a rejection needs comments
        add(item(raise_for(employee, MANAGER), "reject"), "failed", "PENDING")
    for _ in range(3):  # made-up ids
        add({"requestId": str(uuid.uuid4()), "levelId": str(uuid.uuid4()), "action": "approve"}, "failed", None)
    assert len(items) == 100
    db.session.flush()
    return items, expected


def outcomes_of(body):
    return [(result["outcome"], result["status"]) for result in body["data"]["results"]]


def test_a_hundred_decisions_each_get_their_own_outcome_and_a_dry_run_foretells_them(api_as, db, hundred):
    items, expected = hundred
    manager = api_as(MANAGER)
    counts_before, state_before = row_counts(db), snapshot(db)

    dry = manager.post(DECISIONS, json={"decisions": items, "dryRun": True})
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["data"]["dryRun"] is True
    assert outcomes_of(dry.get_json()) == expected
    assert row_counts(db) == counts_before and snapshot(db) == state_before  # not a row, not an event

    real = manager.post(DECISIONS, json={"decisions": items})
    assert real.status_code == 200, real.get_json()
    body = real.get_json()
    assert body["data"]["results"] == dry.get_json()["data"]["results"]
    assert body["data"]["summary"] == {"applied": 65, "skipped": 13, "failed": 22}
    assert [(r["requestId"], r["levelId"], r["action"]) for r in body["data"]["results"]] == [
        (i["requestId"], i["levelId"], i["action"]) for i in items]
    results = body["data"]["results"]
    assert all("error" not in r for r in results[:65]) and all(r["error"] for r in results[65:])
    assert results[65]["error"] == "Level 1 has already been approved"
    assert results[73]["error"] == "Level 2 is not the current level yet"
    assert results[78]["error"] == "Request not found"
    assert results[84]["error"] == "Only an approver of level 1 can approve it"
    assert results[94]["error"] == "Comments are required to reject a level"

    _only_the_applied_levels_changed(db, items, state_before)
    counts_after = row_counts(db)
    # Each applied item: two activity lines (the level's decision, then the request closed or
    # the next level started), each one an event too, as for single decisions.
    assert counts_after["activities"] - counts_before["activities"] == 65 * 2
    assert counts_after["events"] - counts_before["events"] == 65 * 2
    assert counts_after["approval_tasks"] == counts_before["approval_tasks"]


def _only_the_applied_levels_changed(db, items, before):
    requests_before, levels_before, tasks_before = before
    requests_after, levels_after, tasks_after = snapshot(db)
    applied = {uuid.UUID(i["requestId"]) for i in items[:65]}
    assert {key: value for key, value in requests_after.items() if key not in applied} == {
        key: value for key, value in requests_before.items() if key not in applied}
    levels = {row.id: row.request_id for row in db.session.scalars(sa.select(ApprovalLevel))}
    assert {key: value for key, value in levels_after.items() if levels[key] not in applied} == {
        key: value for key, value in levels_before.items() if levels[key] not in applied}
    changed_tasks = {key for key in tasks_after if tasks_after[key] != tasks_before[key]}
    decided = {fresh(db, ApprovalTask, key).level_id for key in changed_tasks}
    assert decided == {uuid.UUID(i["levelId"]) for i in items[:65]}
    for task_id in changed_tasks:
        task = fresh(db, ApprovalTask, task_id)
        assert task.status.value == ("REJECTED" if task.comments == "Over budget" else "APPROVED")


# --- hostile bodies ------------------------------------------------------------------------

GOOD = {"requestId": str(uuid.uuid4()), "levelId": str(uuid.uuid4()), "action": "approve"}


def _with(**changes):
    return {**GOOD, **changes}


@pytest.mark.parametrize("body, path", [
    ({}, "decisions"),
    ({"decisions": None}, "decisions"),
    ({"decisions": "approve all"}, "decisions"),
    ({"decisions": {"0": GOOD}}, "decisions"),
    ({"decisions": []}, "decisions"),
    ({"decisions": [_with(levelId=str(uuid.uuid4())) for _ in range(101)]}, "decisions"),
    ({"decisions": [GOOD, "approve"]}, "decisions.1"),
    ({"decisions": [GOOD, [GOOD]]}, "decisions.1"),
    ({"decisions": [_with(requestId=12345)]}, "decisions.0.requestId"),
    ({"decisions": [_with(requestId="REQ-2026-11-0001")]}, "decisions.0.requestId"),
    ({"decisions": [_with(levelId=None)]}, "decisions.0.levelId"),
    ({"decisions": [_with(levelId="9" * 5000)]}, "decisions.0.levelId"),
    ({"decisions": [GOOD, _with(levelId=str(uuid.uuid4()), action="APPROVE")]}, "decisions.1.action"),
    ({"decisions": [_with(action="delete")]}, "decisions.0.action"),
    ({"decisions": [_with(action=["approve"])]}, "decisions.0.action"),
    ({"decisions": [_with(action=None)]}, "decisions.0.action"),
    ({"decisions": [_with(comments=5)]}, "decisions.0.comments"),
    ({"decisions": [_with(comments={"text": "ok"})]}, "decisions.0.comments"),
    ({"decisions": [GOOD, _with(action="reject", comments="no")]}, "decisions.1"),
    ({"decisions": [GOOD], "dryRun": "yes"}, "dryRun"),
    ({"decisions": [GOOD], "dryRun": 1}, "dryRun"),
])
def test_hostile_bodies_are_400s_naming_the_field(api_as, demo, body, path):
    response = api_as(MANAGER).post(DECISIONS, json=body)
    assert response.status_code == 400, response.get_json()
    answer = response.get_json()
    assert answer["success"] is False and answer["error"] == "Validation failed"
    assert answer["details"].startswith(f"{path}: "), answer["details"]


@pytest.mark.parametrize("raw", [b"[]", b'"decisions"', b"{", b'{"decisions": [' * 5000, b"\xff\xfe"])
def test_bodies_that_are_not_an_object_are_400s(api_as, demo, raw):
    response = api_as(MANAGER).post(DECISIONS, data=raw, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["success"] is False


def test_a_lone_surrogate_in_a_comment_fails_only_its_item(api_as, db, demo):
    first, second = raise_for(demo[INITIATOR], MANAGER), raise_for(demo[INITIATOR], MANAGER)
    raw = json.dumps({"decisions": [item(first, comments="\ud800"), item(second, comments="fine")]})
    response = api_as(MANAGER).post(DECISIONS, data=raw, content_type="application/json")
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["data"]["results"]
    assert [(r["outcome"], r["status"]) for r in results] == [("failed", "PENDING"), ("applied", "APPROVED")]
    assert results[0]["error"] == "Comments must be valid text"


def test_bulk_decisions_are_rate_limited_per_person(app, api_as, db, demo, monkeypatch):
    monkeypatch.setitem(app.config, "BULK_DECISIONS_RATE_LIMIT", "2 per minute")
    manager, body = api_as(MANAGER), {"decisions": [GOOD]}
    assert [manager.post(DECISIONS, json=body).status_code for _ in range(2)] == [200, 200]
    refused = manager.post(DECISIONS, json=body)
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.get_json()["success"] is False and refused.get_json()["error"] == "Too many requests"
    assert api_as(DIRECTOR).post(DECISIONS, json=body).status_code == 200  # someone else's count


def test_no_token_is_401(client, demo):
    assert client.post(f"/api/v1{DECISIONS}", json={"decisions": [GOOD]}).status_code == 401


# --- queries -------------------------------------------------------------------------------------


def test_deciding_many_costs_the_same_per_item_however_many(api_as, db, demo, count_queries):
    manager = api_as(MANAGER)
    manager.get("/auth/me")  # the token's first use writes its last-used time

    def queries_for(n):
        items = [item(raise_for(demo[INITIATOR], MANAGER)) for _ in range(n)]
        db.session.flush()
        with count_queries() as statements:
            response = manager.post(DECISIONS, json={"decisions": items})
        assert response.get_json()["data"]["summary"]["applied"] == n
        return [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]

    one, two, many = queries_for(1), queries_for(2), queries_for(30)
    per_item = len(two) - len(one)
    assert per_item <= 16, two
    assert len(many) <= len(one) + 29 * per_item, many


# --- the API document ----------------------------------------------------------------------------


def test_the_answers_are_the_documented_ones(app, api_as, db, demo):
    from momoflow.openapi.document import build_document
    from tests.platform.openapi_checks import conformance, resolve

    document = build_document(app.config)
    responses = document["paths"]["/api/v1/workflows/decisions"]["post"]["responses"]
    workflow = raise_for(demo[INITIATOR], MANAGER)
    manager = api_as(MANAGER)
    for body, status in (({"decisions": [item(workflow), GOOD], "dryRun": True}, 200),
                         ({"decisions": [item(workflow, "reject")]}, 200), ({"decisions": []}, 400)):
        response = manager.post(DECISIONS, json=body)
        assert response.status_code == status
        documented = resolve(document, responses[str(status)])["content"]["application/json"]["schema"]
        assert conformance(document, response.get_json(), documented) == []


# --- failures part-way through an item --------------------------------------------------------------


def test_an_item_refused_after_it_wrote_is_undone_alone(api_as, db, demo, monkeypatch):
    """A refusal late in an item (after its task was recorded) rolls back that item's
    SAVEPOINT only: its task stays undecided, the items around it are applied."""
    from momoflow.errors import Conflict
    from momoflow.workflows import deciding

    workflows = [raise_for(demo[INITIATOR], MANAGER, DIRECTOR) for _ in range(3)]
    db.session.flush()
    refused_id, real_start = workflows[1].id, deciding.start_level

    def start_level(request, level, now, actor):
        if request.id == refused_id:
            raise Conflict("Someone else moved first")
        return real_start(request, level, now, actor)

    monkeypatch.setattr(deciding, "start_level", start_level)
    before = row_counts(db)
    body = api_as(MANAGER).post(DECISIONS, json={"decisions": [item(w) for w in workflows]}).get_json()
    assert outcomes_of(body) == [("applied", "PENDING"), ("skipped", "PENDING"), ("applied", "PENDING")]
    assert body["data"]["results"][1]["error"] == "Someone else moved first"
    tasks = [fresh(db, ApprovalTask, w.levels[0].tasks[0].id) for w in workflows]
    assert [task.status.value for task in tasks] == ["APPROVED", "PENDING", "APPROVED"]
    assert tasks[1].acted_at is None
    assert fresh(db, ApprovalLevel, workflows[1].levels[0].id).status.value == "IN_PROGRESS"
    assert row_counts(db)["activities"] - before["activities"] == 2 * 2


def test_a_crash_part_way_leaves_no_half_items(app, api_as, db, demo, monkeypatch):
    """An unexpected error is the request's 500: everything rolls back, so no item is left
    half done (nor any done at all: the caller can send the same body again)."""
    from momoflow.workflows import deciding

    workflows = [raise_for(demo[INITIATOR], MANAGER, DIRECTOR) for _ in range(3)]
    db.session.flush()
    crashing_id, real_start = workflows[1].id, deciding.start_level

    def start_level(request, level, now, actor):
        if request.id == crashing_id:
            raise RuntimeError("the database went away")
        return real_start(request, level, now, actor)

    monkeypatch.setattr(deciding, "start_level", start_level)
    body = {"decisions": [item(w) for w in workflows]}
    before, state = row_counts(db), snapshot(db)
    response = api_as(MANAGER).post(DECISIONS, json=body)
    assert response.status_code == 500 and response.get_json()["success"] is False
    assert row_counts(db) == before and snapshot(db) == state
