"""Argon2id password hashing with parameters from configuration."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher():
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password):
    return _hasher().hash(password)


def check_password(user, password):
    """True when ``password`` matches; upgrades the stored hash if parameters changed.

    Without a stored hash it still spends the time of one verification, so response
    times do not tell which accounts exist.
    """
    hasher = _hasher()
    if not user or not user.password_hash:
        _spend_one_verification(hasher)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _spend_one_verification(hasher):
    try:
        hasher.verify(_dummy_hash(hasher), "not the password")
    except VerificationError:
        pass


_dummy_hashes = {}


def _dummy_hash(hasher):
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash("momoflow-timing-equaliser")
    return _dummy_hashes[key]
