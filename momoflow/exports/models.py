"""An export: what was asked for, where its file is, and whether it is ready."""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from momoflow.database import JSON, UTCDateTime, enum_column, utcnow
from momoflow.extensions import db
from momoflow.publicids import public_id


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    EXCEL = "excel"
    PDF = "pdf"


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


FILE_TYPES = {  # format -> (extension, content type)
    ExportFormat.CSV: ("csv", "text/csv"),  # send_file adds "; charset=utf-8"
    ExportFormat.EXCEL: ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ExportFormat.PDF: ("pdf", "application/pdf"),
}


class Export(db.Model):
    __tablename__ = "exports"
    __table_args__ = (
        # The drain's work: queued exports, oldest first.
        sa.Index("ix_exports_queued", "created_at",
                 postgresql_where=sa.text("status = 'queued'"), sqlite_where=sa.text("status = 'queued'")),
        sa.Index("ix_exports_expires", "expires_at"),  # the purge of expired files
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: public_id("exp"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    format: Mapped[ExportFormat] = mapped_column(enum_column(ExportFormat))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus), default=ExportStatus.QUEUED)
    stored_name: Mapped[str | None] = mapped_column(sa.String(64), unique=True)  # random; never user input
    file_name: Mapped[str | None] = mapped_column(sa.String(200))  # what the download is called
    size: Mapped[int | None] = mapped_column(sa.BigInteger)
    row_count: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.String(500))  # for the caller, when it failed
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def extension(self):
        return FILE_TYPES[self.format][0]

    @property
    def content_type(self):
        return FILE_TYPES[self.format][1]

    def __repr__(self):
        return f"<Export {self.public_id} {self.status}>"
