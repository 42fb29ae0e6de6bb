"""Webhook endpoints an organisation registered, and every delivery and attempt to them."""

import enum
import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.database import JSON, UTCDateTime, enum_column, utcnow
from momoflow.extensions import db

# After a rotation the replaced secret signs deliveries too, this long, so a receiver can
# switch over without refusing any; after a deletion the delivery log is kept this long.
ROTATION_OVERLAP = timedelta(hours=24)
DELETED_LOG_KEPT_FOR = timedelta(days=30)


class WebhookEndpoint(db.Model):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (sa.Index("ix_webhook_endpoints_organization", "organization_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    event_types: Mapped[list] = mapped_column(JSON, default=list)  # empty: every event
    # The signing secret (whsec_…). Shown once; kept because every delivery is signed with it.
    secret: Mapped[str] = mapped_column(sa.String(100))
    # The secret the last rotation replaced, and until when it still signs (see previous_secret_at).
    previous_secret: Mapped[str | None] = mapped_column(sa.String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Deleted by an admin: gone from the pages, disabled, its log kept DELETED_LOG_KEPT_FOR.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def wants(self, event_type):
        return self.enabled and (not self.event_types or event_type in self.event_types)

    def previous_secret_at(self, now):
        return honoured_previous_secret(self.previous_secret, self.previous_secret_until, now)

    @property
    def previous_secret_valid_until(self):
        """When the replaced secret stops signing, or None if it no longer does."""
        return self.previous_secret_until if self.previous_secret_at(utcnow()) else None


def honoured_previous_secret(previous_secret, until, now):
    """The secret a rotation replaced while it still signs deliveries (beside the new one), else None.
    Takes columns, not an endpoint, so the drain's Core rows use the same rule."""
    return previous_secret if previous_secret and until is not None and now < until else None


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # not yet delivered; next_attempt_at says when to try
    DELIVERED = "delivered"  # a 2xx came back
    FAILED = "failed"  # gave up (retries exhausted, or the endpoint is gone)


class WebhookDelivery(db.Model):
    """One event to one endpoint, however many attempts it takes (``webhook-id`` stays)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        sa.Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at", "id"),
        sa.Index("ix_webhook_deliveries_event", "event_id"),  # purging an event finds its deliveries
        sa.Index("ix_webhook_deliveries_due", "next_attempt_at",
                 postgresql_where=sa.text("status = 'pending'"), sqlite_where=sa.text("status = 'pending'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(sa.SmallInteger)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    last_response_excerpt: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="raise_on_sql")


class WebhookAttempt(db.Model):
    __tablename__ = "webhook_attempts"
    __table_args__ = (sa.Index("ix_webhook_attempts_delivery", "delivery_id", "attempted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    delivery_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None] = mapped_column(sa.SmallInteger)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    response_excerpt: Mapped[str | None] = mapped_column(sa.Text)
    duration_ms: Mapped[int | None] = mapped_column(sa.Integer)
