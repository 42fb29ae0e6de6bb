"""Provisioning tokens: made (shown once), found by their bearer, revoked. Callers own the
transaction. The shape and hashing are the API keys' (``apikeys.keys``), with a prefix of
their own so neither kind is mistaken for the other, by us or by a secret scanner."""

from datetime import timedelta

import sqlalchemy as sa

from momoflow import fields
from momoflow.apikeys.keys import SHOWN_LENGTH, generate_key, hash_key, is_well_formed
from momoflow.database import utcnow
from momoflow.errors import NotFound
from momoflow.extensions import db
from momoflow.scim.models import ScimToken

PREFIX = "mf_scim_"
MAX_NAME_LENGTH = 100
NOTE_USE_EVERY = timedelta(minutes=1)


def create_token(organization, name, created_by=None):
    """``(token, secret)``: the secret exists only in this answer."""
    problems = fields.Problems()
    name = fields.text(name, "name", problems, label="Name", max_length=MAX_NAME_LENGTH,
                       required="Name is required", nul="Name must be text")
    problems.raise_if_any()
    secret = generate_key(PREFIX)
    token = ScimToken(organization_id=organization.id, name=name, prefix=secret[:SHOWN_LENGTH],
                      token_hash=hash_key(secret), created_by_id=created_by.id if created_by else None)
    db.session.add(token)
    db.session.flush()
    return token, secret


def token_for(secret):
    """The active token ``secret`` is, or None (a malformed one costs no query)."""
    if not is_well_formed(secret, PREFIX):
        return None
    return db.session.scalar(sa.select(ScimToken).where(ScimToken.token_hash == hash_key(secret),
                                                        ScimToken.revoked_at.is_(None)))


def note_use(token, now=None):
    """Its last use, kept to the minute (at most one write a minute per token)."""
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= NOTE_USE_EVERY:
        db.session.execute(sa.update(ScimToken).where(
            ScimToken.id == token.id,
            sa.or_(ScimToken.last_used_at.is_(None), ScimToken.last_used_at < now - NOTE_USE_EVERY))
            .values(last_used_at=now))


def tokens_of(organization):
    return db.session.scalars(sa.select(ScimToken).where(ScimToken.organization_id == organization.id)
                              .order_by(ScimToken.created_at.desc(), ScimToken.id)).all()


def revoke(organization, token_id):
    token = db.session.get(ScimToken, token_id)
    if token is None or token.organization_id != organization.id:
        raise NotFound("No such provisioning token in your organisation")
    token.revoked_at = token.revoked_at or utcnow()
    return token
