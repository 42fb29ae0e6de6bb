"""Creating, revoking and recognising API keys. Callers own the transaction."""

import ipaddress
import uuid
from datetime import datetime, time, timedelta
from typing import NamedTuple

from momoflow import fields, hot_path
from momoflow.accounts.models import Organization, Tier
from momoflow.apikeys.keys import generate_key, hash_key, is_well_formed, shown_prefix
from momoflow.apikeys.models import ALL_SCOPES, MAX_ADDRESS_LENGTH, ApiKey, Scope
from momoflow.database import execute_lean, utcnow
from momoflow.errors import NotFound
from momoflow.extensions import db

LAST_USED_RESOLUTION = timedelta(minutes=1)  # a write per key a minute, not per request
MAX_NAME_LENGTH = 100
NO_SCOPE = "Choose at least one scope"
UNKNOWN_SCOPE = f"Scopes must be among {', '.join(ALL_SCOPES)}"
EXPIRY_NOT_A_DATE = "Expiry must be a date, e.g. 2030-01-31"
EXPIRY_IN_THE_PAST = "Expiry must be a date in the future"


def create_api_key(organization, name, scopes=ALL_SCOPES, expires_on=None, created_by=None):
    """``(api_key, secret)``: the secret exists only in this return value. ``expires_on``
    (``YYYY-MM-DD``, or blank for never) is the day the key stops working, from its start (UTC)."""
    problems = fields.Problems()
    name = fields.text(name, "name", problems, label="Name", max_length=MAX_NAME_LENGTH) or "API key"
    scopes = _scopes(scopes, problems)
    expires_at = _expiry(expires_on, problems)
    problems.raise_if_any()
    secret = generate_key()
    api_key = ApiKey(organization_id=organization.id, organization=organization, name=name,
                     prefix=shown_prefix(secret), key_hash=hash_key(secret), scopes=scopes, expires_at=expires_at,
                     created_by_id=created_by.id if created_by else None)
    db.session.add(api_key)
    db.session.flush()
    return api_key, secret


def _scopes(values, problems):
    """The chosen scopes in Scope's order, at least one."""
    chosen = {fields.choice(value, Scope, "scopes", problems, UNKNOWN_SCOPE) for value in values or ()}
    if None in chosen:
        return None
    if not chosen:
        problems.add("scopes", NO_SCOPE)
        return None
    return [scope.value for scope in Scope if scope in chosen]


def _expiry(value, problems):
    """The start (UTC) of the day ``value`` names, if that is still to come; blank is never."""
    text = value.strip() if isinstance(value, str) else value
    if text in (None, ""):
        return None
    if not isinstance(text, str) or len(text) != len("YYYY-MM-DD"):  # a day, not a moment
        problems.add("expires", EXPIRY_NOT_A_DATE)
        return None
    moment = fields.iso_moment(text, "expires", problems, message=EXPIRY_NOT_A_DATE,
                               zone_message=EXPIRY_NOT_A_DATE, date_means=time(0))
    if moment is not None and moment <= utcnow():
        problems.add("expires", EXPIRY_IN_THE_PAST)
        return None
    return moment


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
    """The usable API key a request carries: what every integrator request needs of it,
    read in one lean statement (no ORM objects on the API's hot path)."""

    id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    tier: Tier
    scopes: frozenset[str]
    last_used_at: datetime | None

    @property
    def organization(self):
        return db.session.get(Organization, self.organization_id)


def api_key_for(secret):
    """The key ``secret`` is, as a KeyHolder, if it is neither revoked nor expired; else
    None. Malformed secrets never reach the database."""
    if not is_well_formed(secret):
        return None
    row = execute_lean(hot_path.ACTIVE_KEY_BY_HASH, {"key_hash": hash_key(secret), "now": utcnow()}).fetchone()
    if row is None:
        return None
    return KeyHolder(row.id, row.name, row.organization_id, Tier(row.tier), frozenset(row.scopes), row.last_used_at)


def last_use_is_due(key):
    """Whether ``key``'s last use (kept to the minute, so a busy key is not written on
    every request) needs writing now."""
    return key.last_used_at is None or utcnow() - key.last_used_at > LAST_USED_RESOLUTION


def note_use(key, address):
    """Record that ``key`` (a KeyHolder) was used now from ``address``, unless a use less
    than a minute old is recorded already (by another request); True if this one wrote."""
    now = utcnow()
    written = execute_lean(hot_path.NOTE_USE, {"key_id": key.id, "now": now, "address": _address_text(address),
                                               "stale_before": now - LAST_USED_RESOLUTION})
    return written.rowcount == 1


def _address_text(address):
    """The client's IP address in its usual text, or None for anything else a proxy sent."""
    try:
        text = str(ipaddress.ip_address(address))
    except ValueError:
        return None
    return text if len(text) <= MAX_ADDRESS_LENGTH else None
