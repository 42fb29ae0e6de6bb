"""Asking for an export, building it in the background, finding it to download, and
clearing files that expired.

Building is pulled, like the other background work (``momoflow.jobs``): a committed
queued row, an ``exports`` drain that claims one at a time (``FOR UPDATE SKIP LOCKED``,
committed as running before the work starts, so two workers never build the same file),
the file written under a temporary name and renamed into place only when whole. A build
that raises marks the export failed with a message for the caller; one whose worker died
is queued again by the tick after ``STALE_AFTER`` (at most ``MAX_ATTEMPTS`` times).
"""

import hashlib
import hmac
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, url_for

from momoflow import jobs
from momoflow.database import utcnow
from momoflow.errors import NotFound
from momoflow.exports import tables, writers
from momoflow.exports.models import Export, ExportFormat, ExportStatus
from momoflow.extensions import db

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)  # a build running this long lost its worker
MAX_ATTEMPTS = 3
KEEP_ROWS = timedelta(days=30)  # expired exports stay listed (without their file) this long
BUILD_FAILED = "Building the file failed. Ask for the export again; if it keeps failing, contact support."


class ExportProblem(Exception):
    """A builder's refusal, said to the caller as the export's error (e.g. the flow is gone)."""


def export_not_found(export_id):
    return NotFound(f"Export with ID '{export_id.replace(chr(0), '')}' does not exist")


def request_export(organization, *, kind, export_format, params, api_key=None, user=None, now=None):
    """A queued export, built once the caller's transaction commits."""
    if kind not in tables.KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    now = now or utcnow()
    export = Export(organization_id=organization.id, kind=kind, format=ExportFormat(export_format), params=params,
                    api_key_id=api_key.id if api_key else None, user_id=user.id if user else None,
                    created_at=now, expires_at=now + timedelta(hours=current_app.config["EXPORT_TTL_HOURS"]))
    db.session.add(export)
    db.session.flush()
    jobs.kick_after_commit(db.session, "exports")
    return export


# --- building ---------------------------------------------------------------------------------


def drain(now=None):
    """Build queued exports one by one (the ``exports`` drain)."""
    deadline = jobs.drain_started("exports")
    while (export_id := _claim(now or utcnow())) is not None:
        build(export_id)
        if jobs.time_is_up(deadline):
            jobs.kick("exports")  # more may wait: a fresh job carries on
            return


def _claim(now):
    due = (sa.select(Export.id).where(Export.status == ExportStatus.QUEUED).order_by(Export.created_at)
           .limit(1).with_for_update(skip_locked=True))
    export_id = db.session.execute(
        sa.update(Export).where(Export.id.in_(due))
        .values(status=ExportStatus.RUNNING, started_at=now, attempts=Export.attempts + 1)
        .returning(Export.id).execution_options(synchronize_session=False)).scalar()
    db.session.commit()
    return export_id


def build(export_id):
    """Write the export's file and mark it ready, or failed with a message; commits."""
    export = db.session.get(Export, export_id)
    folder = export_folder()
    stored_name = f"{secrets.token_hex(16)}.{export.extension}"
    partial = folder / f"{stored_name}.part"
    try:
        table = tables.KINDS[export.kind](export)
        rows = writers.write(table, export.format, partial)
        os.replace(partial, folder / stored_name)
    except Exception as error:  # noqa: BLE001 - any failure of a builder or writer fails this export only
        partial.unlink(missing_ok=True)
        db.session.rollback()
        if not isinstance(error, ExportProblem):
            log.exception("export %s (%s, %s) failed", export_id, export.kind, export.format)
        _finish(db.session.get(Export, export_id), ExportStatus.FAILED,
                error=str(error) if isinstance(error, ExportProblem) else BUILD_FAILED)
    else:
        _finish(export, ExportStatus.READY, stored_name=stored_name, file_name=f"{table.file_stem}.{export.extension}",
                size=(folder / stored_name).stat().st_size, row_count=rows)
    db.session.commit()


def _finish(export, status, **values):
    export.status, export.finished_at = status, utcnow()
    for name, value in values.items():
        setattr(export, name, value)


def export_folder():
    folder = Path(current_app.config["EXPORT_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def tick(now):
    """The tick's duty: builds whose worker died go back to the queue (or fail after
    ``MAX_ATTEMPTS``), expired files are deleted (their rows kept a while), and queued ones
    left behind by a lost kick are kicked."""
    stale = sa.and_(Export.status == ExportStatus.RUNNING, Export.started_at < now - STALE_AFTER)
    db.session.execute(sa.update(Export).where(stale, Export.attempts < MAX_ATTEMPTS)
                       .values(status=ExportStatus.QUEUED).execution_options(synchronize_session=False))
    db.session.execute(sa.update(Export).where(stale).values(status=ExportStatus.FAILED, error=BUILD_FAILED,
                                                             finished_at=now)
                       .execution_options(synchronize_session=False))
    for export in db.session.scalars(sa.select(Export).where(Export.expires_at <= now,
                                                             Export.stored_name.is_not(None)).limit(500)):
        file_path(export).unlink(missing_ok=True)
        export.stored_name = None
    db.session.execute(sa.delete(Export).where(Export.expires_at <= now - KEEP_ROWS))
    if db.session.execute(sa.select(Export.id).where(Export.status == ExportStatus.QUEUED).limit(1)).first():
        jobs.kick("exports")


# --- downloading ------------------------------------------------------------------------------


def find(organization_id, export_id):
    export = None
    if isinstance(export_id, str) and export_id.startswith("exp_") and len(export_id) <= 40:
        export = db.session.scalar(sa.select(Export).where(Export.public_id == export_id))
    if export is None or (organization_id is not None and export.organization_id != organization_id):
        raise export_not_found(export_id)
    return export


def signature(export_id, expires):
    message = f"export:{export_id}:{expires}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()


def signature_is_valid(export_id, expires, given):
    return isinstance(given, str) and hmac.compare_digest(signature(export_id, expires), given)


def download_url(export):
    """A link that downloads the file without an API key until the export expires."""
    expires = int(export.expires_at.timestamp())
    return url_for("integrator.download_export", export_id=export.public_id, expires=expires,
                   signature=signature(export.public_id, expires), _external=True)


def file_path(export):
    return Path(current_app.config["EXPORT_FOLDER"]) / export.stored_name if export.stored_name else None
