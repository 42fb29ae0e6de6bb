import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from momoflow.database import UTCDateTime, enum_column, utcnow
from momoflow.extensions import db


class GroupSource(enum.StrEnum):
    LOCAL = "local"  # made and kept by the organisation's admins
    DIRECTORY = "directory"  # a mirror of a directory group, refreshed when it is used
    SCIM = "scim"  # pushed by the identity provider (``momoflow.scim``), kept as it says


def name_key(name):
    """What makes two group names the same: neither case nor runs of spaces count. Computed
    here, never by the database, whose ``lower()`` differs between SQLite and PostgreSQL
    beyond ASCII."""
    return " ".join(name.split()).casefold()


class Group(db.Model):
    __tablename__ = "groups"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name_key", name="uq_groups_org_name_key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200))  # name_key(name): the unique, case-free name
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    source: Mapped[GroupSource] = mapped_column(enum_column(GroupSource), default=GroupSource.LOCAL)
    external_id: Mapped[str | None] = mapped_column(sa.String(1000))  # the directory's DN (or a SCIM id)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last read from the directory
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def is_local(self):
        """Admins change it in Settings → Groups (a directory's or a provider's group changes there)."""
        return self.source == GroupSource.LOCAL

    @property
    def is_stored(self):
        """Its members as stored are the answer: no directory to ask."""
        return self.source != GroupSource.DIRECTORY

    def __repr__(self):
        return f"<Group {self.name}>"


class GroupMember(db.Model):
    __tablename__ = "group_members"

    group_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                               index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
