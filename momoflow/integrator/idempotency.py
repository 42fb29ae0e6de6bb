"""Idempotency keys for the integrator API.

``Idempotency-Key`` (the IETF draft's header) or, failing that, ``X-Request-ID`` (which
the seed tells integrators to send, and to retry with) names a request for 24 hours,
per API key. The first request claims the name in a transaction of its own; its
work and the answer to replay then commit together. The same name again:

- same body, first one finished: the first answer again, nothing done twice;
- same body, first one still running: 409 ``request_in_progress``;
- different body: 422 ``idempotency_key_reused``.

A request that fails gives its claim back, so the client's retry runs for real.
"""

import functools
import hashlib
import json
import uuid
from datetime import timedelta

from flask import jsonify, request

from momoflow.apikeys.models import IdempotencyRecord
from momoflow.database import commit_keeping_loaded, dialect_insert, utcnow
from momoflow.errors import Conflict, DomainError, ValidationFailed
from momoflow.extensions import db

HEADERS = ("Idempotency-Key", "X-Request-ID")
KEPT_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=2)  # a claim with no answer this old lost its process
MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"
    title = "Idempotency key reused"


class InProgress(Conflict):
    code = "request_in_progress"
    title = "Request in progress"


def idempotent(view):
    """For views that return ``(body, status)`` and leave the commit to this wrapper."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        from momoflow.integrator import current_api_key

        name = _key_from_headers()
        record = _claim(current_api_key(), name, _fingerprint()) if name else None
        if isinstance(record, IdempotencyRecord) and record.response_status is not None:
            return _replay(record)
        try:
            body, status = view(*args, **kwargs)
            if record is not None:
                _store_answer(record, body, status)
            db.session.commit()
        except Exception:
            db.session.rollback()
            if record is not None:
                _release(record)
            raise
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
        raw_body = json.dumps(json.loads(raw_body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        pass
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + raw_body).hexdigest()


def _claim(api_key, name, fingerprint):
    """Our own fresh record for ``name``, or the finished one to replay; else a refusal."""
    now = utcnow()
    claimed = db.session.scalar(
        dialect_insert(IdempotencyRecord)
        .values(id=uuid.uuid4(), api_key_id=api_key.id, key=name, request_hash=fingerprint, created_at=now)
        .on_conflict_do_nothing(index_elements=["api_key_id", "key"])
        .returning(IdempotencyRecord))
    commit_keeping_loaded()  # the claim must be visible to concurrent requests now
    if claimed is not None:
        return claimed
    record = db.session.scalar(db.select(IdempotencyRecord).where(
        IdempotencyRecord.api_key_id == api_key.id, IdempotencyRecord.key == name)
        .execution_options(populate_existing=True))
    stale = now - record.created_at > KEPT_FOR or (
        record.response_status is None and now - record.created_at > ABANDONED_AFTER)
    if stale and _take_over(record, fingerprint, now):
        return record
    if record.request_hash != fingerprint:
        raise KeyReused(f"{name!r} was already used for a different request; use a new key for a new request")
    if record.response_status is None:
        raise InProgress(f"A request with the key {name!r} is still being processed; retry shortly")
    return record


def _take_over(record, fingerprint, now):
    """Reclaim an expired or abandoned record, unless another request just did."""
    taken = db.session.execute(
        db.update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record.id, IdempotencyRecord.created_at == record.created_at)
        .values(request_hash=fingerprint, created_at=now, response_status=None, response_body=None)).rowcount
    db.session.commit()
    db.session.refresh(record)
    return taken == 1


def _store_answer(record, body, status):
    record.response_status = status
    record.response_body = body


def _release(record):
    db.session.execute(db.delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id,
                                                          IdempotencyRecord.response_status.is_(None)))
    db.session.commit()


def _replay(record):
    response = jsonify(record.response_body)
    response.status_code = record.response_status
    response.headers["Idempotent-Replayed"] = "true"
    return response
