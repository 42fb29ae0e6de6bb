"""Finding colleagues as someone types: the directory autocomplete.

People we already know (our ``users`` table) come first; when they do not fill the
list, the company directory adds people not provisioned yet, but only for the
organisation the directory belongs to, and never at the cost of an error: a
directory that is down just means fewer suggestions.
"""

import logging

import sqlalchemy as sa
from flask import current_app

from momoflow.accounts.models import User
from momoflow.directory import DirectoryUnavailable, get_directory
from momoflow.extensions import db

log = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100
MIN_DIRECTORY_QUERY = 2  # one letter would ask the directory for half the company
LIKE_ESCAPE = "\\"


def escape_like(text):
    """``text`` with LIKE's wildcards (and the escape character) taken literally."""
    return (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))


def search_people(organization, text, limit=8):
    """People of ``organization`` whose email, name or a word of their name starts with
    ``text`` (case-insensitive): Users first, by name, then directory Persons."""
    text = " ".join((text or "").replace("\x00", "").split()).lower()[:MAX_QUERY_LENGTH]
    known = _known_people(organization, text, limit)
    if len(known) >= limit or len(text) < MIN_DIRECTORY_QUERY:
        return known
    return known + _directory_people(organization, text, limit - len(known), {user.email for user in known})


def _directory_people(organization, text, wanted, known_emails):
    if organization.slug != current_app.config["DIRECTORY_ORG"]:
        return []
    try:
        people = get_directory().search(text, wanted + len(known_emails))
    except DirectoryUnavailable as exc:
        log.warning("directory search unavailable: %s", exc.detail)
        return []
    # Known people include the inactive ones the database search left out on purpose.
    known_emails |= set(db.session.scalars(db.select(User.email).where(User.email.in_([p.email for p in people]))))
    return [person for person in people if person.email not in known_emails][:wanted]


def _known_people(organization, text, limit):
    """Active people of ``organization`` in our database."""
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
