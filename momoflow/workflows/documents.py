"""Uploaded files: checked by content, stored outside ``static/`` under random names.

A file is accepted only if its extension is on the list and its first bytes (and,
for Office files, its zip directory) prove it is that kind of file; the browser's
claimed Content-Type is ignored. The original name is kept for display only and
never touches the filesystem. Files written in a transaction that does not commit
are deleted again (see ``_discard_uncommitted``), so a failed request leaves none.
"""

import hashlib
import logging
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, send_file
from sqlalchemy import event
from sqlalchemy.orm import Session

from momoflow.errors import NotFound, ValidationFailed

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
STAGED = "momoflow.staged_files"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc


def _starts_with(*signatures):
    return lambda head, path: head.startswith(signatures)


def _office(folder):
    def check(head, path):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)
    return check


def _text(head, path):
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut in half at the end of the sample
    return True


# extension: (content type we serve it as, content check)
FILE_TYPES = {
    ".pdf": ("application/pdf", _starts_with(b"%PDF-")),
    ".png": ("image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", _starts_with(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", _starts_with(b"\xff\xd8\xff")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _office("xl/")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _office("word/")),
    ".xls": ("application/vnd.ms-excel", _starts_with(OLE)),
    ".doc": ("application/msword", _starts_with(OLE)),
    ".csv": ("text/csv", _text),
    ".txt": ("text/plain", _text),
}
ACCEPT = ",".join(FILE_TYPES)  # for <input type="file" accept=…>
DOCUMENT_NOT_FOUND = "Document not found"
NO_DOWNLOADS = "You are not allowed to download documents of this request"


@dataclass
class StoredFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def upload_folder():
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(stored_name):
    return upload_folder() / stored_name


def display_name(filename):
    """The name to show and offer on download: no folders, no control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    return name[-255:] or "file"


def store_upload(file, path):
    """Check and save one uploaded file; ValidationFailed (at ``path``) if refused."""
    name = display_name(file.filename)
    extension = os.path.splitext(name)[1].lower()
    if extension not in FILE_TYPES:
        allowed = ", ".join(sorted(FILE_TYPES))
        raise ValidationFailed([(path, f"'{name}' is not an accepted file type (accepted: {allowed})")])
    content_type, looks_right = FILE_TYPES[extension]
    stored_name = secrets.token_hex(16)
    target = upload_folder() / stored_name
    _stage(target)
    digest, size, head = hashlib.sha256(), 0, b""
    with open(target, "xb") as out:
        while chunk := file.stream.read(CHUNK):
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size == 0:
        raise ValidationFailed([(path, f"'{name}' is empty")])
    if not looks_right(head, target):
        raise ValidationFailed([(path, f"'{name}' is not a valid {extension[1:].upper()} file: "
                                       "its content does not match its name")])
    return StoredFile(name, stored_name, content_type, size, digest.hexdigest())


def send_document(access, document_id):
    """The file as an attachment, if this person may download it (API and pages alike)."""
    document = next((d for d in access.request.documents if str(d.id) == str(document_id).lower()), None)
    if document is None or not access.can_view_documents:
        raise NotFound(DOCUMENT_NOT_FOUND)
    access.require(access.can_download_documents, NO_DOWNLOADS)
    return send_stored(document, f"document {document.id} of request {document.request_id}", DOCUMENT_NOT_FOUND)


def send_stored(stored, what, not_found):
    """A stored file (anything with ``stored_name``, ``content_type``, ``original_name``) as
    an attachment nobody caches; NotFound(``not_found``) if it has gone from the disk."""
    path = path_of(stored.stored_name)
    if not path.is_file():
        log.error("%s is missing from %s", what, path)
        raise NotFound(not_found)
    response = send_file(path, mimetype=stored.content_type, as_attachment=True,
                         download_name=stored.original_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _stage(target):
    from momoflow.extensions import db

    db.session.info.setdefault(STAGED, []).append(target)


@event.listens_for(Session, "after_commit")
def _keep_committed(session):
    session.info.pop(STAGED, None)


@event.listens_for(Session, "after_transaction_end")
def _discard_uncommitted(session, transaction):
    # Whatever is still staged when the outermost transaction ends did not commit.
    if transaction.parent is None:
        for path in session.info.pop(STAGED, []):
            Path(path).unlink(missing_ok=True)


def attachment_counts(request_ids):
    """``{request id: files attached now}`` for a page of requests, in one query (none for
    an empty page); a request without files is missing from it."""
    from momoflow.extensions import db
    from momoflow.workflows.models import Document

    if not request_ids:
        return {}
    rows = db.session.execute(
        db.select(Document.request_id, db.func.count()).where(Document.request_id.in_(request_ids),
                                                              Document.removed_at.is_(None))
        .group_by(Document.request_id))
    return dict(rows.all())
