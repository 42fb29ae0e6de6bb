"""Page sign-ins that the server can end: one ``UserSession`` row per sign-in, named by
the session and remember-me cookies; and ``users.auth_version``, which every row and
every API token carries, for ending all of a person's at once. Callers own the transaction.
"""

import uuid

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.auth.models import UserSession
from momoflow.extensions import db


def start_session(user):
    """Record a page sign-in for ``user``; ``user.get_id()`` then names it."""
    row = UserSession(user_id=user.id, auth_version=user.auth_version)
    db.session.add(row)
    db.session.flush()
    user.session_id = row.id
    return row


def find_signed_in_user(token):
    """The active user a cookie's ``"<user id>:<session id>"`` names, if that sign-in is
    still live; else None. One indexed query: this runs on every page request."""
    user_id, _, session_id = (token or "").partition(":")
    try:
        user_id, session_id = uuid.UUID(user_id), uuid.UUID(session_id)
    except ValueError:  # includes cookies from before sign-ins were recorded
        return None
    user = db.session.scalar(
        sa.select(User).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.id == session_id, User.id == user_id, User.active,
               UserSession.auth_version == User.auth_version))
    if user is not None:
        user.session_id = session_id
    return user


def end_session(user):
    """Sign out the browser ``user`` was loaded for; their other sign-ins stay."""
    db.session.execute(sa.delete(UserSession).where(UserSession.id == user.session_id))


def end_all_sessions(user):
    """Sign ``user`` out everywhere: every page sign-in and every API token."""
    user.auth_version += 1
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))

