"""``/healthz``: the process answers. ``/readyz``: it can serve requests, so a load
balancer sends traffic only to instances that can.

The database is required (503 without it). Redis, when configured, is checked and
reported but does not fail readiness: without it the app keeps answering (rate limits
fall back to memory, background work waits in the database), and a probe that took
every instance out of rotation would turn a Redis outage into a full one."""

import sqlalchemy as sa
from flask import Blueprint, current_app
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from momoflow import jobs
from momoflow.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz():
    checks = {"database": _database()}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _redis()
    if checks["database"] != "ok":
        return {"status": "unavailable", "checks": checks}, 503
    degraded = any(check != "ok" for check in checks.values())
    return {"status": "degraded" if degraded else "ready", "checks": checks}, 200


def _database():
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as error:  # the request's owner rolls back the 503
        return f"error: {type(error).__name__}"


def _redis():
    try:
        jobs.connection().ping()
        return "ok"
    except RedisError as error:
        return f"error: {type(error).__name__}"
