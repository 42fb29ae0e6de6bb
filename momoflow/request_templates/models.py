"""Request templates: the definition admins keep, and each version of it a request used.

The definition is stored as the API's JSON (``momoflow.request_templates.definition``
reads and writes it): fields, levels as rules, conditions and what happens on approval
change together, so one document per version is simpler than a table per part, and a
request can always be read against the exact version it was raised with.
"""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from momoflow.database import JSON, UTCDateTime, enum_column, utcnow
from momoflow.extensions import db
from momoflow.publicids import public_id


class TemplateStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"  # no new requests; the ones raised with it keep reading it


class RequestTemplate(db.Model):
    __tablename__ = "request_templates"
    __table_args__ = (
        # One name per organisation, whatever its case ("Purchase request" twice confuses requesters).
        sa.UniqueConstraint("organization_id", "name_key"),
        # The picker and Settings → Templates: an organisation's templates by name.
        sa.Index("ix_request_templates_org_status_name", "organization_id", "status", "name_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: public_id("tmpl"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200))  # name.casefold()
    category: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    status: Mapped[TemplateStatus] = mapped_column(enum_column(TemplateStatus), default=TemplateStatus.ACTIVE)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)  # goes up on every change
    definition: Mapped[dict] = mapped_column(JSON)  # the current version's, as the API shows it
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self):
        return self.status == TemplateStatus.ACTIVE

    def __repr__(self):
        return f"<RequestTemplate {self.name} v{self.version}>"


class RequestTemplateVersion(db.Model):
    """Each version as it was saved: what a request raised with it is read against."""

    __tablename__ = "request_template_versions"

    template_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("request_templates.id", ondelete="CASCADE"),
                                                   primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    definition: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
