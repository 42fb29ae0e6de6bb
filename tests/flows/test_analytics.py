"""Flow analytics pages and the CSV downloads (theirs and the assignments overview's), on
the hand-counted ``report_data``: people a1…a7 are the demo's first seven by email
(a1 admin@company.com in IT, a3 cfo@ in Finance…); the organisation is in Asia/Kolkata."""

import csv
import io
import re
from datetime import timedelta

import pytest

from momoflow import csvfiles
from momoflow.flows import analytics
from momoflow.flows.analytics import Filters
from momoflow.flows.analytics_views import SUMMARY_HEADER
from momoflow.flows.editing import create_flow, parse_flow
from momoflow.flows.models import ModuleProgress, Priority
from momoflow.extensions import db as _db
from tests.factories import make_org
from tests.flows.pages import ADMIN, EMPLOYEE, MANAGER


def table_rows(html, table_id):
    body = re.search(rf'<table class="data-table" id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def read_csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def admin(client, demo, login_as):
    login_as(demo[ADMIN])
    return client


# --- every flow --------------------------------------------------------------------------------


def test_every_flow_with_its_numbers(admin, report_data):
    response = admin.get("/flows/analytics")
    assert response.status_code == 200
    rows = {row[0]: row[1:] for row in table_rows(response.get_data(as_text=True), "flow-summaries")}
    assert rows["Report flow"] == ["6", "2", "33.3%", "21 hours", "2"]
    assert rows["Other flow"] == ["1", "0", "0.0%", "—", "0"]
    assert rows["Customer Onboarding"] == ["0", "0", "0.0%", "—", "0"]  # active flows show, even unassigned


@pytest.mark.parametrize("query, total", [
    ("start=2024-10-22", 2),  # from midnight in Kolkata (18:30 UTC the day before): a5, a6
    ("end=2024-10-22", 4),  # until the end of 22 Oct in Kolkata: a5 (01:30 on the 23rd there) is out
    ("start=2024-10-21&end=2024-10-22", 1),  # a4
    ("department=Finance", 1),  # a3, cfo@
    ("priority=high", 1),
    ("priority=low", 0),
])
def test_filters(admin, report_data, query, total):
    report_data[2]["a3"][0].priority = Priority.HIGH
    _db.session.flush()
    html = admin.get(f"/flows/analytics?{query}").get_data(as_text=True)
    if total:
        rows = {row[0]: row[1] for row in table_rows(html, "flow-summaries")}
        assert rows["Report flow"] == str(total)
    else:
        assert "No assignments match these filters." in html


@pytest.mark.parametrize("query, problem", [
    ("start=31-10-2024", "Enter a date like 2024-10-31."),
    ("start=2024-02-30", "Enter a date like 2024-10-31."),
    ("start=2024-10-22&end=2024-10-01", "The end date must be on or after the start date."),
    ("priority=urgent", "Choose a priority from the list."),
])
def test_a_bad_filter_is_shown_and_the_rest_still_applies(admin, report_data, query, problem):
    response = admin.get(f"/flows/analytics?{query}")
    assert response.status_code == 200
    assert problem in response.get_data(as_text=True)


def test_hostile_filters_are_not_500s(admin, report_data):
    for query in ("department=" + "x" * 5000, "department=%00", "start=%00", "priority=%ff%fe", "end=" + "9" * 5000):
        assert admin.get(f"/flows/analytics?{query}").status_code == 200, query
        assert admin.get(f"/flows/analytics.csv?{query}").status_code == 200, query


def test_the_summary_page_costs_the_same_queries_however_many_flows(admin, report_data, demo_org, count_queries):
    with count_queries() as few:
        admin.get("/flows/analytics")
    for n in range(5):
        create_flow(demo_org, parse_flow({"name": f"Extra {n}", "modules": [{"title": "One", "minutes": 1}]}))
    _db.session.flush()
    with count_queries() as many:
        admin.get("/flows/analytics")
    assert len(many) == len(few)


# --- one flow --------------------------------------------------------------------------------------


def test_where_people_stall_module_by_module(admin, report_data):
    flow, modules, assignments = report_data
    # a1 spent 4 hours on module 1 and a2 3 hours (the others 1): every later module 1 hour.
    for name, hours in (("a1", 3), ("a2", 2)):
        for progress in _db.session.scalars(_db.select(ModuleProgress).where(
                ModuleProgress.assignment_id == assignments[name][0].id)):
            progress.completed_at += timedelta(hours=hours)
    _db.session.flush()
    html = admin.get(f"/flows/{flow.public_id}/analytics").get_data(as_text=True)
    assert table_rows(html, "module-steps") == [
        # module: reached (started, and finished the ones before), completed, working now, median time
        ["1. Module 1", "4", "4 (100.0%)", "0", "2 hours"],  # median of 4, 3, 1 and 1 hours
        ["2. Module 2", "4", "3 (75.0%)", "1 (1 late)", "1 hour"],  # a4 is on it, past due
        ["3. Module 3", "3", "2 (66.7%)", "1", "1 hour"],  # a3
        ["4. Module 4", "2", "2 (100.0%)", "0", "1 hour"],
    ]
    assert "Most people in progress are on <strong>Module 2</strong>: 1 person is working on it, 1 of them past the due date." in html
    assert "4 of 6 have started; 2 not yet." in html


def test_module_steps_read_the_same_on_every_database(report_data, demo_org):
    flow = report_data[0]
    steps = analytics.module_steps(demo_org, flow, Filters(department="Technology"))  # a4 only
    assert [(step.reached, step.completed, step.working_now, step.median_seconds) for step in steps] == [
        (1, 1, 0, 3600), (1, 0, 1, None), (0, 0, 0, None), (0, 0, 0, None)]
    assert analytics.stalls_most(steps).module.position == 2


def test_a_flow_of_another_organisation_is_not_found(admin, db):
    other = make_org()
    theirs = create_flow(other, parse_flow({"name": "Theirs", "modules": [{"title": "One", "minutes": 1}]}))
    db.session.flush()
    assert admin.get(f"/flows/{theirs.public_id}/analytics").status_code == 404
    assert admin.get(f"/flows/{theirs.public_id}/analytics.csv").status_code == 404


def test_a_flow_nobody_has_says_so(admin, demo):
    html = admin.get("/flows/flow_sec101/analytics").get_data(as_text=True)
    assert "Nobody has this flow yet." in html and "Assign Security Awareness" in html


def test_the_module_page_costs_the_same_queries_however_many_people(admin, report_data, count_queries):
    flow = report_data[0]
    with count_queries() as first:
        admin.get(f"/flows/{flow.public_id}/analytics?department=Finance")
    with count_queries() as everyone:
        admin.get(f"/flows/{flow.public_id}/analytics")
    assert len(first) == len(everyone)


# --- who may look ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/flows/analytics", "/flows/analytics.csv", "/flows/flow_123abc/analytics",
                                 "/flows/flow_123abc/analytics.csv", "/flows/assignments.csv"])
