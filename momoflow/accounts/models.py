import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, attributes, mapped_column, relationship

from momoflow.database import UTCDateTime, enum_column, trigram_index, utcnow
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
    # Approvals (Settings → Approvals): how often a request may be sent back for rework,
    # whether each new round starts again at level 1, and whether deciding from an email
    # link needs a signed-in session besides the link's token.
    max_revisions: Mapped[int] = mapped_column(sa.SmallInteger, default=3, server_default="3")
    rounds_restart_at_first_level: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    email_decisions_need_sign_in: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Flow reminders (Settings → Flow reminders, ``flows.reminders``): the days before a due
    # date the assignee is reminded ("3,1", largest first; "" for none), and whether once
    # more after it is overdue.
    flow_reminder_days: Mapped[str] = mapped_column(sa.String(40), default="3,1", server_default="3,1")
    flow_overdue_reminder: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    def __repr__(self):
        return f"<Organization {self.slug}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored normalised, so a plain unique index is case-insensitive.
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        # Settings → People: an organisation's people by name, in keyset pages.
        sa.Index("ix_users_org_name", "organization_id", "display_name", "id"),
        # Searching people by part of their name or email (list searches, the assignments' person filter).
        trigram_index("ix_users_display_name_trgm", "display_name"),
        trigram_index("ix_users_email_trgm", "email"),
        # SCIM's userName is unique in an organisation, whatever its case.
        sa.Index("uq_users_org_scim_user_name", "organization_id", sa.func.lower(sa.column("scim_user_name")),
                 unique=True),
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
    # Every session and API token carries the value it was issued under; moving it on
    # voids them all at once (momoflow.auth.sessions).
    auth_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last read from the directory
    # Their manager (the directory's ``manager``): who takes their tasks when they leave,
    # and who a breached level escalates to.
    manager_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    # The identity provider's id for the person, as SCIM provisioning sent it (``externalId``).
    external_id: Mapped[str | None] = mapped_column(sa.String(255))
    # Their name in parts, as an identity provider sent it (SCIM ``name``); display_name is what shows.
    given_name: Mapped[str | None] = mapped_column(sa.String(200))
    family_name: Mapped[str | None] = mapped_column(sa.String(200))
    # SCIM's userName as the provider sent it, when it is not simply their email (``scim.users``).
    scim_user_name: Mapped[str | None] = mapped_column(sa.String(255))
    # When a SCIM DELETE removed them: deactivated, kept for history, and gone from /scim/v2.
    scim_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # An outer join, not innerjoin=True: queries that outer-join a User alias (a list's
    # current approver, None once a request closes) would otherwise lose those rows to
    # the eager INNER JOIN on the alias's organisation.
    organization: Mapped[Organization] = relationship(lazy="joined")

    manager: Mapped["User | None"] = relationship(remote_side=[id], lazy="raise_on_sql")

    session_id = None  # not a column: the page sign-in (UserSession) this object was loaded for

    def get_id(self):
        """Flask-Login's token for the session and remember-me cookies: the person and
        the sign-in, so signing out one browser ends that sign-in only."""
        return f"{self.id}:{self.session_id}"

    @property
    def is_active(self):
        return self.active

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    def __repr__(self):
        return f"<User {self.email}>"


class Absence(db.Model):
    """Someone's out-of-office: from ``starts_at`` to ``ends_at`` their tasks go to ``delegate``.

    One per person (setting a new one replaces it). ``moved_at`` and ``returned_at`` record
    when the tick moved their waiting tasks to the stand-in and back, so each happens once.
    """

    __tablename__ = "absences"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("delegate_id <> user_id", name="not_own_delegate"),
        # The tick's two questions: whose absence has begun, and whose has ended.
        sa.Index("ix_absences_to_move", "starts_at", postgresql_where=sa.text("moved_at IS NULL"),
                 sqlite_where=sa.text("moved_at IS NULL")),
        sa.Index("ix_absences_to_return", "ends_at", postgresql_where=sa.text("returned_at IS NULL"),
                 sqlite_where=sa.text("returned_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    delegate_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message: Mapped[str | None] = mapped_column(sa.String(1000))
    set_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id], lazy="raise_on_sql")

    @hybrid_method
    def covers(self, moment):
        """Away at ``moment``: on a row, and as SQL (``Absence.covers(now)``)."""
        return (self.starts_at <= moment) & (self.ends_at > moment)


@sa.event.listens_for(User.role, "set", active_history=True)
def _new_role_ends_sign_ins(user, value, old, initiator):
    """Whatever changes a role (seed, directory, a future admin page), the person signs in
    again: nothing issued under the old role stays valid."""
    if _was_set(user, old) and value != old:
        user.auth_version = (user.auth_version or 0) + 1


@sa.event.listens_for(User.active, "set", active_history=True)
def _deactivation_ends_sign_ins(user, value, old, initiator):
    """Deactivated people are refused anyway; moving the version on keeps their old
    sessions and tokens dead if they are reactivated."""
    if _was_set(user, old) and old and not value:
        user.auth_version = (user.auth_version or 0) + 1


def _was_set(user, old):
    return sa.inspect(user).persistent and old not in (attributes.NO_VALUE, attributes.NEVER_SET, None)
