"""Keyset pages, newest first: the lists' one query per page, and the cursors that say
where the next page starts (``fields.decode_cursor`` reads them back, refusing any
cursor we did not write)."""

import base64
import json

import sqlalchemy as sa

from momoflow.extensions import db


def encode_cursor(values):
    moment, identifier = values
    raw = json.dumps([moment.isoformat(), str(identifier)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_name_cursor(name, identifier):
    """Where an alphabetical list (by name, then id) stopped; ``fields.name_cursor`` reads it."""
    raw = json.dumps(["name", name, str(identifier)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def newest_first_page(statement, model, after, limit):
    """One keyset page of ``statement``, newest first on ``(model.created_at, model.id)``,
    in one query: ``(rows, next cursor or None)``. ``after`` is the decoded position the
    previous page ended at (``decode_cursor``), or None for the first page."""
    if after:
        position = sa.tuple_(sa.literal(after[0], model.created_at.type), sa.literal(after[1], model.id.type))
        statement = statement.where(sa.tuple_(model.created_at, model.id) < position)
    rows = db.session.scalars(statement.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)).all()
    page = rows[:limit]
    return page, (encode_cursor((page[-1].created_at, page[-1].id)) if len(rows) > limit else None)
