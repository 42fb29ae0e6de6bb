"""Reading and marking a person's notifications, and their email preferences.

Every function takes the person explicitly and touches only their own rows: someone
else's notification does not exist for them (404), whatever its id.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.errors import NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.fields import decode_cursor
from momoflow.notifications.messages import kinds_for
from momoflow.notifications.models import EmailOptOut, Notification
from momoflow.pagination import newest_first_page

PAGE_SIZE = 20
UNREAD_CAP = 99  # the bell says "99+" past this


@dataclass(frozen=True)
class Page:
    items: list
    next_cursor: str | None


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    group: str
    by_email: bool


# --- reading -----------------------------------------------------------------------------


def unread_count(user):
    """Unread notifications, counted no further than UNREAD_CAP + 1 (the partial index's rows)."""
    unread = (sa.select(sa.literal(1)).select_from(Notification)
              .where(Notification.user_id == user.id, Notification.read_at.is_(None))
              .limit(UNREAD_CAP + 1).subquery())
    return db.session.scalar(sa.select(sa.func.count()).select_from(unread))


def badge_text(count):
    """What the bell shows: "" for none, "99+" past the cap."""
    if not count:
        return ""
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


def list_notifications(user, cursor=None, limit=PAGE_SIZE):
    """One page, newest first, in one query; ``cursor`` is the previous page's ``next_cursor``."""
    position = decode_cursor(cursor) if cursor else None
    if cursor and position is None:
        raise ValidationFailed([("cursor", "This link to more notifications is not valid any more.")])
    statement = sa.select(Notification).where(Notification.user_id == user.id)
    return Page(*newest_first_page(statement, Notification, position, limit))


# --- marking -----------------------------------------------------------------------------


def mark_read(user, notification_id):
    """Mark one of ``user``'s notifications read (again is fine); another's is NotFound."""
    notification = db.session.scalar(sa.select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id))
    if notification is None:
        raise NotFound("Notification not found")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
    return notification


def mark_all_read(user):
    """Mark every unread notification of ``user`` read; how many there were."""
    result = db.session.execute(
        sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount


# --- email preferences -------------------------------------------------------------------


def email_preferences(user):
    """``[Preference]`` for every kind ``user`` can receive, in display order."""
    opted_out = set(db.session.scalars(sa.select(EmailOptOut.kind).where(EmailOptOut.user_id == user.id)))
    return [Preference(name, kind.label, kind.group, name not in opted_out)
            for name, kind in kinds_for(user).items()]


def set_email_preferences(user, wanted):
    """Email ``user`` about the kinds in ``wanted`` and not the others (unknown kinds are ignored)."""
    kinds = kinds_for(user)
    db.session.execute(sa.delete(EmailOptOut).where(EmailOptOut.user_id == user.id,
                                                    EmailOptOut.kind.in_(list(kinds))))
    unwanted = [kind for kind in kinds if kind not in set(wanted)]
    if unwanted:
        db.session.execute(sa.insert(EmailOptOut), [{"user_id": user.id, "kind": kind} for kind in unwanted])
