"""The single-use token behind an email's Approve and Reject links.

One row per email that offers a decision: the task and round it is for and the person
it was sent to (the task's holder, or the manager it was escalated to). Only the
token's SHA-256 is kept, and only from the moment the email is sent: the email as
stored carries a placeholder (``links.PLACEHOLDER``), so no readable token rests in
the database.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.accounts.models import User
from momoflow.database import UTCDateTime, utcnow
from momoflow.extensions import db
from momoflow.workflows.models import ApprovalTask


class DecisionLink(db.Model):
    __tablename__ = "email_decision_links"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("emails.id", ondelete="SET NULL"), unique=True)
    task_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("approval_tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(sa.SmallInteger)
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)  # hex SHA-256, set when sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    task: Mapped[ApprovalTask] = relationship(lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="raise_on_sql")
