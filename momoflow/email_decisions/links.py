"""Approve and Reject buttons in the emails that tell someone a decision is theirs now.

The notification handler asks ``decision_tasks`` which recipients hold an actionable
task in the event's level (one query per batch of events), renders their emails with
``button_urls()`` and, for each email it inserted, adds a ``DecisionLink`` (``add``).
The stored email carries ``PLACEHOLDER`` where the token goes; the mail drain calls
``with_token`` as it sends, which mints the token, keeps its hash and puts it in the
links. A copy sent again (after a failed attempt or a crash) gets a fresh token: only
the latest copy's links work.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from momoflow.database import utcnow
from momoflow.email_decisions.models import DecisionLink
from momoflow.extensions import db
from momoflow.workflows.models import ApprovalLevel, ApprovalTask, LevelStatus, RequestStatus, TaskStatus, WorkflowRequest

# Every email that can tell someone a task is theirs (now, or still: the reminders).
DECISION_KINDS = frozenset({"level.started", "level.tat_reminder", "level.tat_breached", "task.delegated",
                            "task.delegation_ended", "task.reassigned", "task.escalated", "approver.added"})
PLACEHOLDER = "DECISION-TOKEN"  # never a token: tokens are 43 characters
TOKEN_BYTES = 32  # 256 random bits


def digest(token):
    """What is stored of a token: its SHA-256 in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime():
    return timedelta(hours=current_app.config["EMAIL_DECISION_LINK_HOURS"])


def decision_tasks(pairs):
    """``{(event id, user id): task}`` for the ``(event, user)`` pairs whose email offers a
    decision: the person may act on an undecided task of the event's level right now
    (holding it, or through an escalation). One query for all of them."""
    levels = {_level_id(event) for event, _ in pairs if event.type in DECISION_KINDS} - {None}
    if not levels:
        return {}
    actionable = db.session.scalars(
        sa.select(ApprovalTask)
        .join(ApprovalLevel, ApprovalLevel.id == ApprovalTask.level_id)
        .join(WorkflowRequest, WorkflowRequest.id == ApprovalTask.request_id)
        .where(ApprovalTask.level_id.in_(levels), ApprovalTask.status == TaskStatus.PENDING,
               ApprovalLevel.status == LevelStatus.IN_PROGRESS, WorkflowRequest.status == RequestStatus.PENDING,
               ApprovalTask.round == WorkflowRequest.round)).all()
    holding = {(task.level_id, task.escalated_to_id): task for task in actionable if task.escalated_to_id}
    holding.update({(task.level_id, task.assignee_id): task for task in actionable})  # their own task first
    found = {}
    for event, user in pairs:
        task = holding.get((_level_id(event), user.id)) if event.type in DECISION_KINDS else None
        if task is not None:
            found[(event.id, user.id)] = task
    return found


def button_urls():
    """``{"approve": url, "reject": url}`` with the placeholder where the token goes."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return {decision: f"{base}/email-decisions/{PLACEHOLDER}/{decision}" for decision in ("approve", "reject")}


def add(emails):
    """A link row for each ``(email row, task)``; its token comes when the email is sent."""
    now = utcnow()
    rows = [{"id": uuid.uuid4(), "email_id": email["id"], "task_id": task.id, "user_id": email["user_id"],
             "round": task.round, "token_hash": None, "created_at": now, "expires_at": now + lifetime(),
             "used_at": None} for email, task in emails]
    if rows:
        db.session.execute(sa.insert(DecisionLink), rows)


def with_token(email):
    """``email`` as it goes out: a fresh token in its decision links (its hash stored, the
    72 hours counted from now) if it has any, else ``email`` itself. The caller commits."""
    if PLACEHOLDER not in email.text_body:
        return email
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    db.session.execute(sa.update(DecisionLink).where(DecisionLink.email_id == email.id)
                       .values(token_hash=digest(token), expires_at=now + lifetime())
                       .execution_options(synchronize_session=False))
    values = email._asdict()
    values.update(text_body=email.text_body.replace(PLACEHOLDER, token),
                  html_body=email.html_body.replace(PLACEHOLDER, token))
    return SimpleNamespace(**values)


def _level_id(event):
    try:
        return uuid.UUID(str((event.payload or {}).get("levelId")))
    except ValueError:
        return None
