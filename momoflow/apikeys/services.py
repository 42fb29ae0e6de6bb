"""Creating, revoking and recognising API keys. Callers own the transaction."""

from datetime import timedelta

from momoflow.apikeys.keys import generate_key, hash_key, is_well_formed, shown_prefix
from momoflow.apikeys.models import ApiKey
from momoflow.database import utcnow
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


def api_key_for(secret):
    """The active key ``secret`` is, or None; malformed secrets never reach the database."""
    if not is_well_formed(secret):
        return None
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.key_hash == hash_key(secret)))
    if api_key is None or not api_key.is_active:
        return None
    return api_key


def note_use(api_key):
    now = utcnow()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        api_key.last_used_at = now
