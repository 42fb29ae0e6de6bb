"""How requests read on the pages: status labels and the top bar's inbox badge."""

import logging

from flask import g
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from momoflow.workflows import queries
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
    except SQLAlchemyError:  # an error page while the database is unreachable still renders
        log.warning("inbox count unavailable", exc_info=True)
        return 0


def _badge_text(count):
    if not count:
        return ""
    return f"{queries.INBOX_COUNT_CAP}+" if count > queries.INBOX_COUNT_CAP else str(count)
