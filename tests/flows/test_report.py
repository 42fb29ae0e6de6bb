"""``POST /v1/flows/report``: every field, filter, boundary, error and page, against numbers
worked out by hand on a small fixed set of assignments (``report_data``)."""

from datetime import datetime

import pytest

from momoflow.accounts.models import Tier
from momoflow.apikeys.services import create_api_key
from momoflow.flows import report
from momoflow.flows.editing import create_flow, parse_flow
from momoflow.flows.models import FlowSchedule, ModuleProgress, ScheduleUnit
from tests.factories import make_org
from tests.flows.conftest import Integrator

def post(integrator, flow, **body):
    return integrator.post("/flows/report", json={"flowId": flow.public_id, **body})


def ok(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def ids(answer, assignments):
    names = {assignment.public_id: name for name, (assignment, _) in assignments.items()}
    return [names[entry["assignmentId"]] for entry in answer["assignments"]]


# --- the answer ---------------------------------------------------------------------------------


def test_the_whole_report_in_the_documented_shape(integrator, report_data):
    flow, _, assignments = report_data
    answer = ok(post(integrator, flow))
    assert (answer["flowId"], answer["flowName"]) == (flow.public_id, "Report flow")
    # 6 assignments (the cancelled one is left out); 2 completed, in 1.5 days and 6 hours:
    # on average 21 hours; 2 of 6 is 33.3 %.
    assert answer["metrics"] == {
        "totalAssignments": 6, "completedAssignments": 2, "averageCompletionTime": "21 hours",
        "completionRate": 33.3, "averageCompletionSeconds": 75600, "pendingAssignments": 1,
        "inProgressAssignments": 1, "overdueAssignments": 2}
    assert ids(answer, assignments) == ["a6", "a5", "a4", "a3", "a2", "a1"]  # newest first
    assert answer["nextCursor"] is None and "aggregates" not in answer
    a3, person = assignments["a3"]
    assert answer["assignments"][3] == {
        "assignmentId": a3.public_id, "assigneeEmail": person.email, "assignedAt": "2024-10-15T08:00:00Z",
        "status": "in_progress", "flowVersion": 1, "completedModules": 2, "totalModules": 4,
        "dueDate": "2099-01-01T00:00:00Z", "startedAt": "2024-10-15T09:00:00Z", "completedAt": None}
    assert [entry["status"] for entry in answer["assignments"]] == [
        "overdue", "pending", "overdue", "in_progress", "completed", "completed"]


def test_schedules_are_the_upcoming_runs_one_per_person(integrator, report_data):
    flow = report_data[0]
    schedules = ok(post(integrator, flow, status="completed"))["schedules"]  # filters leave them alone
    yearly, weekly = (schedule.public_id for schedule in sorted(
        flow_schedules(flow), key=lambda schedule: schedule.next_run_at))
    assert schedules == [
        {"scheduleId": yearly, "assigneeEmail": "c@company.com", "scheduledAt": "2030-01-01T09:00:00Z",
         "status": "pending", "recurrence": "yearly"},
        {"scheduleId": weekly, "assigneeEmail": "b@company.com", "scheduledAt": "2030-01-07T10:00:00Z",
         "status": "pending", "recurrence": "weekly"},
        {"scheduleId": weekly, "assigneeEmail": "a@company.com", "scheduledAt": "2030-01-07T10:00:00Z",
         "status": "pending", "recurrence": "weekly"},
    ]


def flow_schedules(flow):
    from momoflow.extensions import db

    return db.session.scalars(db.select(FlowSchedule).where(FlowSchedule.flow_id == flow.id, FlowSchedule.active))


@pytest.mark.parametrize("every, unit, words", [
    (1, ScheduleUnit.DAYS, "daily"), (7, ScheduleUnit.DAYS, "weekly"), (14, ScheduleUnit.DAYS, "biweekly"),
    (1, ScheduleUnit.MONTHS, "monthly"), (3, ScheduleUnit.MONTHS, "quarterly"), (12, ScheduleUnit.MONTHS, "yearly"),
    (10, ScheduleUnit.DAYS, "every 10 days"), (2, ScheduleUnit.MONTHS, "every 2 months")])
def test_recurrence_words(every, unit, words):
    assert report.recurrence(every, unit) == words


@pytest.mark.parametrize("status, expected, metrics", [
    ("pending", ["a5"], (1, 0, 0.0)),  # a6 is past due: overdue, not pending
    ("in_progress", ["a3"], (1, 0, 0.0)),
    ("completed", ["a2", "a1"], (2, 2, 100.0)),
    ("overdue", ["a6", "a4"], (2, 0, 0.0)),
])
def test_each_status_filter(integrator, report_data, status, expected, metrics):
    flow, _, assignments = report_data
    answer = ok(post(integrator, flow, status=status))
    assert ids(answer, assignments) == expected
    numbers = answer["metrics"]
    assert (numbers["totalAssignments"], numbers["completedAssignments"], numbers["completionRate"]) == metrics
    assert {entry["status"] for entry in answer["assignments"]} == {status}


@pytest.mark.parametrize("start, end, expected", [
    ("2024-10-09", "2024-10-21", ["a4", "a3", "a2"]),  # dates: the whole of both days (UTC)
    ("2024-10-09T12:00:00Z", None, ["a6", "a5", "a4", "a3", "a2"]),  # the start is included
    (None, "2024-10-21T10:00:00Z", ["a4", "a3", "a2", "a1"]),  # so is the end
    (None, "2024-10-21T09:59:59Z", ["a3", "a2", "a1"]),
    ("2024-10-09T12:00:00.000001Z", "2024-10-15T08:00:00Z", ["a3"]),
    ("2024-10-22T20:00:00+05:30", "2024-10-23T01:30:00+05:30", ["a5"]),  # zones are read, not dropped
    ("2025-01-01", None, []),
])
def test_date_range_boundaries(integrator, report_data, start, end, expected):
    flow, _, assignments = report_data
    body = {key: value for key, value in (("startDate", start), ("endDate", end)) if value}
    answer = ok(post(integrator, flow, **body))
    assert ids(answer, assignments) == expected
    assert answer["metrics"]["totalAssignments"] == len(expected)


def test_nothing_selected_reads_as_zero_not_an_error(integrator, report_data):
    answer = ok(post(integrator, report_data[0], startDate="2025-01-01"))
    assert answer["metrics"] == {
        "totalAssignments": 0, "completedAssignments": 0, "averageCompletionTime": None, "completionRate": 0.0,
        "averageCompletionSeconds": None, "pendingAssignments": 0, "inProgressAssignments": 0,
        "overdueAssignments": 0}
    assert answer["assignments"] == [] and answer["nextCursor"] is None


def test_detailed_adds_module_progress(integrator, report_data):
    flow, modules, assignments = report_data
    answer = ok(post(integrator, flow, detailed=True))
    by_name = dict(zip(ids(answer, assignments), answer["assignments"]))
    module_ids = [module.public_id for module in modules]
    assert all(module_id.startswith("mod_") for module_id in module_ids)
    # a3: modules 1 and 2 done 2 and 3 hours after it was assigned; the third since then.
    assert by_name["a3"]["moduleProgress"] == [
        {"moduleId": module_ids[0], "moduleName": "Module 1", "status": "completed",
         "completedAt": "2024-10-15T10:00:00Z"},
        {"moduleId": module_ids[1], "moduleName": "Module 2", "status": "completed",
         "completedAt": "2024-10-15T11:00:00Z"},
        {"moduleId": module_ids[2], "moduleName": "Module 3", "status": "in_progress",
         "startedAt": "2024-10-15T11:00:00Z"},
        {"moduleId": module_ids[3], "moduleName": "Module 4", "status": "pending"},
    ]
    assert [entry["status"] for entry in by_name["a5"]["moduleProgress"]] == ["pending"] * 4
    assert [entry["status"] for entry in by_name["a1"]["moduleProgress"]] == ["completed"] * 4
    assert [entry["status"] for entry in by_name["a4"]["moduleProgress"]] == [
        "completed", "in_progress", "pending", "pending"]  # overdue, but being worked on
    assert "moduleProgress" not in ok(post(integrator, flow))["assignments"][0]


def test_a_module_started_when_the_flow_started(integrator, report_data, db):
    flow, modules, assignments = report_data
    a3, _ = assignments["a3"]
    db.session.execute(db.delete(ModuleProgress).where(ModuleProgress.assignment_id == a3.id))
    a3.modules_completed = 0
    answer = ok(post(integrator, flow, detailed=True, status="in_progress"))
    assert answer["assignments"][0]["moduleProgress"][0] == {
        "moduleId": modules[0].public_id, "moduleName": "Module 1", "status": "in_progress",
        "startedAt": "2024-10-15T09:00:00Z"}


# --- pages -----------------------------------------------------------------------------------------


def test_pages_walk_every_assignment_once_with_the_same_metrics(integrator, report_data):
    flow, _, assignments = report_data
    seen, cursor, pages = [], None, 0
    while True:
        answer = ok(post(integrator, flow, limit=4, **({"cursor": cursor} if cursor else {})))
        assert answer["metrics"]["totalAssignments"] == 6  # the metrics cover the selection, not the page
        seen += ids(answer, assignments)
        pages += 1
        cursor = answer["nextCursor"]
        if cursor is None:
            break
    assert (seen, pages) == (["a6", "a5", "a4", "a3", "a2", "a1"], 2)


def test_a_cursor_keeps_to_the_filters_sent_with_it(integrator, report_data):
    flow, _, assignments = report_data
    first = ok(post(integrator, flow, status="overdue", limit=1))
    assert ids(first, assignments) == ["a6"]
    second = ok(post(integrator, flow, status="overdue", limit=1, cursor=first["nextCursor"]))
    assert ids(second, assignments) == ["a4"] and second["nextCursor"] is None


def test_a_page_costs_the_same_queries_however_many_rows(integrator, report_data, count_queries):
    flow = report_data[0]
    with count_queries() as few:
        ok(post(integrator, flow, limit=1, detailed=True))
    with count_queries() as many:
        ok(post(integrator, flow, limit=6, detailed=True))
    reads = [[statement for statement in block if statement.startswith("SELECT")] for block in (few, many)]
    # (the key: not seen on PostgreSQL's lean path), its organisation, flow, metrics, page, modules,
    # progress, schedules
    assert len(reads[0]) == len(reads[1]) <= 8


# --- aggregates -----------------------------------------------------------------------------------


def test_aggregate_by_week_in_the_organisations_time_zone(integrator, report_data):
    answer = ok(post(integrator, report_data[0], aggregate={"by": "week",
                                                            "metrics": ["completion_rate", "average_duration"]}))
    assert answer["aggregates"] == [
        {"period": "2024-W41", "totalAssignments": 2, "completedAssignments": 2, "completionRate": 100.0,
         "averageDuration": "21 hours", "averageDurationSeconds": 75600},
        {"period": "2024-W42", "totalAssignments": 1, "completedAssignments": 0, "completionRate": 0.0,
         "averageDuration": None, "averageDurationSeconds": None},
        {"period": "2024-W43", "totalAssignments": 3, "completedAssignments": 0, "completionRate": 0.0,
         "averageDuration": None, "averageDurationSeconds": None},
    ]


@pytest.mark.parametrize("by, periods", [
    # a5, assigned 22 Oct 20:00 UTC, is 23 Oct 01:30 in Kolkata
    ("day", ["2024-10-07", "2024-10-09", "2024-10-15", "2024-10-21", "2024-10-23"]),
    ("month", ["2024-10"]), ("quarter", ["2024-Q4"]), ("year", ["2024"]),
])
def test_aggregate_periods(integrator, report_data, by, periods):
    aggregates = ok(post(integrator, report_data[0], aggregate={"by": by}))["aggregates"]
    assert [entry["period"] for entry in aggregates] == periods
    assert sum(entry["totalAssignments"] for entry in aggregates) == 6
    if by == "day":
        assert [entry["totalAssignments"] for entry in aggregates] == [1, 1, 1, 1, 2]


def test_aggregate_with_one_metric_and_filters(integrator, report_data):
    answer = ok(post(integrator, report_data[0], status="completed",
                     aggregate={"by": "day", "metrics": ["average_duration"]}))
    assert answer["aggregates"] == [
        {"period": "2024-10-07", "totalAssignments": 1, "completedAssignments": 1,
         "averageDuration": "1.5 days", "averageDurationSeconds": 129600},
        {"period": "2024-10-09", "totalAssignments": 1, "completedAssignments": 1,
         "averageDuration": "6 hours", "averageDurationSeconds": 21600},
    ]


@pytest.mark.parametrize("moment, by, label", [
    (datetime(2024, 12, 30), "week", "2025-W01"), (datetime(2021, 1, 3), "week", "2020-W53"),
    (datetime(2024, 3, 31), "quarter", "2024-Q1"), (datetime(2024, 4, 1), "quarter", "2024-Q2"),
])
def test_iso_weeks_and_quarters_at_year_ends(moment, by, label):
    assert report.period_label(moment, by) == label


@pytest.mark.parametrize("seconds, words", [
    (None, None), (0, "0 minutes"), (2700, "45 minutes"), (19800, "5 hours 30 minutes"), (86399, "24 hours"),
    (86400, "1 day"), (129600, "1.5 days"), (12 * 86400, "12 days"), (1.26 * 86400, "1.3 days")])
def test_durations_read_like_the_assign_answers(seconds, words):
    assert report.seconds_text(seconds) == words


@pytest.mark.parametrize("done, total, rate", [(38, 45, 84.4), (1, 3, 33.3), (2, 3, 66.7), (1, 8, 12.5),
                                               (0, 0, 0.0), (5, 5, 100.0)])
def test_completion_rate_has_one_decimal(done, total, rate):
    assert report.completion_rate(done, total) == rate


# --- errors -------------------------------------------------------------------------------------


def test_the_documented_errors(integrator, report_data, client):
    flow = report_data[0]
    response = client.post("/v1/flows/report", json={"flowId": flow.public_id})
    assert (response.status_code, response.get_json()) == (
        401, {"error": "unauthorized", "message": "Invalid or missing API key"})
    response = integrator.post("/flows/report", json={"flowId": "flow_123abcX"})
    assert (response.status_code, response.get_json()) == (
        404, {"error": "not_found", "message": "Flow with ID 'flow_123abcX' does not exist"})
    response = post(integrator, flow, startDate="2024-10-25T00:00:00Z", endDate="2024-10-01T00:00:00Z")
    assert (response.status_code, response.get_json()) == (
        400, {"error": "invalid_request", "message": "End date must be after start date"})
    response = post(integrator, flow, startDate="2024-10-25T00:00:00Z", endDate="2024-10-25T00:00:00Z")
    assert response.get_json()["message"] == "End date must be after start date"


def test_another_organisations_flow_does_not_exist(client, report_data, db):
    other = make_org()
    _, secret = create_api_key(other, "theirs")
    db.session.flush()
    response = Integrator(client, secret).post("/flows/report", json={"flowId": report_data[0].public_id})
    assert response.status_code == 404


@pytest.mark.parametrize("change, message", [
    ({"flowId": None}, "flowId is required"),
    ({"flowId": 12}, "flowId is required"),
    ({"startDate": "yesterday"}, "startDate must be ISO 8601, e.g. 2024-10-01T00:00:00Z or 2024-10-01"),
    ({"endDate": "2024-10-01T00:00:00"}, "endDate needs a time zone, e.g. 2024-10-01T00:00:00Z"),
    ({"startDate": 20241001}, "startDate must be ISO 8601, e.g. 2024-10-01T00:00:00Z or 2024-10-01"),
    ({"status": "done"}, "status must be one of pending, in_progress, completed, overdue"),
    ({"status": ["pending"]}, "status must be one of pending, in_progress, completed, overdue"),
    ({"status": "assigned"}, "status must be one of pending, in_progress, completed, overdue"),
    ({"detailed": "yes"}, "detailed must be true or false"),
    ({"limit": 0}, "limit must be a whole number from 1 to 1000"),
    ({"limit": 10 ** 400}, "limit must be a whole number from 1 to 1000"),
    ({"limit": "10"}, "limit must be a whole number from 1 to 1000"),
    ({"cursor": "nope"}, "cursor is not valid (use nextCursor from the previous answer)"),
    ({"cursor": {"a": 1}}, "cursor is not valid (use nextCursor from the previous answer)"),
    ({"format": "xlsx"}, "format must be one of csv, excel, pdf"),
    ({"aggregate": "week"}, 'aggregate must be an object like {"by": "week", "metrics": ["completion_rate"]}'),
    ({"aggregate": {"by": "fortnight"}}, "aggregate.by must be one of day, week, month, quarter, year"),
    ({"aggregate": {"by": ["week"]}}, "aggregate.by must be one of day, week, month, quarter, year"),
    ({"aggregate": {"by": "week", "metrics": []}},
     "aggregate.metrics must be a list of completion_rate, average_duration"),
    ({"aggregate": {"by": "week", "metrics": ["median"]}},
     "aggregate.metrics.0 must be one of completion_rate, average_duration"),
])
def test_each_bad_field_is_a_400_naming_it(integrator, report_data, change, message):
    response = integrator.post("/flows/report", json={"flowId": report_data[0].public_id, **change})
    assert (response.status_code, response.get_json()) == (400, {"error": "invalid_request", "message": message})


def test_several_bad_fields_are_named_together(integrator, report_data):
    response = post(integrator, report_data[0], status="x", limit=-1)
    assert response.get_json()["message"] == (
        "status must be one of pending, in_progress, completed, overdue; limit must be a whole number from 1 to 1000")


@pytest.mark.parametrize("body, message", [
    ("[" * 10_000 + "]" * 10_000, "Request body is nested too deeply"),
    ('{"flowId": "\\ud800"}', "flowId must be valid text (it holds a lone surrogate)"),
    ("[1]", "Request body must be a JSON object"),
    ("{", "Request body is not valid JSON"),
])
def test_hostile_bodies_are_400s_in_the_reports_shape(integrator, report_data, body, message):
    response = integrator.client.post("/v1/flows/report", data=body,
                                      headers=integrator.headers({"Content-Type": "application/json"}))
    assert (response.status_code, response.get_json()) == (400, {"error": "invalid_request", "message": message})


def test_a_body_that_is_not_json_is_415(integrator, report_data):
    response = integrator.client.post("/v1/flows/report", data="flowId=x", headers=integrator.headers())
    assert response.status_code == 415


# --- rate limits ------------------------------------------------------------------------------------


def test_reports_have_their_own_bucket_by_tier(integrator, report_data, app, monkeypatch, client, db):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_STANDARD", "2 per minute")
    monkeypatch.setitem(app.config, "API_REPORT_RATE_LIMIT_STANDARD", "3 per minute")
    monkeypatch.setitem(app.config, "API_REPORT_RATE_LIMIT_ENTERPRISE", "4 per minute")
    flow = report_data[0]
    answers = [post(integrator, flow) for _ in range(3)]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    refused = post(integrator, flow)
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limit_exceeded"
    # the shared bucket was not touched by the reports, nor the reports' by the rest
    assert [integrator.get("/flows").status_code for _ in range(3)] == [200, 200, 429]

    big = make_org(tier=Tier.ENTERPRISE)
    flow_of_big = create_flow(big, parse_flow({"name": "Big", "modules": [{"title": "One", "minutes": 1}]}))
    _, secret = create_api_key(big, "big")
    db.session.flush()
    enterprise = Integrator(client, secret)
    statuses = [enterprise.post("/flows/report", json={"flowId": flow_of_big.public_id}).status_code
                for _ in range(5)]
    assert statuses == [200] * 4 + [429]


def test_a_report_over_many_rows_counts_once_per_started_thousand(integrator, report_data, app, monkeypatch):
    monkeypatch.setattr(report, "ROWS_PER_REQUEST", 4)  # 6 assignments: two "thousands"
    monkeypatch.setitem(app.config, "API_REPORT_RATE_LIMIT_STANDARD", "5 per minute")
    flow = report_data[0]
    first = post(integrator, flow)
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "3"
    small = post(integrator, flow, status="completed")  # 2 rows: counts once
    assert small.status_code == 200 and small.headers["X-RateLimit-Remaining"] == "2"
    assert post(integrator, flow).status_code == 200  # 1 + 1 more: exactly the last two
    refused = post(integrator, flow, status="completed")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert refused.get_json()["retry_after"] == int(refused.headers["Retry-After"])


def test_a_heavy_report_that_does_not_fit_is_refused_before_its_rows_are_read(integrator, report_data, app,
                                                                               monkeypatch):
    monkeypatch.setattr(report, "ROWS_PER_REQUEST", 2)  # 6 assignments weigh 3
    monkeypatch.setitem(app.config, "API_REPORT_RATE_LIMIT_STANDARD", "4 per minute")
    read = []
    monkeypatch.setattr(report, "assignment_page", lambda prepared: read.append(1) or ([], None))
    assert post(integrator, report_data[0]).status_code == 200  # 3 of 4
    refused = post(integrator, report_data[0])  # 1 fits, the 2 more do not
    assert refused.status_code == 429 and refused.get_json()["error"] == "rate_limit_exceeded"
    assert read == [1]


def test_refusals_before_a_report_count_and_say_where_the_caller_stands(client, demo_org, app, monkeypatch):
    """Without a key (by address) or without the scope: counted in the reports' bucket, with
    headers, so guessing keys against the report is as slow as anywhere else."""
    monkeypatch.setitem(app.config, "API_REPORT_RATE_LIMIT_STANDARD", "2 per minute")
    guesses = [client.post("/v1/flows/report", json={"flowId": "flow_123abc"},
                           headers={"Authorization": "Bearer mf_live_guess"}) for _ in range(3)]
    assert [answer.status_code for answer in guesses] == [401, 401, 429]
    assert [answer.headers.get("X-RateLimit-Remaining") for answer in guesses[:2]] == ["1", "0"]
    _, secret = create_api_key(demo_org, "no reports", ["flows:read"])
    unscoped = Integrator(client, secret)
    answers = [unscoped.post("/flows/report", json={"flowId": "flow_123abc"}) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [403, 403, 429]
    assert answers[0].headers["X-RateLimit-Limit"] == "2"


# --- the demo ------------------------------------------------------------------------------------


def test_the_documented_example_works_against_the_demo(client, db):
    from momoflow.demo.seed import seed_demo

    organization, _ = seed_demo(templates=False)
    _, secret = create_api_key(organization, "docs")
    db.session.flush()
    answer = ok(Integrator(client, secret).post("/flows/report", json={
        "flowId": "flow_123abc", "startDate": "2000-01-01T00:00:00Z", "endDate": "2100-01-01T00:00:00Z",
        "detailed": True}, headers={"X-Request-ID": "req-1"}))
    assert answer["flowName"] == "Customer Onboarding"
    assert {entry["status"] for entry in answer["assignments"]} == {"pending", "in_progress", "completed", "overdue"}
    assert answer["metrics"]["totalAssignments"] == 7 and answer["metrics"]["completedAssignments"] == 3
    assert {(entry["assigneeEmail"], entry["recurrence"]) for entry in answer["schedules"]} == {
        ("employee@company.com", "weekly"), ("sam.lee@company.com", "weekly")}
    assert any(progress["status"] == "in_progress" and progress["startedAt"]
               for entry in answer["assignments"] for progress in entry["moduleProgress"])


def test_iso_weeks_at_year_ends_from_the_database(integrator, report_data, db):
    """Whichever database groups the periods, the ISO week of 30 Dec 2024 is 2025-W01 and of
    3 Jan 2021 (a Sunday) 2020-W53, in the organisation's zone (Kolkata here)."""
    _, _, assignments = report_data
    assignments["a1"][0].assigned_at = datetime.fromisoformat("2024-12-29T20:00:00+00:00")  # 30 Dec in Kolkata
    assignments["a2"][0].assigned_at = datetime.fromisoformat("2021-01-03T10:00:00+00:00")
    db.session.flush()
    body = {"flowId": report_data[0].public_id, "status": "completed", "aggregate": {"by": "week"}}
    periods = [entry["period"] for entry in integrator.post("/flows/report", json=body).get_json()["aggregates"]]
    assert periods == ["2020-W53", "2025-W01"]
    body["aggregate"] = {"by": "quarter"}
    periods = [entry["period"] for entry in integrator.post("/flows/report", json=body).get_json()["aggregates"]]
    assert periods == ["2021-Q1", "2024-Q4"]
