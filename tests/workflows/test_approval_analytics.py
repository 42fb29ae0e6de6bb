"""Approval analytics (``reports.approvals``): every number against a small history worked
out by hand, on the default calendar (Monday to Friday, 09:00–17:00 UTC). Each request goes
through the real services and API, with the clock the services read set to the moment.

    R1  Mon 2 Nov 09:00  manager approves 13:00 (4 working h, on time)     approved, cycle 4 h
    R2  Mon 2 Nov 10:00  manager approves Tue 11:00 (9 h: TAT 8 h, breach)
                         director rejects Tue 15:00 (4 h, on time)          rejected, cycle 29 h
    R3  Wed 4 Nov 09:00  manager returns 10:00 (1 h); resubmitted 14:00;
                         manager approves 16:00 (2 h, on time)              approved, cycle 7 h, rework 4 h
    R4  Thu 5 Nov 09:00  EXPRESS, withdrawn 12:00                           withdrawn, cycle 3 h
    R5  Thu 5 Nov 11:00  waiting on the manager                             open
"""

import csv
import io
import sys
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from momoflow.reports import approvals
from momoflow.reports.percentiles import interpolated
from momoflow.workflows.models import ApprovalDecision, ApprovalLevel, ApprovalTask, WorkflowRequest
from tests.workflows.conftest import simple_request

EMPLOYEE, MANAGER, DIRECTOR = "employee@company.com", "manager@royalenfield.com", "director@royalenfield.com"
DATES = "start=2026-11-02&end=2026-11-06"
HOUR = 3600


def at(day, hour):
    return datetime(2026, 11, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)``: the time every workflow service reads from now on."""
    def set_to(moment):
        for name, module in list(sys.modules.items()):
            if name.startswith("momoflow.workflows.") and hasattr(module, "utcnow"):
                monkeypatch.setattr(module, "utcnow", lambda: moment)
    return set_to


@pytest.fixture
def history(api_as, clock, db, demo):
    employee, manager, director = api_as(EMPLOYEE), api_as(MANAGER), api_as(DIRECTOR)

    def raised(moment, *approvers, **fields):
        clock(moment)
        body = simple_request(*approvers, **fields)
        for level in body["approvalLevels"]:
            level["tatHours"] = 8
        answer = employee.post("/workflows", json=body)
        assert answer.status_code == 201, answer.get_json()
        request_id = uuid.UUID(answer.get_json()["data"]["requestId"])
        _backdate(db, request_id, moment)
        return request_id

    def act(api, moment, request_id, verb, number=1, **body):
        clock(moment)
        level = db.session.scalar(sa.select(ApprovalLevel.id).where(ApprovalLevel.request_id == request_id,
                                                                    ApprovalLevel.level_number == number))
        answer = api.post(f"/workflows/{request_id}/levels/{level}/{verb}", json={"comments": "ok", **body})
        assert answer.status_code == 200, answer.get_json()

    r1 = raised(at(2, 9), MANAGER)
    act(manager, at(2, 13), r1, "approve")
    r2 = raised(at(2, 10), MANAGER, DIRECTOR)
    act(manager, at(3, 11), r2, "approve")
    act(director, at(3, 15), r2, "reject", number=2)
    r3 = raised(at(4, 9), MANAGER)
    act(manager, at(4, 10), r3, "return")
    clock(at(4, 14))
    assert employee.post(f"/workflows/{r3}/resubmit", json={}).status_code == 200
    _backdate(db, r3, at(4, 14))
    act(manager, at(4, 16), r3, "approve")
    r4 = raised(at(5, 9), MANAGER, priority="EXPRESS")
    clock(at(5, 12))
    assert employee.post(f"/workflows/{r4}/withdraw", json={"reason": "not needed"}).status_code == 200
    r5 = raised(at(5, 11), MANAGER)
    clock(datetime.now(timezone.utc))
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r5": r5}


def _backdate(db, request_id, moment):
    """Rows the database dated by the real clock (a request's and its new tasks' creation)
    take the fixture's moment instead."""
    db.session.execute(sa.update(WorkflowRequest).where(WorkflowRequest.id == request_id,
                                                        WorkflowRequest.created_at > moment)
                       .values(created_at=moment).execution_options(synchronize_session=False))
    db.session.execute(sa.update(ApprovalTask).where(ApprovalTask.request_id == request_id,
                                                     ApprovalTask.created_at > moment)
                       .values(created_at=moment).execution_options(synchronize_session=False))
    db.session.flush()


