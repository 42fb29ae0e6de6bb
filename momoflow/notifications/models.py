"""Notifications people see in the app, the emails sent for them, and who opted out of which.

Both are written by the event handlers, keyed by (event, person): a handler that runs
twice for one event (a retried job) finds its rows already there and adds nothing.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from momoflow.database import UTCDateTime, utcnow
from momoflow.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", name="uq_notifications_event_user"),
        # The bell's page, newest first, and its unread count (partial: only unread rows).
        sa.Index("ix_notifications_user_created", "user_id", "created_at", "id"),
        sa.Index("ix_notifications_user_unread", "user_id",
                 postgresql_where=sa.text("read_at IS NULL"), sqlite_where=sa.text("read_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(60))  # the event type, e.g. "level.started"
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str | None] = mapped_column(sa.String(500))  # a path in the app
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailOptOut(db.Model):
    """A person who does not want email for one kind of event (everything is on by default)."""

    __tablename__ = "email_opt_outs"

    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(60), primary_key=True)


class Email(db.Model):
    """An email to send: rendered when its event is handled, sent by the mail job."""

    __tablename__ = "emails"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", name="uq_emails_event_user"),
        sa.Index("ix_emails_unsent", "next_attempt_at",
                 postgresql_where=sa.text("sent_at IS NULL AND failed_at IS NULL"),
                 sqlite_where=sa.text("sent_at IS NULL AND failed_at IS NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(300))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # gave up
