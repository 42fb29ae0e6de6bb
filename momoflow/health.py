"""``/healthz``: the process answers. ``/readyz``: it can do its work (database, and Redis
when configured), so a load balancer sends traffic only to instances that can serve it."""

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
    ready = all(check == "ok" for check in checks.values())
    return {"status": "ready" if ready else "unavailable", "checks": checks}, 200 if ready else 503


def _database():
    try:
        db.session.execute(sa.text("SELECT 1"))
        return "ok"
    except SQLAlchemyError as error:
        db.session.rollback()
        return f"error: {type(error).__name__}"


def _redis():
    try:
        jobs.connection().ping()
        return "ok"
    except RedisError as error:
        return f"error: {type(error).__name__}"
