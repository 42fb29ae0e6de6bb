"""Uploads: size limit, content checks, safe names, and nothing left behind on failure."""

import io
import zipfile
from pathlib import Path

import pytest

from momoflow.workflows.documents import display_name
from momoflow.workflows.models import Document, WorkflowRequest

PAYLOAD = ('{"templateType":"CUSTOM","title":"Budget","description":"Annual","priority":"STANDARD",'
           '"approvalLevels":[{"email":"manager@royalenfield.com","tatHours":48}]}')
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def upload(api_as):
    def send(*files, payload=PAYLOAD):
        return api_as("employee@company.com").post("/workflows/multipart", data={
            "payload": payload, "files": [(io.BytesIO(content), name) for name, content in files]})
    return send


@pytest.fixture
def stored_files(app):
    folder = Path(app.config["UPLOAD_FOLDER"])
    return lambda: set(folder.iterdir()) if folder.exists() else set()


def _nothing_created(db):
    return db.session.scalar(db.select(db.func.count(WorkflowRequest.id))) == 0


def test_over_the_size_limit_is_413_json_and_stores_nothing(upload, app, db, monkeypatch, stored_files):
    before = stored_files()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = upload(("big.pdf", PDF + b"0" * 8192))
    assert response.status_code == 413
    assert response.get_json() == {"success": False, "error": "Payload too large",
                                   "details": response.get_json()["details"]}
    assert stored_files() == before and _nothing_created(db)


@pytest.mark.parametrize("name, content", [
    ("report.pdf", b"MZ\x90\x00 this is a windows executable"),
    ("photo.png", PDF),
    ("sheet.xlsx", b"PK\x03\x04 not really a zip"),
    ("notes.txt", b"\x00\x01\x02binary"),
])
def test_content_that_is_not_its_claimed_type_is_refused(upload, db, stored_files, name, content):
    before = stored_files()
    response = upload((name, content))
    body = response.get_json()
    assert response.status_code == 400 and body["error"] == "Validation failed"
    assert body["details"].startswith(f"files.0: '{name}' is not a valid")
    assert stored_files() == before and _nothing_created(db)


def test_types_outside_the_list_are_refused(upload, db):
    response = upload(("run.exe", b"MZ"))
    assert response.status_code == 400
    assert response.get_json()["details"].startswith("files.0: 'run.exe' is not an accepted file type")


def test_a_refused_second_file_removes_the_first(upload, db, stored_files):
    before = stored_files()
    response = upload(("fine.pdf", PDF), ("bad.pdf", b"not a pdf"))
    assert response.status_code == 400
    assert stored_files() == before and _nothing_created(db)


def test_real_office_files_are_accepted(upload, db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    response = upload(("budget.xlsx", buffer.getvalue()))
    assert response.status_code == 201, response.get_json()


def test_names_cannot_escape_the_upload_folder(upload, app, db, stored_files):
    before = stored_files()
    response = upload(("../../etc/passwd.pdf", PDF))
    assert response.status_code == 201, response.get_json()
    document = db.session.scalar(db.select(Document))
    assert document.original_name == "passwd.pdf"
    new = stored_files() - before
    assert [path.name for path in new] == [document.stored_name]
    assert all(path.parent == Path(app.config["UPLOAD_FOLDER"]) for path in new)
    assert new.pop().read_bytes() == PDF


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("report\x00.pdf", "report.pdf"),
    (".hidden.pdf", "hidden.pdf"),
    ("", "file"),
])
def test_display_names(name, shown):
    assert display_name(name) == shown


def test_a_file_missing_from_disk_is_404_not_500(upload, api_as, app, db):
    response = upload(("budget.pdf", PDF))
    data = response.get_json()["data"]
    document = db.session.scalar(db.select(Document))
    (Path(app.config["UPLOAD_FOLDER"]) / document.stored_name).unlink()
    missing = api_as("employee@company.com").get(
        f"/workflows/{data['requestId']}/documents/{data['documents'][0]['documentId']}")
    assert missing.status_code == 404 and missing.get_json()["details"] == "Document not found"
