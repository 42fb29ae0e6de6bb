"""What the workflow pages share: time and countdown wording, labels, toasts, the
inbox badge in the top bar. ``static/js/app.js`` words countdowns the same way."""

import logging

from flask import g, render_template
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.workflows import queries, rules
from momoflow.workflows.forms import FormState
from momoflow.workflows.models import LevelStatus, RequestStatus

log = logging.getLogger(__name__)

STATUS_LABELS = {
    RequestStatus.PENDING: "Pending",
    RequestStatus.APPROVED: "Approved",
    RequestStatus.REJECTED: "Rejected",
    RequestStatus.CANCELLED: "Withdrawn",
}
LEVEL_STATUS_LABELS = {
    LevelStatus.PENDING: "Waiting",
    LevelStatus.IN_PROGRESS: "Awaiting decision",
    LevelStatus.APPROVED: "Approved",
    LevelStatus.REJECTED: "Rejected",
    LevelStatus.SKIPPED: "Skipped",
}


def duration_text(seconds):
    """``12 days``, ``2d 5h``, ``5h 12m``, ``12m`` or ``less than a minute`` (app.js's
    ``durationText`` says the same as the page refreshes)."""
    minutes = int(abs(seconds) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days >= 7:  # a week or more: the hours are noise
        return f"{days} days"
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else "less than a minute"


def countdown(deadline, now=None):
    """``(text, overdue)`` for a deadline: ("due in 5h 12m", False), ("overdue by 2h 0m", True)."""
    seconds = (deadline - (now or utcnow())).total_seconds()
    if seconds < 0:
        return f"overdue by {duration_text(seconds)}", True
    return f"due in {duration_text(seconds)}", False


def moment_text(value):
    """Server-side wording of a time; the browser rewrites it in the reader's zone."""
    return value.strftime("%d %b %Y, %H:%M UTC").lstrip("0") if value else ""


def date_text(value):
    return value.strftime("%d %b %Y").lstrip("0") if value else ""


def file_size(size):
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def inbox_badge():
    """The top bar's inbox count ("" for none, "99+" past the cap); one query per page."""
    if "inbox_badge" not in g:
        g.inbox_badge = _badge_text(_inbox_count())
    return g.inbox_badge


def _inbox_count():
    if not current_user.is_authenticated:
        return 0
    try:
        return queries.inbox_count(current_user)
    except SQLAlchemyError:  # an error page after a failed transaction still renders
        log.warning("inbox count unavailable", exc_info=True)
        db.session.rollback()
        return 0


def _badge_text(count):
    if not count:
        return ""
    return f"{queries.INBOX_COUNT_CAP}+" if count > queries.INBOX_COUNT_CAP else str(count)


def toast(message, category="success"):
    """An out-of-band toast to append to any htmx response."""
    return render_template("_toast_oob.html", message=message, category=category)


def register_template_helpers(state):
    """Blueprint ``record_once`` hook: filters and globals every template may use."""
    app = state.app
    app.jinja_env.filters.update(moment=moment_text, date=date_text, file_size=file_size,
                                 hours=rules.tat_hours_json)
    app.jinja_env.globals.update(countdown=countdown, inbox_badge=inbox_badge, status_label=STATUS_LABELS.get,
                                 level_status_label=LEVEL_STATUS_LABELS.get, empty_form=FormState())