def report(api, section, query=DATES):
    answer = api.get(f"/reports/approvals/{section}?{query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["data"]


# --- the numbers ---------------------------------------------------------------------------------


def test_summary(history, api_as):
    assert report(api_as("admin@company.com"), "summary") == [{
        "raised": 5, "approved": 2, "rejected": 1, "withdrawn": 1, "returned": 1, "open": 1, "closed": 4,
        # cycles 3, 4, 7 and 29 hours: p50 between 4 and 7, p90 at 7 + 0.7 × 22
        "cycleP50Hours": 5.5, "cycleP90Hours": 22.4,
        # averages of the four closed: 10.75 h in all, of which 1 h back with the requester
        "waitingHours": 9.75, "reworkHours": 1.0}]


def test_each_decision_keeps_its_wait_by_the_tat_clock(history, db):
    waits = db.session.execute(sa.select(ApprovalDecision, ApprovalTask).join(
        ApprovalTask, ApprovalTask.id == ApprovalDecision.task_id).order_by(ApprovalDecision.decided_at)).all()
    assert [(fact.wait_seconds / HOUR, fact.on_time) for fact, _ in waits] == [
        (4, True), (9, False), (4, True), (1, True), (2, True)]
    for fact, task in waits:  # what the decision was, as the task says
        assert (fact.decided_at, fact.approver_id, fact.request_id) == (task.acted_at, task.acted_by_id,
                                                                         task.request_id)
        assert fact.by_delegate is False and fact.level_key == fact.level_name.lower()


def test_per_approver_and_bottlenecks(history, api_as):
    admin = api_as("admin@company.com")
    assert report(admin, "approvers") == [
        # 1, 2, 4 and 9 hours: p50 3 h, p90 4 + 0.7 × 5 = 7.5 h; one breach
        {"approver": "Arjun Mehta", "email": MANAGER, "decisions": 4, "waitP50Hours": 3.0, "waitP90Hours": 7.5,
         "onTimeRate": 75.0, "breaches": 1, "delegateShare": 0.0},
        {"approver": approver_name(history, DIRECTOR), "email": DIRECTOR, "decisions": 1, "waitP50Hours": 4.0,
         "waitP90Hours": 4.0, "onTimeRate": 100.0, "breaches": 0, "delegateShare": 0.0},
    ]
    ranked = report(admin, "bottlenecks")
    assert [(row["rank"], row["email"], row["score"]) for row in ranked] == [(1, MANAGER, 30.0), (2, DIRECTOR, 4.0)]


def approver_name(history, email):
    from momoflow.accounts.services import find_user

    return find_user(email).display_name


def test_per_level(history, api_as):
    rows = report(api_as("admin@company.com"), "levels")
    assert sum(row["decisions"] for row in rows) == 5
    assert all(row["tatHours"] == 8.0 for row in rows)
    assert sum(row["breaches"] for row in rows) == 1


def test_trend_and_heat_map(history, api_as):
    admin = api_as("admin@company.com")
    assert report(admin, "trend") == [{"week": "2026-W45", "raised": 5, "closed": 4, "averageCycleHours": 10.75}]
    assert report(admin, "heatmap") == [
        {"weekday": "Mon", "hour": 13, "decisions": 1, "onTime": 1},
        {"weekday": "Tue", "hour": 11, "decisions": 1, "onTime": 0},
        {"weekday": "Tue", "hour": 15, "decisions": 1, "onTime": 1},
        {"weekday": "Wed", "hour": 10, "decisions": 1, "onTime": 1},
        {"weekday": "Wed", "hour": 16, "decisions": 1, "onTime": 1},
    ]


def test_queue_now_ignores_the_dates(history, api_as):
    rows = report(api_as("admin@company.com"), "queue", query="start=2020-01-01&end=2020-01-02")
    assert [(row["holderEmail"], row["waitingSince"]) for row in rows] == [(MANAGER, "2026-11-05T11:00:00Z")]


@pytest.mark.parametrize("query, raised", [
    ("start=2026-11-04&end=2026-11-06", 3),
    ("start=2026-11-02&end=2026-11-02", 2),
    (f"{DATES}&priority=EXPRESS", 1),
    (f"{DATES}&department=Customer+Success", 5),
    (f"{DATES}&department=Finance", 0),
    (f"{DATES}&template=tmpl_nope", 0),
])
def test_filters(history, api_as, query, raised):
    assert report(api_as("admin@company.com"), "summary", query)[0]["raised"] == raised


def test_decisions_count_by_when_they_were_taken(history, api_as):
    rows = report(api_as("admin@company.com"), "approvers", "start=2026-11-04&end=2026-11-04")
    assert [(row["email"], row["decisions"]) for row in rows] == [(MANAGER, 2)]  # R3's return and approval


# --- who sees what -----------------------------------------------------------------------------------


def test_a_manager_sees_their_teams_requests_and_the_ones_they_approve(history, api_as):
    assert report(api_as(MANAGER), "summary")[0]["raised"] == 5  # the employee reports to them
    assert report(api_as(DIRECTOR), "summary")[0]["raised"] == 5  # two levels down
    assert report(api_as("cfo@royalenfield.com"), "summary")[0]["raised"] == 0  # not theirs at all


def test_employees_may_not(history, api_as, client, demo, login_as):
    answer = api_as(EMPLOYEE).get(f"/reports/approvals/summary?{DATES}")
    assert answer.status_code == 403
    login_as(demo[EMPLOYEE])
    assert client.get("/reports/approvals").status_code == 403
    assert client.get("/reports/approvals/levels.csv").status_code == 403


def test_another_organisation_sees_none_of_it(history, client, db):
    from momoflow.accounts.models import Role
    from tests.conftest import sign_in
    from tests.factories import make_org, make_user

    admin = make_user(make_org(), role=Role.ADMIN)
    db.session.flush()
    sign_in(client, admin)
    html = client.get(f"/reports/approvals?{DATES}").get_data(as_text=True)
    assert "Nothing to measure in these dates." in html


@pytest.mark.parametrize("query, message", [
    ("start=yesterday", "start: start must be a date like 2024-10-31"),
    ("start=2026-11-06&end=2026-11-01", "end: end must be on or after start"),
    ("priority=URGENT", "priority: priority must be one of STANDARD, EXPRESS"),
    ("department=" + "x" * 500, "department: department must be at most 200 characters"),
])
def test_bad_filters_are_400s_naming_them(api_as, demo, query, message):
    answer = api_as("admin@company.com").get(f"/reports/approvals/summary?{query}")
    assert answer.status_code == 400 and answer.get_json()["details"] == message


def test_an_unknown_report_is_404(api_as, demo):
    assert api_as("admin@company.com").get("/reports/approvals/everything").status_code == 404


# --- the page and its CSVs ------------------------------------------------------------------------------


def test_the_page_shows_every_section(history, client, demo, login_as):
    login_as(demo["admin@company.com"])
    html = client.get(f"/reports/approvals?{DATES}").get_data(as_text=True)
    for words in ("Approval analytics", "Cycle time p50", "5 hours 30 minutes", "22 hours 24 minutes", "Per level", "Per approver",
                  "When decisions happen", "Bottlenecks", "Waiting now", "Arjun Mehta", "<svg class=\"chart\""):
        assert words in html, words
    assert html.count("Download CSV") == 7


@pytest.mark.parametrize("section", sorted(approvals_sections := ["summary", "trend", "levels", "approvers",
                                                                   "bottlenecks", "queue", "heatmap"]))
def test_every_table_downloads_as_csv_with_the_filters(history, client, demo, login_as, section):
    login_as(demo["admin@company.com"])
    response = client.get(f"/reports/approvals/{section}.csv?{DATES}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)


def test_the_page_costs_the_same_queries_however_much_history(history, client, demo, login_as, count_queries):
    login_as(demo["admin@company.com"])
    with count_queries() as small:
        client.get("/reports/approvals?start=2026-11-02&end=2026-11-02")
    with count_queries() as everything:
        client.get(f"/reports/approvals?{DATES}")
    assert len(small) == len(everything)


def test_a_hostile_page_query_is_not_a_500(client, demo, login_as):
    login_as(demo["admin@company.com"])
    for query in ("start=%00", "department=" + "x" * 5000, "priority=%ff", "template=" + "\ud800".encode(
            "utf-8", "surrogatepass").hex(), "end=9999-99-99"):
        assert client.get(f"/reports/approvals?{query}").status_code == 200, query


def test_percentiles_interpolate_like_percentile_cont():
    assert interpolated([1, 2, 4, 9], 0.5) == 3
    assert interpolated([1, 2, 4, 9], 0.9) == pytest.approx(7.5)
    assert interpolated([5], 0.9) == 5


def test_older_decisions_get_their_wait_from_the_backfill(history, app, db):
    facts = sa.select(*(column for column in ApprovalDecision.__table__.c)).order_by(ApprovalDecision.task_id)
    kept = db.session.execute(facts).all()
    db.session.execute(sa.delete(ApprovalDecision))
    result = app.test_cli_runner().invoke(args=["backfill-decision-times"])
    assert result.exit_code == 0 and "Filled in 5 decisions." in result.output
    assert db.session.execute(facts).all() == kept
    assert "Filled in 0 decisions." in app.test_cli_runner().invoke(args=["backfill-decision-times"]).output


def test_the_pages_bottlenecks_are_the_exhaustive_ranking(history, demo):
    """The page's ranking (the database's on PostgreSQL) is the one every approver's times give."""
    filters, _ = approvals.parse_filters({"start": "2026-11-02", "end": "2026-11-06"})
    admin = demo["admin@company.com"]
    busiest, ranked = approvals.busiest_and_bottlenecks(admin, filters)
    everyone = approvals.approvers(admin, filters)
    assert [(t.key, t.wait_p90) for t in ranked] == [(t.key, t.wait_p90) for t in approvals.bottlenecks(everyone)]
    assert [(t.label, t.decisions, t.wait_p50) for t in busiest] == [(t.label, t.decisions, t.wait_p50)
                                                                     for t in everyone]


def test_a_manager_also_sees_requests_they_took_part_in_and_no_others(api_as, db, demo):
    """hr@example.com is nowhere below the CFO or Arjun; the CFO approves their request."""
    answer = api_as("hr@example.com").post("/workflows", json=simple_request("cfo@royalenfield.com"))
    request_id = answer.get_json()["data"]["requestId"]
    level = db.session.scalar(sa.select(ApprovalLevel.id).where(ApprovalLevel.request_id == uuid.UUID(request_id)))
    assert api_as("cfo@royalenfield.com").post(f"/workflows/{request_id}/levels/{level}/approve",
                                               json={"comments": "ok"}).status_code == 200
    cfo = report(api_as("cfo@royalenfield.com"), "summary", query="")[0]
    assert (cfo["raised"], cfo["approved"]) == (1, 1)
    assert report(api_as(MANAGER), "summary", query="")[0]["raised"] == 0
    assert [row["email"] for row in report(api_as("cfo@royalenfield.com"), "approvers", query="")] == [
        "cfo@royalenfield.com"]
