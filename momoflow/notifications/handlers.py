"""The outbox handler (``momoflow.outbox.HANDLERS``): events become in-app
notifications and emails.

For a batch of events: one query per event for its audience (with the actor's name
and everyone's email opt-out), then one INSERT of notifications and one of emails for
the whole batch. Both INSERTs skip rows that exist (unique on event and person), so
handling an event twice adds nothing; emails are rendered only for notifications this
run inserted. An email telling someone a decision is theirs offers Approve and Reject
buttons (``momoflow.email_decisions.links``). Sending is the ``mail`` drain's job,
after the commit.
"""

import uuid

import sqlalchemy as sa
from flask import current_app, render_template

from momoflow import jobs
from momoflow.accounts.models import User
from momoflow.database import built_per_dialect, dialect_insert, utcnow
from momoflow.email_decisions import links as decision_links
from momoflow.extensions import db
from momoflow.notifications import audience, messages
from momoflow.notifications.models import Email, EmailOptOut, Notification

_notifications = Notification.__table__
_emails = Email.__table__


def handle(events):
    composed = [item for event in events for item in _compose(event)]
    if not composed:
        return
    new = _insert_notifications(composed)
    wanted = [(event, user, message) for event, user, opted_out, message in composed
              if (event.id, user.id) in new and not opted_out]
    if not wanted:
        return
    tasks = decision_links.decision_tasks([(event, user) for event, user, _ in wanted])
    emails = [(_email_row(event, user, message, task), task)
              for event, user, message in wanted for task in [tasks.get((event.id, user.id))]]
    inserted = set(db.session.execute(_insert_emails(), [row for row, _ in emails]).scalars())
    if inserted:
        decision_links.add([(row, task) for row, task in emails if task is not None and row["id"] in inserted])
        jobs.kick_after_commit(db.session(), "mail")


def _compose(event):
    """``[(event, user, opted out of email, message)]`` for everyone who hears of ``event``."""
    conditions = audience.conditions(event)
    if not conditions:
        return []
    recipients, actor_name = _audience(event, conditions)
    composed = [(event, user, opted_out, messages.compose(event, user, actor_name))
                for user, opted_out in recipients]
    return [item for item in composed if item[3] is not None]


def _audience(event, conditions):
    """``([(user, opted out of email)], actor's name)`` in one query: the actor is loaded
    with the audience (for their name) and then set aside, never told of their own act."""
    opted_out = sa.exists().where(EmailOptOut.user_id == User.id, EmailOptOut.kind == event.type)
    wanted = sa.or_(*conditions, User.id == event.actor_id) if event.actor_id else sa.or_(*conditions)
    rows = db.session.execute(
        sa.select(User, opted_out).where(User.organization_id == event.organization_id, User.active, wanted)
        .order_by(User.email)).all()
    actor_name = next((user.display_name for user, _ in rows if user.id == event.actor_id), messages.SOMEONE)
    return [(user, bool(out)) for user, out in rows if user.id != event.actor_id], actor_name


def _insert_notifications(composed):
    """Insert what is missing; ``{(event id, user id)}`` of the notifications that are new."""
    rows = [{"id": uuid.uuid4(), "organization_id": event.organization_id, "user_id": user.id,
             "event_id": event.id, "kind": event.type, "title": message.title, "body": message.body,
             "link": message.link, "created_at": event.occurred_at or utcnow(), "read_at": None}
            for event, user, _, message in composed]
    return {(event_id, user_id) for event_id, user_id in db.session.execute(_insert_new_notifications(), rows)}


@built_per_dialect
def _insert_new_notifications():
    return (dialect_insert(_notifications).on_conflict_do_nothing(index_elements=["event_id", "user_id"])
            .returning(_notifications.c.event_id, _notifications.c.user_id))


@built_per_dialect
def _insert_emails():
    return (dialect_insert(_emails).on_conflict_do_nothing(index_elements=["event_id", "user_id"])
            .returning(_emails.c.id))


def _email_row(event, user, message, task=None):
    text, html = render_email(event, user, message, decision=task is not None)
    now = utcnow()
    return {"id": uuid.uuid4(), "user_id": user.id, "event_id": event.id, "to_address": user.email,
            "subject": message.title, "text_body": text, "html_body": html, "created_at": now, "attempts": 0,
            "next_attempt_at": now, "last_error": None, "sent_at": None, "failed_at": None}


def render_email(event, user, message, decision=False):
    """``(text, html)``: the event type's two templates, which extend the shared layouts.
    With ``decision`` the email offers Approve and Reject buttons (``email_decisions.links``)."""
    context = {"event": event, "payload": event.payload or {}, "recipient": user, "message": message,
               "url": messages.absolute_url(message.link),
               "decision": decision_links.button_urls() if decision else None,
               "decision_hours": current_app.config["EMAIL_DECISION_LINK_HOURS"],
               "preferences_url": messages.absolute_url(messages.path_for("settings.notifications")),
               "when": lambda value: messages.local_time(value, messages.zone_of(user))}
    return (render_template(f"emails/{event.type}.txt", **context),
            render_template(f"emails/{event.type}.html", **context))
