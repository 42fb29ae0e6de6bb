"""Provisioning tokens: what an identity provider (Okta, Entra ID) sends to ``/scim/v2``."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.accounts.models import Organization
from momoflow.database import UTCDateTime, utcnow
from momoflow.extensions import db


class ScimToken(db.Model):
    """One organisation's bearer token for SCIM: only its SHA-256 is kept (it is shown once,
    like an API key, but a token of its own kind: it never works on ``/v1``, nor a key here)."""

    __tablename__ = "scim_tokens"
    __table_args__ = (sa.Index("ix_scim_tokens_organization_created", "organization_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(20))  # shown in lists: "mf_scim_Ab3x"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)


class ScimChange(db.Model):
    """One provisioning change, as an audit trail: which token did what to whom, when."""

    __tablename__ = "scim_changes"
    __table_args__ = (sa.Index("ix_scim_changes_organization_occurred", "organization_id", "occurred_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    token_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("scim_tokens.id"))
    action: Mapped[str] = mapped_column(sa.String(40))  # "user.created", "user.deactivated"…
    resource_id: Mapped[str] = mapped_column(sa.String(64))
    summary: Mapped[str] = mapped_column(sa.String(500))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
