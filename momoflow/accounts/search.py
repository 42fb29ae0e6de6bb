"""Finding colleagues as someone types: the directory autocomplete.

Reads our ``users`` table only (people provisioned from the directory or seeded
locally), never LDAP, so it is fast enough to run on every keystroke.
"""

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.extensions import db

MAX_QUERY_LENGTH = 100
LIKE_ESCAPE = "\\"


def escape_like(text):
    """``text`` with LIKE's wildcards (and the escape character) taken literally."""
    return (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))


def search_people(organization, text, limit=8):
    """Active people of ``organization`` whose email, name or a word of their name
    starts with ``text`` (case-insensitive), by name."""
    # NUL can never match (nor be sent to PostgreSQL); runs of spaces mean one.
    text = " ".join((text or "").replace("\x00", "").split()).lower()[:MAX_QUERY_LENGTH]
    if not text:
        return []
    starts = escape_like(text) + "%"
    word_starts = "% " + starts
    name = sa.func.lower(User.display_name)
    statement = (
        db.select(User)
        .where(User.organization_id == organization.id, User.active.is_(True))
        .where(sa.or_(User.email.like(starts, escape=LIKE_ESCAPE),
                      name.like(starts, escape=LIKE_ESCAPE),
                      name.like(word_starts, escape=LIKE_ESCAPE)))
        .order_by(User.display_name, User.email)
        .limit(limit)
    )
    return db.session.scalars(statement).all()
