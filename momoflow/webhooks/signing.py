"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

We follow the published scheme exactly, so a receiver can verify our deliveries with
any Standard Webhooks or Svix library instead of code of ours: the signed content is
``{webhook-id}.{webhook-timestamp}.{body}``, the key is the base64 part of a
``whsec_…`` secret, and ``webhook-signature`` holds one or more ``v1,<base64>``.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = 300  # seconds either side of now; the reference libraries use 5 minutes
REQUIRED_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class SignatureError(ValueError):
    """A delivery that must not be trusted; the message says why."""


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def sign(secret, msg_id, timestamp, body: bytes) -> str:
    """The ``webhook-signature`` value for one delivery attempt."""
    digest = _digest(_key(secret), msg_id, timestamp, body)
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def headers(secret, msg_id, timestamp, body: bytes, previous_secret=None) -> dict:
    """``previous_secret``: while a rotation's old secret is honoured, it signs too (a second
    ``v1,…`` after the new one's), so a receiver still verifying with it accepts the delivery."""
    signatures = [sign(key, msg_id, timestamp, body) for key in (secret, previous_secret) if key]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": " ".join(signatures),
    }


def verify(secret, headers, body: bytes, tolerance=DEFAULT_TOLERANCE, now=None):
    """Check a delivery's signature and freshness; return its ``webhook-id`` or raise SignatureError.

    ``headers`` may be any mapping with ``items()`` (a dict, werkzeug or http.client headers);
    names are matched case-insensitively. Several space-separated signatures are accepted so
    a sender can sign with an old and a new secret while rotating.
    """
    msg_id, timestamp, signatures = _signature_headers(headers)
    _check_freshness(timestamp, tolerance, time.time() if now is None else now)
    expected = _digest(_key(secret), msg_id, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in _v1_signatures(signatures)):
        raise SignatureError("no matching signature")
    return msg_id


def _key(secret):
    encoded = secret[len(SECRET_PREFIX):] if secret.startswith(SECRET_PREFIX) else secret
    try:
        # Padding is restored because some providers hand out unpadded secrets.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise ValueError("a webhook secret must be 'whsec_' followed by base64") from None
    if not key:
        raise ValueError("a webhook secret must not be empty")
    return key


def _digest(key, msg_id, timestamp, body):
    signed_content = f"{msg_id}.{int(timestamp)}.".encode() + body
    return hmac.new(key, signed_content, hashlib.sha256).digest()


def _signature_headers(headers):
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    missing = [name for name in REQUIRED_HEADERS if not lowered.get(name)]
    if missing:
        raise SignatureError(f"missing header: {', '.join(missing)}")
    msg_id, timestamp, signatures = (lowered[name] for name in REQUIRED_HEADERS)
    if not timestamp.isascii() or not timestamp.isdigit():
        raise SignatureError("webhook-timestamp must be whole unix seconds")
    return msg_id, int(timestamp), signatures


def _check_freshness(timestamp, tolerance, now):
    if timestamp < now - tolerance:
        raise SignatureError("timestamp too old (possible replay)")
    if timestamp > now + tolerance:
        raise SignatureError("timestamp too far in the future")


def _v1_signatures(header_value):
    """Decoded ``v1`` signatures; other versions and malformed entries are skipped, not fatal."""
    for entry in header_value.split():
        version, _, encoded = entry.partition(",")
        if version != SIGNATURE_VERSION:
            continue
        try:
            yield base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
