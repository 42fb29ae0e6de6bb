import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.accounts.models import Organization
from momoflow.database import JSON, UTCDateTime, utcnow
from momoflow.extensions import db


class Scope(enum.StrEnum):
    """What a key may do; each ``/v1`` route names the one it needs (``integrator.scopes``)."""

    FLOWS_ASSIGN = "flows:assign"
    FLOWS_READ = "flows:read"
    REPORTS_READ = "reports:read"
    SCHEDULES_WRITE = "schedules:write"


ALL_SCOPES = tuple(scope.value for scope in Scope)
MAX_ADDRESS_LENGTH = 45  # the longest IPv6 address in text (IPv4-mapped)


class ApiKey(db.Model):
    __tablename__ = "api_keys"
    __table_args__ = (sa.Index("ix_api_keys_organization_created", "organization_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(20))  # shown in lists: "mf_live_Ab3x"
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 of the whole key
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scopes: Mapped[list[str]] = mapped_column(JSON)  # Scope values, in Scope's order
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept to the minute (``services.note_use``), with the address the request came from.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_from: Mapped[str | None] = mapped_column(sa.String(MAX_ADDRESS_LENGTH))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_active(self):
        return self.revoked_at is None

    def has_expired(self, now):
        return self.expires_at is not None and self.expires_at <= now


class IdempotencyRecord(db.Model):
    """A request made with an idempotency key, and (once done) the answer to replay."""

    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("api_key_id", "key"),
                      sa.Index("ix_idempotency_records_created", "created_at"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    api_key_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_hash: Mapped[str] = mapped_column(sa.String(64))  # method, path and body
    response_status: Mapped[int | None] = mapped_column(sa.SmallInteger)  # None while running
    response_body: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
