"""Files attached to modules: uploaded by admins with the request documents' rules, listed
and removed on the module's Files page, downloaded by the assignee while they may read
the module and by admins, copied into a flow's next version."""

import html
import io

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Role
from momoflow.flows import progress, services, versions
from momoflow.flows.models import Flow, Module, ModuleFile
from tests.factories import make_org, make_user
from tests.flows.pages import ADMIN, EMPLOYEE, HR, MANAGER, assign, error_of, post

PDF = b"%PDF-1.4\n% a policy\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def modules(db, flow_id="flow_123abc"):
    flow = db.session.scalar(sa.select(Flow).where(Flow.public_id == flow_id)
                             .execution_options(populate_existing=True))
    return db.session.scalars(sa.select(Module).where(Module.flow_id == flow.id, Module.version == flow.version)
                              .order_by(Module.position)).all()


def files_url(module, flow_id="flow_123abc"):
    return f"/flows/{flow_id}/modules/{module.public_id}/files"


def upload(client, module, *named, token=None):
    data = {"files": [(io.BytesIO(content), name) for name, content in named]}
    return post(client, files_url(module), data, token=token)


def stored(db, module):
    return db.session.scalars(sa.select(ModuleFile).where(ModuleFile.module_id == module.id,
                                                          ModuleFile.removed_at.is_(None))
                              .order_by(ModuleFile.created_at)).all()


@pytest.fixture
def first(client, demo, login_as, db):
    """Module 1 of flow_123abc with policy.pdf attached by the admin."""
    login_as(demo[ADMIN])
    module = modules(db)[0]
    response = upload(client, module, ("policy.pdf", PDF))
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    return module


def test_an_admin_attaches_lists_and_removes_files(client, demo, db, first):
    [policy] = stored(db, first)
    assert (policy.original_name, policy.content_type, policy.size) == ("policy.pdf", "application/pdf", len(PDF))
    assert policy.uploaded_by_id == demo[ADMIN].id
    assert upload(client, first, ("diagram.png", PNG), ("notes.txt", b"Read me first.\n")).status_code == 303
    page = client.get(files_url(first)).get_data(as_text=True)
    assert "diagram.png, notes.txt attached to" in page
    assert [f.original_name for f in stored(db, first)] == ["policy.pdf", "diagram.png", "notes.txt"]
    assert "policy.pdf" in page and f"by {demo[ADMIN].display_name}" in page
    assert "Files (3)" in client.get("/flows/flow_123abc/edit").get_data(as_text=True)

    download = client.get(f"{files_url(first)}/{policy.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=policy.pdf")

    assert post(client, f"{files_url(first)}/{policy.id}/remove").status_code == 303
    assert [f.original_name for f in stored(db, first)] == ["diagram.png", "notes.txt"]
    assert client.get(f"{files_url(first)}/{policy.id}").status_code == 404  # removed


@pytest.mark.parametrize("named, message", [
    ((("policy.pdf", b"MZ\x90\x00 not a pdf"),), "'policy.pdf' is not a valid PDF file: its content does not match its name"),
    ((("setup.exe", b"MZ\x90\x00"),), "'setup.exe' is not an accepted file type"),
    ((("empty.pdf", b""),), "'empty.pdf' is empty"),
    ((), "Choose a file to upload"),
])
def test_refused_files_are_inline_errors_and_nothing_is_kept(client, db, first, named, message):
    response = upload(client, first, *named)
    assert response.status_code == 422
    assert html.unescape(error_of(response.get_data(as_text=True), "module-files")).startswith(message)
    assert [f.original_name for f in stored(db, first)] == ["policy.pdf"]


def test_at_most_ten_files_a_module(client, db, first):
    assert upload(client, first, *[(f"part{n}.txt", b"text\n") for n in range(9)]).status_code == 303
    response = upload(client, first, ("one-more.txt", b"text\n"))
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "module-files") == "A module can have at most 10 files"
    assert len(stored(db, first)) == 10


def test_only_admins_with_a_token_manage_files(client, demo, db, login_as, first):
    [policy] = stored(db, first)
    login_as(demo[MANAGER])
    assert client.get(files_url(first)).status_code == 403
    assert upload(client, first, ("x.txt", b"x\n")).status_code == 403
    assert client.get(f"{files_url(first)}/{policy.id}").status_code == 403
    login_as(demo[ADMIN])
    no_token = client.post(files_url(first), data={"files": [(io.BytesIO(b"x\n"), "x.txt")]})
    assert no_token.status_code == 400 and len(stored(db, first)) == 1


