"""The request owns its transaction.

Views and services change state and flush; none of them commits or rolls back. When
the answer is ready, ``finish_request`` commits it if it is a success (status below
400) and rolls it back otherwise, so a refused or failed request leaves nothing
behind. Side effects wait for the real commit (the outbox kicks after it). Jobs and
CLI commands own their transactions the same way, in their own modules.

Two things views need from the owner:

- ``refusals()``: a form that was refused is shown again on a clean slate, so its page
  never renders half of the refused change;
- ``keep_even_if_refused(write)``: bookkeeping a failed answer must not undo (an API
  key's last use), done at the end in whichever transaction survives.
"""

import contextlib
import logging

from flask import g, session

from momoflow.errors import DomainError
from momoflow.extensions import db

log = logging.getLogger(__name__)

INLINE_STATUSES = (400, 409, 422)  # refusals a form shows next to its fields; others get an error page


def register(app):
    # Registered after the background-work hook, so it runs first (Flask runs
    # after_request hooks last-registered first): work in-process sees the commit.
    app.after_request(finish_request)


def finish_request(response):
    """Commit a successful answer, roll back any other; ``keep_even_if_refused`` writes
    go into whichever transaction is committed."""
    kept = g.pop("kept_writes", [])
    if response.status_code >= 400:
        db.session.rollback()
        if not kept:
            return response
    for write in kept:
        write()
    try:
        db.session.commit()
    except Exception:
        if "_flashes" in session:  # the change did not happen, so neither did its toast
            session.pop("_flashes")
        raise
    return response


def keep_even_if_refused(write):
    """Run ``write()`` at the end of the request and commit it, whatever the answer."""
    g.setdefault("kept_writes", []).append(write)


def rollback_failed_request():
    """Undo the request's changes before an error page renders (its queries, such as the
    inbox badge, then run on a clean transaction rather than an aborted one)."""
    try:
        db.session.rollback()
    except Exception:  # a lost connection: the error page must still render
        log.warning("rollback before an error page failed", exc_info=True)


class Refusal:
    """What ``refusals()`` caught: ``error`` (a DomainError) or None."""

    error = None

    def __bool__(self):
        return self.error is not None

    @property
    def status(self):
        """409 for a conflict (someone else moved first), else 422 for the form's errors."""
        return 409 if self.error.status == 409 else 422


@contextlib.contextmanager
def refusals(also=()):
    """``with refusals() as refused:`` around a form's service call. A refusal a form
    shows inline is caught and its partial work undone; ``refused`` is then true and
    holds the error. Other errors (403, 404, 503) go on to the error pages, unless
    their status is in ``also`` (a form whose choices can be stale or unreachable)."""
    refused = Refusal()
    try:
        yield refused
    except DomainError as error:
        if error.status not in INLINE_STATUSES + tuple(also):
            raise
        db.session.rollback()
        refused.error = error
