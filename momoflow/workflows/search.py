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
- when people match, a row of the list is checked for them only if they take part in its
  request at all (``participants``, read index-only through ``ix_participants_user_request``
  and hashed once): every holder of a task is a participant, so this loses nothing, and the
  exact checks (its initiator, its current tasks) run for those few rows alone. A walk of
  the list, stopping once the page is full. (Checked on every row, a name that matches
  ~100 people cost 9 ms on the heavy approver's 3,000 waiting; prefiltered, 2.4 ms.)
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from momoflow.accounts.models import User
from momoflow.database import session_dialect
from momoflow.extensions import db
from momoflow.search import contains, like_pattern
from momoflow.workflows.models import ApprovalLevel, ApprovalTask, Participant, TaskStatus, WorkflowRequest

MAX_PEOPLE = 200  # named one by one in the condition; more than this go as a subquery


def matcher(text):
    """``condition(request_id)``: the request ``request_id`` (a column) matches the search
    ``text``. Runs one query, for the people the text names (once, however many
    conditions are then built)."""
    pattern = like_pattern(text)
    _plan_for_these_values()
    people = _people(pattern)

    def condition(request_id):
        request = aliased(WorkflowRequest)
        by_text = request_id.in_(sa.select(request.id).where(contains(pattern, request.request_number, request.title)))
        if people is None:
            return by_text
        exact = sa.or_(_raised_by(request_id, people), _held_by(request_id, people))
        if not isinstance(people, list):  # so many people that most requests involve one
            return sa.or_(by_text, exact)
        return sa.or_(by_text, sa.and_(request_id.in_(_taking_part(people)), exact))

    return condition


def _plan_for_these_values():
    """A search's best plan depends on its text (a rare word: hash the few matches; a
    common one: walk the list) and on how many people it names. A cached generic plan,
    which psycopg's server-side prepared statements lead to after a few runs, knows
    neither: on PostgreSQL, plan this transaction's statements for their values."""
    if session_dialect() == "postgresql":
        db.session.execute(sa.select(sa.func.set_config("plan_cache_mode", "force_custom_plan", True)))


def _people(pattern):
    """The ids of the people the text names (None: nobody), or a subquery for them when
    there are many."""
    found = sa.select(User.id).where(contains(pattern, User.display_name, User.email))
    ids = db.session.scalars(found.limit(MAX_PEOPLE + 1)).all()
    return found if len(ids) > MAX_PEOPLE else (ids or None)


def _among(column, people):
    """``column`` is one of ``people`` (ids, or a subquery). On PostgreSQL ids go as one
    array parameter (``= ANY``): bound and planned once, not as ~100 parameters, four times."""
    if isinstance(people, list) and session_dialect() == "postgresql":
        return column == sa.any_(sa.literal(people, postgresql.ARRAY(sa.Uuid)))
    return column.in_(people)


def _taking_part(people):
    return sa.select(Participant.request_id).where(_among(Participant.user_id, people))


def _raised_by(request_id, people):
    request = aliased(WorkflowRequest)
    return sa.select(request.id).where(request.id == request_id, _among(request.initiator_id, people)).exists()


def _held_by(request_id, people):
    task, level = aliased(ApprovalTask), aliased(ApprovalLevel)
    return (sa.select(task.id).join(level, level.id == task.level_id)
            .where(task.request_id == request_id, task.round == level.round,
                   task.status != TaskStatus.REASSIGNED,
                   sa.or_(_among(task.assignee_id, people), _among(task.on_behalf_of_id, people)))
            .exists())
