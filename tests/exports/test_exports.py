"""Report files: ``"format"`` on ``POST /v1/flows/report`` queues an export that the
``exports`` drain builds (here in-process, at the end of the request); the file downloads
with the API key or the signed link. Checked on the hand-counted ``report_data``."""

import csv
import io
import shutil
import subprocess
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from PIL import Image

from momoflow.accounts.models import Organization
from momoflow.apikeys.services import create_api_key
from momoflow.exports import services, tables, writers
from momoflow.exports.models import Export, ExportStatus
from momoflow.extensions import db as _db
from momoflow.flows import editing
from tests.conftest import need
from tests.factories import make_org
from tests.flows.conftest import Integrator

BAR_BLUE = (0x43, 0x38, 0xCA)  # the PDF's first chart colour (writers.SERIES_COLOURS)


def ask(integrator, flow, export_format, **body):
    response = integrator.post("/flows/report", json={"flowId": flow.public_id, "format": export_format, **body})
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()


def link_path(answer):
    """The signed link without its scheme and host (the test client serves any host)."""
    parts = urlsplit(answer["downloadUrl"])
    return f"{parts.path}?{parts.query}"


def fetch(client, answer):
    response = client.get(link_path(answer))  # no API key: the link is enough
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


# --- the three formats -----------------------------------------------------------------------------


def test_csv_holds_every_assignment_of_the_selection(integrator, report_data, client):
    flow, modules, assignments = report_data
    answer = ask(integrator, flow, "csv", detailed=True)
    assert set(answer) == {"downloadUrl", "expiresAt", "exportId", "status"}
    response = fetch(client, answer)
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={flow.public_id}-report-{datetime.now(timezone.utc):%Y-%m-%d}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Assignment ID", "Assignee email", "Status", "Assigned at (UTC)", "Due (UTC)",
                       "Started at (UTC)", "Completed at (UTC)", "Modules done", "Modules",
                       "1. Module 1", "2. Module 2", "3. Module 3", "4. Module 4"]
    names = {assignment.public_id: name for name, (assignment, _) in assignments.items()}
    assert [names[row[0]] for row in rows[1:]] == ["a6", "a5", "a4", "a3", "a2", "a1"]  # all, not one page
    a3 = next(row for row in rows if names.get(row[0]) == "a3")
    assert a3[1:] == [assignments["a3"][1].email, "In progress", "2024-10-15T08:00:00Z", "2099-01-01T00:00:00Z",
                      "2024-10-15T09:00:00Z", "", "2", "4", "Completed 2024-10-15T10:00:00Z",
                      "Completed 2024-10-15T11:00:00Z", "In progress since 2024-10-15T11:00:00Z", "Not started"]


