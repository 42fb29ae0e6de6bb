import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.database import UTCDateTime, enum_column, utcnow
from momoflow.extensions import db


class Tier(enum.StrEnum):
    STANDARD = "standard"
    ENTERPRISE = "enterprise"


class Role(enum.StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    ADMIN = "admin"


class Source(enum.StrEnum):
    LOCAL = "local"  # password kept here (Argon2id)
    DIRECTORY = "directory"  # provisioned from LDAP / Active Directory; signs in there


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    tier: Mapped[Tier] = mapped_column(enum_column(Tier), default=Tier.STANDARD)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The working-time calendar STANDARD requests' TATs count in (momoflow.worktime).
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC", server_default="UTC")
    workdays: Mapped[str] = mapped_column(sa.String(40), default="mon-fri", server_default="mon-fri")
    work_hours: Mapped[str] = mapped_column(sa.String(20), default="09:00-17:00", server_default="09:00-17:00")
    holidays: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # one YYYY-MM-DD a line

    def __repr__(self):
        return f"<Organization {self.slug}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored normalised, so a plain unique index is case-insensitive.
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    designation: Mapped[str | None] = mapped_column(sa.String(200))
    department: Mapped[str | None] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.EMPLOYEE)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    source: Mapped[Source] = mapped_column(enum_column(Source), default=Source.LOCAL)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last read from the directory
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # An outer join, not innerjoin=True: queries that outer-join a User alias (a list's
    # current approver, None once a request closes) would otherwise lose those rows to
    # the eager INNER JOIN on the alias's organisation.
    organization: Mapped[Organization] = relationship(lazy="joined")

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    def __repr__(self):
        return f"<User {self.email}>"

