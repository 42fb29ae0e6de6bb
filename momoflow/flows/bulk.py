"""Changing several assignments at once from the overview: cancel, re-date or remind the
ticked rows, with one reason or one new date for all of them.

Each row goes through the service its own button on the assignment's page calls (the
same checks, history line and event) inside a SAVEPOINT of its own, so a row that is
refused (closed meanwhile, reminded too recently, not one this person may change) is
undone alone and the others stand; the request still owns the one real commit. The
shared value is checked once, first: a missing reason or a past date refuses the whole
request, naming its field. Rows run in the order of their ids (the rows they lock), so
two bulk changes at once cannot deadlock; outcomes come back in the order posted.
"""

from dataclasses import dataclass

from momoflow import fields
from momoflow.database import utcnow
from momoflow.errors import DomainError, ValidationFailed
from momoflow.extensions import db
from momoflow.flows import managing, rules, services
from momoflow.flows.validation import parse_cancel_reason, parse_new_due_date

CANCEL, REDATE, REMIND = "cancel", "redate", "remind"
DONE, REFUSED = "done", "refused"
MAX_POSTED = rules.MAX_BULK_CHANGES + 1  # a form posting more is refused, not cut short
ACTION_PROBLEM = "Choose what to do with the selected assignments (cancel, redate or remind)"
NONE_SELECTED = "Tick at least one assignment first"
TOO_MANY = f"Change at most {rules.MAX_BULK_CHANGES} assignments at a time"
IDS_PROBLEM = f"assignmentIds must list 1 to {rules.MAX_BULK_CHANGES} assignment ids"


@dataclass(frozen=True)
class Change:
    """What became of one ticked row: DONE, or REFUSED and why."""

    assignment_id: str
    outcome: str
    reason: str | None = None


def change_many(assigner, action, assignment_ids, *, reason=None, due_date=None, ids_path="selected"):
    """A Change per distinct id, in the order given; done ones are flushed (the caller's
    transaction commits them). ValidationFailed (paths action, ``ids_path``, reason,
    dueDate) when the request as a whole cannot go ahead."""
    ids = list(dict.fromkeys(assignment_ids))
    _check(action, ids, reason, due_date, ids_path)
    change = {CANCEL: lambda ident: services.cancel_assignment(assigner, ident, reason),
              REDATE: lambda ident: managing.change_due_date(assigner, ident, due_date),
              REMIND: lambda ident: managing.remind_assignment(assigner, ident)}[action]
    outcomes = {ident: _change_one(change, ident) for ident in sorted(ids)}
    return [outcomes[ident] for ident in ids]


def _check(action, ids, reason, due_date, ids_path):
    problems = fields.Problems()
    if action not in (CANCEL, REDATE, REMIND):
        problems.add("action", ACTION_PROBLEM)
    if not ids:
        problems.add(ids_path, NONE_SELECTED)
    elif len(ids) > rules.MAX_BULK_CHANGES:
        problems.add(ids_path, TOO_MANY)
    if action == CANCEL:
        problems.collect(parse_cancel_reason, reason, required=True)
    if action == REDATE:
        problems.collect(parse_new_due_date, due_date, utcnow())
    problems.raise_if_any()


def _change_one(change, assignment_id):
    try:
        with db.session.begin_nested():
            change(assignment_id)
    except DomainError as error:
        if error.status >= 500:
            raise
        return Change(assignment_id, REFUSED, _in_words(error))
    return Change(assignment_id, DONE)


def _in_words(error):
    """A refusal's words; a row needs no field path (``dueDate: …``) to be placed."""
    if isinstance(error, ValidationFailed):
        return "; ".join(message for _, message in error.problems)
    return error.message


def parse_ids(value):
    """The API's ``assignmentIds``: a list of texts (other JSON is refused by name);
    ``change_many`` counts the distinct ones."""
    if not isinstance(value, list) or not value:
        raise ValidationFailed([("assignmentIds", IDS_PROBLEM)])
    if len(value) > MAX_POSTED:
        raise ValidationFailed([("assignmentIds", TOO_MANY)])
    wrong = [index for index, ident in enumerate(value) if not isinstance(ident, str)]
    if wrong:
        raise ValidationFailed([(f"assignmentIds.{index}", IDS_PROBLEM) for index in wrong[:10]])
    return value


def change_json(change):
    """One Change as the API lists it."""
    if change.outcome == DONE:
        return {"assignmentId": change.assignment_id, "success": True}
    return {"assignmentId": change.assignment_id, "success": False, "message": change.reason}


def counts(changes):
    """``{done: n, refused: n}``."""
    return {kind: sum(1 for change in changes if change.outcome == kind) for kind in (DONE, REFUSED)}