def test_a_flow_with_two_versions_names_each_versions_modules(integrator, report_data, client, demo):
    flow, modules, assignments = report_data
    reordered = [{"id": str(module.id), "title": module.title, "minutes": 30} for module in modules[::-1]]
    editing.update_flow(flow_org(flow), flow.public_id, editing.parse_flow({"name": flow.name, "modules": reordered}),
                        demo["admin@company.com"])  # people have started: version 2
    new = integrator.post("/flows/assign", json={"flowId": flow.public_id, "userEmail": "sam.lee@company.com"})
    rows = list(csv.reader(io.StringIO(fetch(client, ask(integrator, flow, "csv", detailed=True))
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][7:] == ["Modules done", "Modules", "Flow version",
                           "v2 · 1. Module 4", "v2 · 2. Module 3", "v2 · 3. Module 2", "v2 · 4. Module 1",
                           "v1 · 1. Module 1", "v1 · 2. Module 2", "v1 · 3. Module 3", "v1 · 4. Module 4"]
    by_id = {row[0]: row for row in rows[1:]}
    newest = by_id[new.get_json()["assignmentId"]]
    assert newest[9:] == ["2", "Not started", "Not started", "Not started", "Not started", "", "", "", ""]
    a3 = by_id[assignments["a3"][0].public_id]
    assert a3[9:] == ["1", "", "", "", "", "Completed 2024-10-15T10:00:00Z", "Completed 2024-10-15T11:00:00Z",
                      "In progress since 2024-10-15T11:00:00Z", "Not started"]


def flow_org(flow):
    return _db.session.get(Organization, flow.organization_id)


def test_the_filters_reach_the_file(integrator, report_data, client):
    flow = report_data[0]
    rows = list(csv.reader(io.StringIO(fetch(client, ask(integrator, flow, "csv", status="overdue"))
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[2] for row in rows[1:]] == ["Overdue", "Overdue"] and len(rows[0]) == 9  # not detailed


def test_excel_opens_with_openpyxl_and_holds_the_rows(integrator, report_data, client, tmp_path):
    flow = report_data[0]
    response = fetch(client, ask(integrator, flow, "excel"))
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    path = tmp_path / "report.xlsx"
    path.write_bytes(response.data)
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["Summary", "Rows"]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row and len(row) > 1}
    assert summary["Assignments"] == 6 and summary["Completion rate"] == "33.3%"
    assert summary["Average time to complete"] == "21 hours"
    rows = list(workbook["Rows"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Assignment ID", "Assignee email", "Status") and len(rows) == 7
    oldest = rows[-1]
    assert oldest[2] == "Completed" and oldest[3] == datetime(2024, 10, 7, 9, 0)  # a real date cell (UTC)
    assert oldest[7] == 4 and isinstance(oldest[7], int)


def test_the_pdf_has_the_metrics_and_a_chart(integrator, report_data, client, tmp_path):
    need(shutil.which("pdftotext") and shutil.which("pdftoppm"), "poppler-utils is not installed")
    flow = report_data[0]
    response = fetch(client, ask(integrator, flow, "pdf", aggregate={"by": "week"}))
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Report flow: flow report" in text
    for words in ("Assignments", "Completion rate", "33.3%", "21 hours", "Where people are",
                  "Assigned and completed per week", "2024-W41", assignment_email(report_data, "a1")):
        assert words in text, words
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    bars = sum(count for count, colour in page.getcolors(maxcolors=1 << 20)
               if all(abs(a - b) < 30 for a, b in zip(colour, BAR_BLUE)))
    assert bars > 200, "no chart bars drawn on page 1"


def assignment_email(report_data, name):
    return report_data[2][name][1].email


def test_a_pdf_of_many_rows_shows_the_first_and_says_so(tmp_path, monkeypatch):
    need(shutil.which("pdftotext"), "poppler-utils is not installed")
    monkeypatch.setattr(writers, "PDF_MAX_ROWS", 3)
    table = tables.Table("Many", "many", [("n", "N")], ({"n": n} for n in range(10)), total_rows=10)
    writers.write_pdf(table, tmp_path / "many.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "many.pdf"), "-"], capture_output=True, text=True).stdout
    assert "First 3 of 10 rows: download the CSV or Excel file for all of them." in text


def test_cells_a_spreadsheet_would_run_are_defused_in_csv_and_excel(tmp_path):
    rows = [{"name": "=HYPERLINK(\"http://evil\")", "n": -5, "when": datetime(2024, 10, 25, 15, 30, tzinfo=timezone.utc)}]
    table = tables.Table("T", "t", [("name", "Name"), ("n", "N"), ("when", "When")], rows)
    writers.write_csv(table, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()[1] == \
        '"\'=HYPERLINK(""http://evil"")",-5,2024-10-25T15:30:00Z'
    writers.write_xlsx(tables.Table("T", "t", table.columns, rows), tmp_path / "t.xlsx")
    sheet = load_workbook(tmp_path / "t.xlsx")["Rows"]
    assert [cell.value for cell in sheet[2]] == ["'=HYPERLINK(\"http://evil\")", -5, datetime(2024, 10, 25, 15, 30)]


def test_a_big_csv_is_written_without_holding_its_rows(tmp_path):
    """100,000 rows from a generator: the peak stays far below what the rows would take in a list."""
    def rows():
        for n in range(100_000):
            yield {"id": f"asgn_{n:012d}", "email": f"person{n}@company.com", "n": n}

    columns = [("id", "ID"), ("email", "Email"), ("n", "N")]
    tracemalloc.start()
    count = writers.write_csv(tables.Table("Big", "big", columns, rows()), tmp_path / "big.csv")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = [{"id": f"asgn_{n:012d}", "email": f"person{n}@company.com", "n": n} for n in range(100_000)]
    assert count == len(held) == 100_000
    assert peak < 2 * 1024 * 1024, f"peak {peak:,} bytes"  # the list alone is well over 30 MB


# --- downloading -------------------------------------------------------------------------------------


def test_the_api_key_downloads_too_and_other_organisations_cannot(integrator, report_data, client, db):
    answer = ask(integrator, report_data[0], "csv")
    assert integrator.get(f"/exports/{answer['exportId']}").status_code == 200
    _, secret = create_api_key(make_org(), "theirs")
    db.session.flush()
    theirs = Integrator(client, secret).get(f"/exports/{answer['exportId']}")
    assert (theirs.status_code, theirs.get_json()) == (
        404, {"error": "not_found", "message": f"Export with ID '{answer['exportId']}' does not exist"})


@pytest.mark.parametrize("change", [
    {"signature": "0" * 64}, {"signature": ""}, {"expires": "99999999999"}, {"expires": "12x"},
    {"expires": "9" * 400}])
def test_a_tampered_link_is_refused(integrator, report_data, client, change):
    answer = ask(integrator, report_data[0], "csv")
    parts = urlsplit(answer["downloadUrl"])
    query = {name: values[0] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
    response = client.get(parts.path, query_string={**query, **change})
    assert (response.status_code, response.get_json()) == (401, {"error": "unauthorized",
                                                                 "message": "Invalid download link"})


def test_a_link_for_another_export_is_refused(integrator, report_data, client):
    first, second = (ask(integrator, report_data[0], "csv") for _ in range(2))
    parts = urlsplit(first["downloadUrl"])
    assert client.get(f"/v1/exports/{second['exportId']}?{parts.query}").status_code == 401


def test_no_key_and_no_link_is_the_usual_401(integrator, report_data, client):
    answer = ask(integrator, report_data[0], "csv")
    response = client.get(f"/v1/exports/{answer['exportId']}")
    assert (response.status_code, response.get_json()) == (
        401, {"error": "unauthorized", "message": "Invalid or missing API key"})


def test_an_expired_export_is_gone_and_its_file_deleted_by_the_tick(integrator, report_data, client, db, app):
    answer = ask(integrator, report_data[0], "csv")
    export = db.session.scalar(db.select(Export).where(Export.public_id == answer["exportId"]))
    path = services.file_path(export)
    assert path.exists() and Path(app.config["EXPORT_FOLDER"]) in path.parents
    assert "static" not in path.parts
    export.expires_at = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=1)
    db.session.flush()
    gone = {"error": "gone", "message": f"This export expired at {export.expires_at:%Y-%m-%dT%H:%M:%SZ}"}
    for response in (client.get(link_path(answer)), integrator.get(f"/exports/{answer['exportId']}")):
        assert (response.status_code, response.get_json()) == (410, gone)
    with app.test_request_context():
        expired_link = services.download_url(export)  # a link whose own time is over
    response = client.get(link_path({"downloadUrl": expired_link}))
    assert (response.status_code, response.get_json()) == (410, {
        "error": "gone", "message": f"This download link expired at {export.expires_at:%Y-%m-%dT%H:%M:%SZ}"})
    services.tick(datetime.now(timezone.utc))
    assert not path.exists() and export.stored_name is None


def test_an_export_not_built_yet_says_so(report_data, db, demo_org, integrator):
    flow = report_data[0]
    export = services.request_export(demo_org, kind="flow_report", export_format="csv",
                                     params={"flowId": flow.public_id})
    db.session.flush()
    response = integrator.get(f"/exports/{export.public_id}")
    assert response.status_code == 202 and response.headers["Retry-After"] == "2"
    assert response.get_json()["status"] == "queued"


def test_a_builder_that_fails_fails_its_export_with_a_message(integrator, report_data, db, demo_org, monkeypatch,
                                                              caplog):
    monkeypatch.setitem(tables.KINDS, "broken", lambda export: 1 / 0)
    monkeypatch.setitem(tables.KINDS, "refused", lambda export: (_ for _ in ()).throw(
        services.ExportProblem("Flow with ID 'flow_x' does not exist")))
    for kind in ("broken", "refused"):
        services.request_export(demo_org, kind=kind, export_format="pdf", params={})
    db.session.flush()
    services.drain()
    exports = {export.kind: export for export in db.session.scalars(db.select(Export))}
    assert {kind: exports[kind].status for kind in ("broken", "refused")} == {
        "broken": ExportStatus.FAILED, "refused": ExportStatus.FAILED}
    response = integrator.get(f"/exports/{exports['broken'].public_id}")
    assert (response.status_code, response.get_json()) == (409, {"error": "export_failed",
                                                                 "message": services.BUILD_FAILED})
    assert integrator.get(f"/exports/{exports['refused'].public_id}").get_json()["message"] == (
        "Flow with ID 'flow_x' does not exist")
    assert not list(Path(services.export_folder()).glob("*.part"))  # nothing half-written left behind
    assert "ZeroDivisionError" in caplog.text


def test_a_build_whose_worker_died_is_queued_again_then_given_up(report_data, db, demo_org):
    export = services.request_export(demo_org, kind="flow_report", export_format="csv",
                                     params={"flowId": report_data[0].public_id})
    export.status, export.started_at, export.attempts = ExportStatus.RUNNING, datetime(2024, 1, 1, tzinfo=timezone.utc), 1
    db.session.flush()
    services.tick(datetime(2024, 1, 1, 0, 16, tzinfo=timezone.utc))
    db.session.refresh(export)
    assert export.status == ExportStatus.QUEUED
    export.status, export.attempts = ExportStatus.RUNNING, services.MAX_ATTEMPTS
    db.session.flush()
    services.tick(datetime(2024, 1, 1, 0, 16, tzinfo=timezone.utc))
    db.session.refresh(export)
    assert (export.status, export.error) == (ExportStatus.FAILED, services.BUILD_FAILED)


def test_asking_for_a_file_counts_like_the_report(integrator, report_data, app, monkeypatch):
    from momoflow.flows import report

    monkeypatch.setattr(report, "ROWS_PER_REQUEST", 4)  # 6 assignments weigh 2
    monkeypatch.setitem(app.config, "API_REPORT_RATE_LIMIT_STANDARD", "3 per minute")
    assert integrator.post("/flows/report", json={"flowId": report_data[0].public_id, "format": "csv"}
                           ).headers["X-RateLimit-Remaining"] == "1"
    refused = integrator.post("/flows/report", json={"flowId": report_data[0].public_id, "format": "csv"})
    assert refused.status_code == 429
    assert _db.session.scalar(_db.select(_db.func.count()).select_from(Export)) == 1  # the refused one left none


def test_exports_expire_after_a_day(integrator, report_data, db):
    answer = ask(integrator, report_data[0], "csv")
    expires = datetime.fromisoformat(answer["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(hours=23, minutes=59) < expires - datetime.now(timezone.utc) <= timedelta(hours=24)
    assert int(parse_qs(urlsplit(answer["downloadUrl"]).query)["expires"][0]) == int(expires.timestamp())
    assert time.time() < expires.timestamp()
