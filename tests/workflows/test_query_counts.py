"""The JSON lists and detail run a fixed number of queries, however much data there is."""

import contextlib

import pytest
from sqlalchemy import event

from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
APPROVERS = ["manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com",
             "it-manager@royalenfield.com", "cto@royalenfield.com", "procurement@royalenfield.com",
             "legal@royalenfield.com", "vp@royalenfield.com", "finance-manager@royalenfield.com",
             "newapprover@royalenfield.com"]
# The test harness wraps each request in a savepoint; those are not the app's queries.
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")
SPECTATORS = ["spectator@royalenfield.com", "hr@royalenfield.com", "finance@royalenfield.com",
              "hr@example.com", "user@example.com"]


@pytest.fixture
def queries_during(db):
    @contextlib.contextmanager
    def count():
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
                statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return count


def _create(api, approvers, spectators=()):
    response = api.post("/workflows", json=simple_request(*approvers, spectators=spectators))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def test_detail_queries_do_not_grow_with_levels_participants_or_comments(api_as, queries_during):
    initiator = api_as(INITIATOR)
    small = _create(initiator, APPROVERS[:1])
    large = _create(initiator, APPROVERS, SPECTATORS)
    for n in range(5):
        initiator.post(f"/workflows/{large['requestId']}/comments", json={"comment": f"note {n}"})
    with queries_during() as small_queries:
        assert initiator.get(f"/workflows/{small['requestId']}").status_code == 200
    with queries_during() as large_queries:
        body = initiator.get(f"/workflows/{large['requestId']}").get_json()["data"]
    assert len(body["approvalLevels"]) == 10 and len(body["participants"]) == 16 and len(body["comments"]) == 5
    assert len(large_queries) == len(small_queries) <= 9, large_queries


@pytest.mark.parametrize("view, viewer", [("mine", INITIATOR), ("approve", "manager@royalenfield.com"),
                                          ("watching", "spectator@royalenfield.com"), ("all", "admin@company.com")])
def test_list_queries_do_not_grow_with_rows(api_as, queries_during, view, viewer):
    initiator, reader = api_as(INITIATOR), api_as(viewer)
    _create(initiator, APPROVERS[:3], ["spectator@royalenfield.com"])
    with queries_during() as one_row:
        assert len(reader.get(f"/workflows?view={view}").get_json()["data"]) == 1
    for _ in range(12):
        _create(initiator, APPROVERS[:3], ["spectator@royalenfield.com"])
    with queries_during() as many_rows:
        assert len(reader.get(f"/workflows?view={view}").get_json()["data"]) == 13
    assert len(many_rows) == len(one_row) <= 3, many_rows


def _create_several(api, groups, mode="ALL"):
    body = simple_request(approvalLevels=[{"approvers": [{"email": e} for e in group], "tatHours": 24,
                                           "approvalMode": mode} for group in groups])
    response = api.post("/workflows", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def test_detail_and_inbox_queries_do_not_grow_with_approvers_or_tasks(api_as, queries_during):
    initiator, approver = api_as(INITIATOR), api_as(APPROVERS[0])
    small = _create_several(initiator, [APPROVERS[:1]])
    with queries_during() as small_detail:
        initiator.get(f"/workflows/{small['requestId']}")
    with queries_during() as small_inbox:
        assert len(approver.get("/workflows?view=approve").get_json()["data"]) == 1
    large = _create_several(initiator, [APPROVERS[:5], APPROVERS[5:8], APPROVERS[8:10]])
    for _ in range(6):
        _create_several(initiator, [APPROVERS[:5], APPROVERS[5:10]])
    with queries_during() as large_detail:
        body = initiator.get(f"/workflows/{large['requestId']}").get_json()["data"]
    with queries_during() as large_inbox:
        assert len(approver.get("/workflows?view=approve").get_json()["data"]) == 8
    assert [len(level["approvers"]) for level in body["approvalLevels"]] == [5, 3, 2]
    assert len(large_detail) == len(small_detail) and len(large_inbox) == len(small_inbox) <= 3, large_inbox
