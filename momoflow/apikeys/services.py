"""Creating, revoking and recognising API keys. Callers own the transaction."""

import uuid
from datetime import datetime, timedelta
from typing import NamedTuple


from momoflow import hot_path
from momoflow.apikeys.keys import generate_key, hash_key, is_well_formed, shown_prefix
from momoflow.accounts.models import Organization, Tier
from momoflow.apikeys.models import ApiKey
from momoflow.database import execute_lean, utcnow
from momoflow.errors import NotFound, ValidationFailed
from momoflow.extensions import db

LAST_USED_RESOLUTION = timedelta(minutes=1)  # a write per key a minute, not per request
MAX_NAME_LENGTH = 100


def create_api_key(organization, name, created_by=None):
    """``(api_key, secret)``: the secret exists only in this return value."""
    name = (name or "").strip() or "API key"
    if len(name) > MAX_NAME_LENGTH or "\x00" in name:
        raise ValidationFailed([("name", f"Name must be at most {MAX_NAME_LENGTH} characters of text")])
    secret = generate_key()
    api_key = ApiKey(organization_id=organization.id, organization=organization, name=name,
                     prefix=shown_prefix(secret), key_hash=hash_key(secret),
                     created_by_id=created_by.id if created_by else None)
    db.session.add(api_key)
    db.session.flush()
    return api_key, secret


def revoke_api_key(organization, api_key_id):
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.id == api_key_id,
                                                        ApiKey.organization_id == organization.id))
    if api_key is None:
        raise NotFound("API key not found")
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
    return api_key


def list_api_keys(organization):
    return db.session.scalars(db.select(ApiKey).where(ApiKey.organization_id == organization.id)
                              .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())).all()


class KeyHolder(NamedTuple):
    """The active API key a request carries: what every integrator request needs of it,
    read in one lean statement (no ORM objects on the API's hot path)."""

    id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    tier: Tier
    last_used_at: datetime | None

    @property
    def organization(self):
        return db.session.get(Organization, self.organization_id)


def api_key_for(secret):
    """The active key ``secret`` is, as a KeyHolder, or None; malformed secrets never
    reach the database."""
    if not is_well_formed(secret):
        return None
    row = execute_lean(hot_path.ACTIVE_KEY_BY_HASH, {"key_hash": hash_key(secret)}).fetchone()
    return KeyHolder(row.id, row.name, row.organization_id, Tier(row.tier), row.last_used_at) if row else None


def last_use_is_due(key):
    """Whether ``key``'s last use (kept to the minute, so a busy key is not written on
    every request) needs writing now."""
    return key.last_used_at is None or utcnow() - key.last_used_at > LAST_USED_RESOLUTION


def note_use(key):
    """Record that ``key`` (a KeyHolder) was used now."""
    db.session.execute(hot_path.NOTE_USE, {"key_id": key.id, "now": utcnow()})