def test_other_organisations_and_crafted_ids_are_404(client, demo, db, login_as, first):
    [policy] = stored(db, first)
    login_as(make_user(make_org(), role=Role.ADMIN))
    assert client.get(files_url(first)).status_code == 404
    assert client.get(f"{files_url(first)}/{policy.id}").status_code == 404
    login_as(demo[ADMIN])
    for bad in ("nope", "x" * 300, "%00", "00000000-0000-0000-0000-000000000000"):
        assert client.get(f"{files_url(first)}/{bad}").status_code == 404, bad
    assert client.get("/flows/flow_123abc/modules/mod%00x/files").status_code == 404


def test_the_assignee_downloads_while_they_may_read_the_module(client, demo, db, login_as, first):
    [policy] = stored(db, first)
    second = modules(db)[1]
    assert upload(client, second, ("later.txt", b"For module 2.\n")).status_code == 303
    [later] = stored(db, second)
    assignment = assign(demo, EMPLOYEE)
    mine = f"/my-flows/{assignment.public_id}/modules"
    login_as(demo[EMPLOYEE])
    assert client.get(f"{mine}/{first.public_id}/files/{policy.id}").status_code == 404  # not started yet
    post(client, f"/my-flows/{assignment.public_id}/start", htmx=True)
    page = client.get(f"/my-flows/{assignment.public_id}").get_data(as_text=True)
    assert f'href="{mine}/{first.public_id}/files/{policy.id}"' in page and "later.txt" not in page
    download = client.get(f"{mine}/{first.public_id}/files/{policy.id}")
    assert download.status_code == 200 and download.data == PDF
    assert client.get(f"{mine}/{second.public_id}/files/{later.id}").status_code == 404  # an upcoming module's
    assert client.get(f"{mine}/{second.public_id}/files/{policy.id}").status_code == 404  # another module's file

    login_as(demo[HR])  # someone else: nothing of it exists
    assert client.get(f"{mine}/{first.public_id}/files/{policy.id}").status_code == 404


def test_a_new_version_copies_the_files_and_the_old_version_keeps_its_own(client, demo, db, login_as, first):
    [policy] = stored(db, first)
    started = assign(demo, EMPLOYEE)
    services.start_assignment(demo[EMPLOYEE], started.public_id)
    flow = db.session.get(Flow, first.flow_id)
    kept = modules(db)
    versions.branch(flow, [(module, type("Row", (), {"title": module.title})()) for module in kept[::-1]])
    db.session.flush()
    copy = next(module for module in modules(db) if module.lineage_id == first.lineage_id)
    [copied] = stored(db, copy)
    assert copied.id != policy.id and (copied.stored_name, copied.original_name) == (policy.stored_name, "policy.pdf")
    assert post(client, f"{files_url(copy)}/{copied.id}/remove").status_code == 303  # off version 2 only
    assert client.get(f"{files_url(first)}").status_code == 404  # version 1's module is not editable
    login_as(demo[EMPLOYEE])
    download = client.get(f"/my-flows/{started.public_id}/modules/{first.public_id}/files/{policy.id}")
    assert download.status_code == 200 and download.data == PDF


def test_the_walkthrough_reads_a_modules_files_in_one_query(client, demo, db, login_as, first, count_queries):
    assignment = assign(demo, EMPLOYEE)
    services.start_assignment(demo[EMPLOYEE], assignment.public_id)

    def statements():
        db.session.flush()  # the start's event goes in first, uncounted
        db.session.expire_all()
        with count_queries() as sent:
            walk = progress.walkthrough(demo[EMPLOYEE], assignment.public_id)
        return len(sent), [file.original_name for file in walk.files]

    before, names = statements()
    assert names == ["policy.pdf"]
    login_as(demo[ADMIN])
    assert upload(client, first, *[(f"part{n}.txt", b"text\n") for n in range(5)]).status_code == 303
    assert statements() == (before, ["policy.pdf", *(f"part{n}.txt" for n in range(5))])


def test_a_refused_upload_leaves_no_file_on_disk(client, app, db, first):
    from pathlib import Path

    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.iterdir())
    response = upload(client, first, ("good.txt", b"fine\n"), ("bad.pdf", b"not a pdf"))
    assert response.status_code == 422
    assert set(folder.iterdir()) == before and [f.original_name for f in stored(db, first)] == ["policy.pdf"]
