"""The issue's "naive stack": assign written the plain way, served by the same gunicorn command.

``gunicorn bench.assign.naive_app:app``. The issue sets the target against it ("≥ 0.18 of the
bare endpoint, about twice the naive stack"), describing it as a plain Flask +
Flask-SQLAlchemy ORM endpoint doing what assign does: key lookup, two selects, insert,
commit, one RQ enqueue, Flask-Limiter on Redis. That is what this is, on MomoFlow's own
models and the benchmark's database, so it is measured in the same run as the real
endpoint and the bare one. No idempotency, no event, no validation beyond a missing row.
"""

import hashlib
import os
from datetime import datetime

from flask import Flask, abort, request
from flask_limiter import Limiter
from flask_sqlalchemy import SQLAlchemy
from redis import Redis
from rq import Queue

from momoflow.accounts.models import User
from momoflow.apikeys.models import ApiKey
from momoflow.flows.models import Assignment, Flow
from momoflow.publicids import public_id

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db = SQLAlchemy(app)  # a session of its own, over MomoFlow's model classes


def _authorization():
    return hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()


limiter = Limiter(_authorization, app=app, storage_uri=os.environ["REDIS_URL"])
queue = Queue("bench-naive", connection=Redis.from_url(os.environ["REDIS_URL"]))


@app.post("/naive")
@limiter.limit(os.environ.get("API_RATE_LIMIT_ENTERPRISE", "1000 per minute"))
def assign():
    secret = request.headers.get("Authorization", "").removeprefix("Bearer ")
    api_key = db.session.scalar(db.select(ApiKey).where(ApiKey.key_hash == hashlib.sha256(secret.encode()).hexdigest(),
                                                        ApiKey.revoked_at.is_(None)))
    if api_key is None:
        abort(401)
    body = request.get_json()
    flow = db.session.scalar(db.select(Flow).where(Flow.public_id == body["flowId"],
                                                   Flow.organization_id == api_key.organization_id))
    user = db.session.scalar(db.select(User).where(User.email == body["userEmail"]))
    if flow is None or user is None:
        abort(404)
    assignment = Assignment(public_id=public_id("asgn"), organization_id=api_key.organization_id, flow=flow,
                            user=user, due_date=datetime.fromisoformat(body["dueDate"]), priority=body.get("priority", "medium"), notes=body.get("notes"),
                            assigned_by_api_key_id=api_key.id)
    db.session.add(assignment)
    db.session.commit()
    queue.enqueue("bench.assign.naive_app.announce", assignment.public_id)
    return {"success": True, "assignmentId": assignment.public_id, "message": "Flow assigned successfully",
            "details": {"assignedAt": assignment.assigned_at.isoformat(), "assigneeEmail": user.email,
                        "flowName": flow.name, "moduleCount": flow.module_count}}, 200


def announce(assignment_id):
    """The enqueued job; nothing runs it during the benchmark."""
