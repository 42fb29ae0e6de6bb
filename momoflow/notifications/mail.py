"""The ``mail`` drain (``momoflow.jobs``): send the emails the handler rendered.

An email is sent once however many drains run, side by side or one after another,
because it is claimed before it is sent: one UPDATE takes a batch of due emails
(``FOR UPDATE SKIP LOCKED``, so a second drain takes other rows), counts the attempt,
moves ``next_attempt_at`` a lease ahead, and commits. Only then does the drain talk to
the SMTP server, over one connection per batch, committing each email as sent the
moment the server accepts it. A drain that dies mid-batch leaves its unsent emails to
be claimed again once the lease is over (only one it died sending may go twice; its
Message-ID is the same both times). An email with decision links gets a fresh token
each time it is sent (``email_decisions.links.with_token``), committed with its outcome.

Failures are retried later (``RETRY_AFTER``, about a day in all, then the email is
given up: ``failed_at``): the whole rest of the batch when the server cannot be
reached, just the one email on a temporary refusal (4xx); a permanent refusal (5xx)
of an email gives it up at once.
"""

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import sqlalchemy as sa
from flask import current_app

from momoflow import jobs
from momoflow.database import utcnow
from momoflow.email_decisions import links as decision_links
from momoflow.extensions import db
from momoflow.notifications.models import Email

log = logging.getLogger(__name__)

BATCH = 20
LEASE = timedelta(minutes=15)  # longer than a batch can take (BATCH × SMTP_TIMEOUT, and then some)
# Wait after the 1st, 2nd, … failed attempt; after the last, give up (~22 hours after the first).
RETRY_AFTER = tuple(timedelta(minutes=minutes) for minutes in (1, 5, 15, 60, 180, 360, 720))
ERROR_LENGTH = 500  # Email.last_error


class Unreachable(Exception):
    """The SMTP server cannot be used now (down, refusing us, misconfigured): retry everything later."""


def drain(now=None):
    """Send every due email (``now``: tests choose the time)."""
    deadline = jobs.drain_started("mail")
    while True:
        moment = now or utcnow()
        batch = claim(moment)
        if not batch:
            return
        if not _send_batch(batch, moment) or len(batch) < BATCH:
            return
        if jobs.time_is_up(deadline):
            jobs.kick("mail")  # more to do: a fresh job carries on
            return


def claim(now):
    """Take up to BATCH due emails for this drain, and commit: ``[row]`` with what sending needs."""
    due = (sa.select(Email.id)
           .where(Email.sent_at.is_(None), Email.failed_at.is_(None), Email.next_attempt_at <= now)
           .order_by(Email.next_attempt_at, Email.id).limit(BATCH).with_for_update(skip_locked=True))
    rows = db.session.execute(
        sa.update(Email).where(Email.id.in_(due))
        .values(attempts=Email.attempts + 1, next_attempt_at=now + LEASE)
        .returning(Email.id, Email.to_address, Email.subject, Email.text_body, Email.html_body, Email.attempts)
        .execution_options(synchronize_session=False)).all()
    db.session.commit()
    return rows


def _send_batch(batch, now):
    """Send ``batch`` over one connection; False if the server could not be used (stop for now)."""
    config = current_app.config
    pending = list(batch)
    try:
        with _connect(config) as smtp:
            while pending:
                email = decision_links.with_token(pending[0])
                try:
                    smtp.send_message(build_message(email, config["MAIL_FROM"]))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                    _refused(email, error, now)  # this email's problem: the connection is fine
                except (smtplib.SMTPNotSupportedError, ValueError, UnicodeError) as error:
                    _give_up(email, error, now)  # it cannot be sent as it is (e.g. an address needing SMTPUTF8)
                else:
                    _update(email, sent_at=utcnow(), last_error=None)
                pending.pop(0)
                db.session.commit()
    except (Unreachable, smtplib.SMTPException, OSError) as error:
        # Down, disconnected, timed out, or refusing us as a sender: the rest waits.
        _retry(pending, _describe(error), now)
        return False
    return True


def _connect(config):
    """An SMTP connection as configured (SMTP_SECURITY none | starttls | ssl), signed in if
    SMTP_USERNAME is set. Any problem is Unreachable: it concerns every email alike."""
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    security = (config["SMTP_SECURITY"] or "none").lower()
    if security not in ("none", "starttls", "ssl"):
        raise Unreachable(f"SMTP_SECURITY must be none, starttls or ssl, not {security!r}")
    try:
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            if security == "starttls":
                smtp.starttls(context=tls_context())
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        except BaseException:
            smtp.close()
            raise
    except (smtplib.SMTPException, OSError) as error:
        raise Unreachable(f"cannot use {host}:{port}: {_describe(error)}") from error
    return smtp


def tls_context():
    """Certificates are verified against the system's trusted authorities."""
    return ssl.create_default_context()


def build_message(email, sender):
    """The email as sent: a text part and an HTML alternative. Its Message-ID is the
    email's id, so a receiving server can recognise a copy sent again after a crash."""
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = sender
    message["To"] = email.to_address
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{email.id}@{_domain(sender)}>"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies, please
    message.set_content(email.text_body)
    message.add_alternative(email.html_body, subtype="html")
    return message


# --- outcomes ----------------------------------------------------------------------------


def _refused(email, error, now):
    code = _smtp_code(error)
    if code is not None and code >= 500:
        _give_up(email, error, now)
    else:
        _retry([email], _describe(error), now)


def _give_up(email, error, now):
    log.warning("email %s to %s given up: %s", email.id, email.to_address, _describe(error))
    _update(email, failed_at=now, last_error=_describe(error))


def _retry(emails, reason, now):
    """Schedule another attempt of each (or give up on those out of attempts), and commit."""
    if not emails:
        return
    log.warning("could not send %d email(s), will retry: %s", len(emails), reason)
    retries = []
    for email in emails:
        if email.attempts > len(RETRY_AFTER):
            _update(email, failed_at=now, last_error=reason)
        else:
            when = now + RETRY_AFTER[email.attempts - 1]
            _update(email, next_attempt_at=when, last_error=reason)
            retries.append(when)
    db.session.commit()
    if retries:
        jobs.kick_at("mail", min(retries))  # with Redis; in-process, the tick's sweep finds them


def _update(email, **values):
    if "last_error" in values and values["last_error"]:
        values["last_error"] = values["last_error"][:ERROR_LENGTH]
    db.session.execute(sa.update(Email).where(Email.id == email.id).values(**values)
                       .execution_options(synchronize_session=False))


def _smtp_code(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return min(codes) if codes else None
    return getattr(error, "smtp_code", None)


def _describe(error):
    text = str(error) or error.__class__.__name__
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        text = f"{error.smtp_code} {message}"
    return f"{error.__class__.__name__}: {text}" if not isinstance(error, Unreachable) else text


def _domain(sender):
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "momoflow.local"
