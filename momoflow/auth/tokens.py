"""Signed, expiring API tokens (JWT, HS256) for ``Authorization: Bearer``."""

import hashlib
import hmac
import uuid
from datetime import timedelta

import jwt
from flask import current_app

from momoflow.accounts.models import User
from momoflow.database import utcnow
from momoflow.errors import Unauthorized
from momoflow.extensions import db

ISSUER = "momoflow"
AUDIENCE = "momoflow-api"
ALGORITHM = "HS256"
TOKEN_EXPIRED_TITLE, TOKEN_EXPIRED = "Token expired", "Token has expired; sign in again at /api/v1/auth/login"
TOKEN_REVOKED_TITLE, TOKEN_REVOKED = "Token revoked", "Token was revoked; sign in again at /api/v1/auth/login"
INVALID_TOKEN = "Invalid token"  # the title too


def _key():
    # A key of its own, derived from SECRET_KEY, so a token can never pass as a session cookie.
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"momoflow api tokens", hashlib.sha256).digest()


def issue_token(user):
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "ver": user.auth_version,  # signing out everywhere moves it on (auth.services)
        "org": str(user.organization_id),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(seconds=current_app.config["JWT_EXPIRES_SECONDS"]),
    }
    return jwt.encode(claims, _key(), algorithm=ALGORITHM)


def user_from_token(token):
    """The active user a valid token names; Unauthorized for anything else."""
    try:
        claims = jwt.decode(token, _key(), algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                            options={"require": ["sub", "exp", "iat"]})
        user_id = uuid.UUID(claims["sub"])
    except jwt.ExpiredSignatureError:
        raise Unauthorized(TOKEN_EXPIRED, title=TOKEN_EXPIRED_TITLE)
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthorized(INVALID_TOKEN, title=INVALID_TOKEN)
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise UnknownTokenUser(user_id)
    if claims.get("ver", 0) != user.auth_version:
        raise Unauthorized(TOKEN_REVOKED, title=TOKEN_REVOKED_TITLE)
    return user


class UnknownTokenUser(Unauthorized):
    """A genuine token whose person no longer exists (or was deactivated)."""

    def __init__(self, user_id):
        super().__init__(INVALID_TOKEN, title=INVALID_TOKEN)
        self.user_id = user_id
