"""The client secret at rest: Fernet (AES-128-CBC + HMAC) with ``SSO_ENCRYPTION_KEY``.

The key comes from the environment, never from the database, so a copy of the database
alone does not give the secret away. Several keys, comma-separated, rotate: the first
encrypts, any decrypts.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from momoflow.errors import ServiceUnavailable

NO_KEY = ("Single sign-on needs an encryption key for the client secret: set SSO_ENCRYPTION_KEY "
          "(make one with: python -c \"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())\").")
UNREADABLE = "The stored client secret cannot be decrypted with SSO_ENCRYPTION_KEY. Enter the secret again."


def keys_from(setting):
    """The Fernet keys a ``SSO_ENCRYPTION_KEY`` value names (ValueError if one is malformed)."""
    return [Fernet(key.strip()) for key in (setting or "").split(",") if key.strip()]


def is_configured():
    return bool(current_app.config.get("SSO_ENCRYPTION_KEY"))


def _fernet():
    keys = keys_from(current_app.config.get("SSO_ENCRYPTION_KEY"))
    if not keys:
        raise ServiceUnavailable(NO_KEY)
    return MultiFernet(keys)


def encrypt(secret):
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ServiceUnavailable(UNREADABLE) from None
