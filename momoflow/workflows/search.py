"""The request lists' search box (``q``): which requests a search text matches.

A request matches when its number or title holds the text, or the name or email of its
initiator or of someone holding one of its tasks does: any level, the level's current
round (``ApprovalLevel.tasks``), the person named (``on_behalf_of``) as well as their
stand-in; a task handed on (REASSIGNED) no longer counts.

How it stays fast (measured in ``bench/workflows``, the inbox search):
- the people whose name or email holds the text are found first, in a query of their
  own through the trigram indexes. Most searches (a title word, a number) match nobody,
  and then the condition is only ``request id IN (requests whose number or title holds
  it)``: a semi-join the planner runs either way round, walking the list in its own order
  and looking each row up (a common text fills a page after a few rows) or hashing the
  few requests the trigram indexes find (a rare one, which would otherwise walk a whole
  3,000-item inbox);
- when people match, each row of the list is also checked for them (its initiator, then
  its tasks through ``ix_approval_tasks_request``): a walk of the list, stopping once
  the page is full.
"""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from momoflow.accounts.models import User
from momoflow.extensions import db
from momoflow.search import contains, like_pattern
from momoflow.workflows.models import ApprovalLevel, ApprovalTask, TaskStatus, WorkflowRequest

MAX_PEOPLE = 200  # named one by one in the condition; more than this go as a subquery


def matcher(text):
    """``condition(request_id)``: the request ``request_id`` (a column) matches the search
    ``text``. Runs one query, for the people the text names (once, however many
    conditions are then built)."""
    pattern = like_pattern(text)
    people = _people(pattern)

    def condition(request_id):
        request = aliased(WorkflowRequest)
        by_text = request_id.in_(sa.select(request.id).where(contains(pattern, request.request_number, request.title)))
        if people is None:
            return by_text
        return sa.or_(by_text, _raised_by(request_id, people), _held_by(request_id, people))

    return condition


def _people(pattern):
    """The ids of the people the text names (None: nobody), or a subquery for them when
    there are many."""
    found = sa.select(User.id).where(contains(pattern, User.display_name, User.email))
    ids = db.session.scalars(found.limit(MAX_PEOPLE + 1)).all()
    return found if len(ids) > MAX_PEOPLE else (ids or None)


def _raised_by(request_id, people):
    request = aliased(WorkflowRequest)
    return sa.select(request.id).where(request.id == request_id, request.initiator_id.in_(people)).exists()


def _held_by(request_id, people):
    task, level = aliased(ApprovalTask), aliased(ApprovalLevel)
    return (sa.select(task.id).join(level, level.id == task.level_id)
            .where(task.request_id == request_id, task.round == level.round,
                   task.status != TaskStatus.REASSIGNED,
                   sa.or_(task.assignee_id.in_(people), task.on_behalf_of_id.in_(people)))
            .exists())
