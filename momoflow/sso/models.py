"""An organisation's identity provider, the email domains it answers for, and the
provider's id (``sub``) for each person who signed in through it."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.accounts.models import Organization
from momoflow.database import UTCDateTime, utcnow
from momoflow.extensions import db


class SsoProvider(db.Model):
    __tablename__ = "sso_providers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))  # the button says "Sign in with <name>"
    issuer: Mapped[str] = mapped_column(sa.String(500))
    client_id: Mapped[str] = mapped_column(sa.String(255))
    client_secret_encrypted: Mapped[str] = mapped_column(sa.Text)  # Fernet token (``sso.secrets``)
    # Whether people may still sign in with a password; admins with one always can (break-glass).
    password_sign_in: Mapped[bool] = mapped_column(default=True)
    groups_claim: Mapped[str] = mapped_column(sa.String(100), default="groups")
    role_mapping: Mapped[str] = mapped_column(sa.Text, default="")  # "group = role", one a line
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined", innerjoin=True)
    domains: Mapped[list["SsoDomain"]] = relationship(
        cascade="all, delete-orphan", order_by="SsoDomain.domain", lazy="selectin")


class SsoDomain(db.Model):
    """An email domain whose people sign in through ``provider``: one organisation each,
    so an email-first sign-in always knows where to go and no provider can claim
    another organisation's addresses."""

    __tablename__ = "sso_domains"

    domain: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("sso_providers.id", ondelete="CASCADE"), index=True)


class SsoIdentity(db.Model):
    """Who ``subject`` is at ``provider``: it wins over an email that changed since."""

    __tablename__ = "sso_identities"
    __table_args__ = (sa.UniqueConstraint("provider_id", "subject", name="uq_sso_identities_provider_subject"),
                      sa.UniqueConstraint("provider_id", "user_id", name="uq_sso_identities_provider_user"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    provider_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("sso_providers.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