def test_employees_may_not_see_analytics(client, demo, login_as, url):
    login_as(demo[EMPLOYEE])
    assert client.get(url).status_code == 403


def test_managers_may(client, demo, login_as, report_data):
    login_as(demo[MANAGER])
    assert client.get("/flows/analytics").status_code == 200
    assert client.get(f"/flows/{report_data[0].public_id}/analytics").status_code == 200


def test_signed_out_people_go_to_sign_in(client, demo):
    assert client.get("/flows/analytics.csv").status_code == 302


# --- CSV -----------------------------------------------------------------------------------------


def test_the_summary_csv_has_the_pages_numbers_and_filters(admin, report_data):
    rows = read_csv(admin.get("/flows/analytics.csv?start=2024-10-22"))
    assert rows[0] == list(SUMMARY_HEADER)
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Report flow"][1:] == [report_data[0].public_id, "2", "0", "0.0", "", "", "1"]


def test_the_module_csv(admin, report_data):
    rows = read_csv(admin.get(f"/flows/{report_data[0].public_id}/analytics.csv"))
    assert rows[1] == ["1", "Module 1", "4", "4", "100.0", "0", "0", "3600", "1 hour"]
    assert len(rows) == 5


def test_the_assignments_csv_is_every_row_the_overview_filters_select(admin, report_data, demo):
    flow, _, assignments = report_data
    rows = read_csv(admin.get(f"/flows/assignments.csv?flow={flow.public_id}&status=overdue"))
    assert rows[0][:6] == ["Assignment ID", "Flow", "Flow ID", "Person", "Email", "Status"]
    assert [row[0] for row in rows[1:]] == [assignments["a6"][0].public_id, assignments["a4"][0].public_id]
    a4, person = assignments["a4"]
    assert rows[2][1:] == ["Report flow", flow.public_id, person.display_name, person.email, "Overdue", "Medium",
                           "1", "4", "2024-10-21T10:00:00Z", "2024-10-25T00:00:00Z", "2024-10-21T11:00:00Z", "", "",
                           ""]
    everything = read_csv(admin.get("/flows/assignments.csv"))
    assert len(everything) == 1 + 8  # every page, the cancelled one too (the overview lists it)


def test_the_assignments_csv_refuses_bad_filters(admin, report_data):
    assert admin.get("/flows/assignments.csv?status=bogus").status_code == 400


def test_the_overview_links_its_csv_with_its_filters(admin, report_data):
    flow = report_data[0]
    html = admin.get(f"/flows/assignments?flow={flow.public_id}&status=overdue").get_data(as_text=True)
    assert f'href="/flows/assignments.csv?flow={flow.public_id}&amp;status=overdue"' in html


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("plain", "plain"), (None, ""), (-2, -2), (3.5, 3.5)])
def test_cells_that_a_spreadsheet_would_run_are_defused(value, cell):
    assert csvfiles.safe_cell(value) == cell


def test_csv_comes_in_chunks_without_holding_every_row():
    produced = []

    def rows():
        for n in range(20_000):
            produced.append(n)
            yield (n, "name")

    chunks = csvfiles.csv_lines(("n", "name"), rows(), chunk_size=4096)
    first = next(chunks)
    assert first.startswith("\ufeffn,name\r\n0,name") and len(produced) < 1000
    assert sum(1 for line in "".join([first, *chunks]).splitlines()) == 20_001
