"""The shape of an API key: ``mf_live_`` + 32 base62 characters + a 6-character checksum.

The prefix lets secret scanners (and people) recognise a leaked key; the checksum
lets us refuse a mistyped or truncated key without touching the database. Only the
SHA-256 of a key is stored: 190 random bits need no slow hash to be safe.
"""

import hashlib
import hmac
import re

from momoflow.publicids import checksum, random_base62

PREFIX = "mf_live_"
RANDOM_LENGTH = 32
SHOWN_LENGTH = len(PREFIX) + 4  # what lists show of a key
_SHAPE = re.compile(rf"{PREFIX}([0-9A-Za-z]{{{RANDOM_LENGTH}}})([0-9A-Za-z]{{6}})")


def generate_key(prefix=PREFIX):
    """A new key; ``prefix`` names its kind (``mf_scim_`` for provisioning tokens)."""
    body = random_base62(RANDOM_LENGTH)
    return f"{prefix}{body}{checksum(prefix + body)}"


def is_well_formed(key, prefix=PREFIX):
    match = _shape(prefix).fullmatch(key or "")
    return bool(match) and hmac.compare_digest(match.group(2), checksum(prefix + match.group(1)))


def _shape(prefix):
    return _SHAPE if prefix == PREFIX else re.compile(rf"{re.escape(prefix)}([0-9A-Za-z]{{{RANDOM_LENGTH}}})([0-9A-Za-z]{{6}})")


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


def shown_prefix(key):
    return key[:SHOWN_LENGTH]
