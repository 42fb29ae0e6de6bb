"""Deciding many levels at once: the inbox's bulk bar and ``POST /api/v1/workflows/decisions``.

Each item goes through the same service as a single decision (``approve_level`` or
``reject_level``: same checks, same activity lines, same events) inside a SAVEPOINT of
its own, so an item that is refused is undone alone and never sinks the others; the
request still owns the one real commit. A dry run does the same work inside one more
SAVEPOINT around all items and then rolls that back: its outcomes are exactly what
the real run would give (items on one request see each other), and nothing stays,
not an activity line nor an event.

Items run in the order of their requests' ids (the rows they lock), so two bulk
decisions at once cannot deadlock; outcomes come back in the caller's order.
"""

from dataclasses import dataclass

from momoflow import fields
from momoflow.errors import Conflict, DomainError, NotFound
from momoflow.extensions import db
from momoflow.workflows.access import REQUEST_NOT_FOUND, load_access
from momoflow.workflows.deciding import approve_level, reject_level
from momoflow.workflows.models import RequestStatus, WorkflowRequest
from momoflow.workflows.refusals import REJECT_NEEDS_COMMENTS
from momoflow.workflows.validation import parse_comment

MAX_DECISIONS = 100
DECIDERS = {"approve": approve_level, "reject": reject_level}
APPLIED, SKIPPED, FAILED = "applied", "skipped", "failed"

DECISIONS_PROBLEM = f"decisions must be a list of 1 to {MAX_DECISIONS} decisions"
ACTION_PROBLEM = "must be approve or reject"


def repeated(path, first_index):
    return f"{path} repeats decisions.{first_index}: one decision per level"


@dataclass(frozen=True)
class Decision:
    """One parsed item; ``comments`` stays raw, for the decision service to judge."""

    request_id: object  # uuid.UUID
    level_id: object
    action: str
    comments: object = None


@dataclass
class Outcome:
    """What became of one item. ``status`` is the request's status afterwards (None when
    the caller cannot see the request); ``request`` and ``level`` (while the session
    lasts, for pages) are what the item found, else None."""

    decision: Decision
    outcome: str
    status: RequestStatus | None
    error: str | None = None
    request: WorkflowRequest | None = None
    level: object = None


# --- the body ------------------------------------------------------------------------


def parse_decisions(body):
    """``(decisions, dry_run)`` from the bulk body, or ValidationFailed naming every bad
    field (``decisions.3.action``). Shapes and types are checked here; what the decision
    services judge (comments' length, a rejection's comment, who may decide) is each
    item's own outcome."""
    problems = fields.Problems()
    dry_run = fields.flag(body.get("dryRun"), "dryRun", problems)
    items = body.get("decisions")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_DECISIONS:
        problems.add("decisions", DECISIONS_PROBLEM)
        problems.raise_if_any()
    decisions, first_seen = [], {}
    for index, item in enumerate(items):
        path = f"decisions.{index}"
        decision = _parse_item(item, path, problems)
        if decision is None:
            continue
        key = (decision.request_id, decision.level_id)
        if key in first_seen:
            problems.add(path, repeated(path, first_seen[key]))
            continue
        first_seen[key] = index
        decisions.append(decision)
    problems.raise_if_any()
    return decisions, dry_run


def _parse_item(item, path, problems):
    if not isinstance(item, dict):
        problems.add(path, f"{path} must be an object with requestId, levelId and action")
        return None
    before = len(problems)
    request_id = fields.identifier(item.get("requestId"), f"{path}.requestId", problems,
                                   f"{path}.requestId must be a request's id (a UUID)")
    level_id = fields.identifier(item.get("levelId"), f"{path}.levelId", problems,
                                 f"{path}.levelId must be a level's id (a UUID)")
    action = item.get("action")
    if not isinstance(action, str) or action not in DECIDERS:
        problems.add(f"{path}.action", f"{path}.action {ACTION_PROBLEM}")
    comments = item.get("comments")
    if comments is not None and not isinstance(comments, str):
        problems.add(f"{path}.comments", f"{path}.comments must be text")
    if len(problems) > before:
        return None
    return Decision(request_id, level_id, action, comments)


def parse_shared_comment(action, comments):
    """The one comment a page gives every selected item, checked once before any item
    runs, with the words the decision services use (a rejection needs one)."""
    return parse_comment(comments, required_message=REJECT_NEEDS_COMMENTS if action == "reject" else None)


# --- deciding --------------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside the dry run's SAVEPOINT to roll it back."""


def decide_many(actor, decisions, *, dry_run=False):
    """An Outcome per decision, in the given order; applied ones are flushed (the caller's
    transaction commits them), or with ``dry_run`` undone again."""
    order = sorted(range(len(decisions)), key=lambda index: str(decisions[index].request_id))
    outcomes = [None] * len(decisions)
    try:
        with db.session.begin_nested():
            for index in order:
                outcomes[index] = _decide_one(actor, decisions[index])
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return outcomes


def _decide_one(actor, decision):
    try:
        with db.session.begin_nested():
            level = DECIDERS[decision.action](actor, decision.request_id, decision.level_id, decision.comments)
    except DomainError as error:
        if error.status >= 500:
            raise
        request = _visible_request(actor, decision.request_id, error)
        return Outcome(decision, SKIPPED if isinstance(error, Conflict) else FAILED,
                       request.status if request else None, _reason(error), request)
    # One read by primary key: the session holds the service's copy only weakly, so it is gone.
    request = db.session.get(WorkflowRequest, level.request_id)
    return Outcome(decision, APPLIED, request.status, None, request, level)


def _reason(error):
    """The refusal's words; an item's fields need no path (``comments: …``) to be placed."""
    problems = getattr(error, "problems", None)
    return "; ".join(message for _, message in problems) if problems else error.message


def _visible_request(actor, request_id, error):
    """The request as the caller may see it after a refused item, or None."""
    if isinstance(error, NotFound) and error.message == REQUEST_NOT_FOUND:
        return None  # load_access's own answer for a request the caller cannot see
    try:
        return load_access(actor, request_id).request
    except NotFound:
        return None


def counts(outcomes):
    """``{applied: n, skipped: n, failed: n}``."""
    tally = {APPLIED: 0, SKIPPED: 0, FAILED: 0}
    for outcome in outcomes:
        tally[outcome.outcome] += 1
    return tally
