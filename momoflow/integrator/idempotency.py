"""Idempotency keys for the integrator API.

``Idempotency-Key`` (the IETF draft's header) or, failing that, ``X-Request-ID`` (which
the seed tells integrators to send, and to retry with) names a request for 24 hours,
per API key. The same name again:

- same body, first one finished: the first answer again, nothing done twice;
- same body, first one still running: 409 ``request_in_progress``;
- different body: 422 ``idempotency_key_reused``.

Everything happens in the request's one transaction. On PostgreSQL a transaction-scoped
advisory lock on the name tells a duplicate that the first is still running (it is
released by the commit or rollback, so a crashed request never leaves a claim behind);
SQLite runs one writing transaction at a time, so there a duplicate simply waits. The
answer is stored with the work it describes, so a request that fails leaves nothing
and the client's retry runs for real.
"""

import functools
import hashlib
import json
from datetime import timedelta

from flask import jsonify, request

from momoflow import fields, hot_path
from momoflow.database import execute_lean, session_dialect, utcnow
from momoflow.errors import Conflict, DomainError, ValidationFailed

HEADERS = ("Idempotency-Key", "X-Request-ID")
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255



class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    title = "Idempotency key reused"


class InProgress(Conflict):
    code = "request_in_progress"
    title = "Request in progress"


def still_running(name):
    return f"A request with the key {name!r} is still being processed; retry shortly"


def reused(name):
    return f"{name!r} was already used for a different request; use a new key for a new request"


def idempotent(view):
    """For views that return ``(body, status)``: the answer is stored with the work, in
    the request's one transaction."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        from momoflow.integrator import current_api_key

        name = _key_from_headers()
        if name is None:
            body, status = view(*args, **kwargs)
            return jsonify(body), status
        api_key_id, request_hash = current_api_key().id, _fingerprint()
        _lock(api_key_id, name)
        replay = _earlier_answer(api_key_id, name, request_hash)
        if replay is not None:
            return replay
        body, status = view(*args, **kwargs)
        _store_answer(api_key_id, name, request_hash, body, status)
        return jsonify(body), status

    return wrapper


def _key_from_headers():
    for header in HEADERS:
        value = request.headers.get(header, "").strip()
        if value:
            if len(value) > MAX_KEY_LENGTH:
                raise ValidationFailed([(header, f"{header} must be at most {MAX_KEY_LENGTH} characters")])
            return value
    return None


def _fingerprint():
    return fingerprint(request.method, request.path, request.get_data(cache=True))


def fingerprint(method, path, raw_body):
    """A request as a hash: method, path and body (JSON compared by meaning, not spacing)."""
    try:
        raw_body = json.dumps(fields.json_document(raw_body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, RecursionError):  # not JSON (or too deep to compare): the bytes as sent
        pass
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + raw_body).hexdigest()


def lock_id(api_key_id, name):
    """The advisory lock (a signed 64-bit number) standing for ``name`` of this key."""
    digest = hashlib.sha256(f"{api_key_id}\n{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _lock(api_key_id, name):
    """Hold ``name`` until this transaction ends; 409 if a running request holds it."""
    if session_dialect() != "postgresql":
        return  # SQLite: transactions take the write lock one at a time
    if not execute_lean(hot_path.TRY_IDEMPOTENCY_LOCK, {"lock_id": lock_id(api_key_id, name)}).fetchone()[0]:
        raise InProgress(still_running(name))


def _earlier_answer(api_key_id, name, request_hash):
    """The stored answer to replay for ``name``, or None if it is new (or expired)."""
    record = execute_lean(hot_path.STORED_ANSWER, {"api_key_id": api_key_id, "key": name,
                                    "kept_since": utcnow() - KEPT_FOR}).fetchone()
    if record is None:
        return None
    if record.request_hash != request_hash:
        raise KeyReused(reused(name))
    return _replay(record)


def _store_answer(api_key_id, name, request_hash, body, status):
    execute_lean(hot_path.upsert_answer(), hot_path.answer_row(api_key_id, name, request_hash, status, body))


def _replay(record):
    response = jsonify(record.response_body)
    response.status_code = record.response_status
    response.headers["Idempotent-Replayed"] = "true"
    return response
