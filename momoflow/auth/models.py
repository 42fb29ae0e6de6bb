import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from momoflow.database import UTCDateTime, utcnow
from momoflow.extensions import db


class UserSession(db.Model):
    """One sign-in through the page: its session cookie and remember-me cookie both name
    this row, so deleting it signs that browser out even if its cookies are replayed.
    ``auth_version`` is the person's at sign-in; once theirs moves on (sign out
    everywhere, a new role, deactivation) the row no longer counts."""

    __tablename__ = "user_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    auth_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
