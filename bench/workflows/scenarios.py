"""What the benchmark reads, for whom: each list at its first and a deep page, and a detail.

Deep cursors are taken 20 rows before the end of each list, so a deep page is the
worst case for keyset pagination (and for OFFSET, had we used it).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.workflows.config import ADMIN_EMAIL, HEAVY_EMAIL, TYPICAL_EMAIL
from momoflow.accounts.models import User
from momoflow.extensions import db
from momoflow.workflows.queries import DEFAULT_LIMIT, ListQuery, encode_cursor

PEOPLE = {"heavy": HEAVY_EMAIL, "typical": TYPICAL_EMAIL, "admin": ADMIN_EMAIL}

# The rows each list walks, in its own order, as (sort moment, id); :user is the reader.
# The inbox walks tasks: the ones a person holds and the ones escalated to them.
LIST_ORDER_SQL = {
    "approve": """SELECT due_at, id FROM approval_tasks
                  WHERE :user IN (assignee_id, escalated_to_id) AND status = 'PENDING' AND due_at IS NOT NULL
                  ORDER BY due_at, id""",
    "mine": """SELECT created_at, id FROM workflow_requests
               WHERE initiator_id = :user ORDER BY created_at DESC, id DESC""",
    "watching": """SELECT created_at, id FROM participants
                   WHERE user_id = :user AND participant_type = 'SPECTATOR' ORDER BY created_at DESC, id DESC""",
    "all": """SELECT created_at, id FROM workflow_requests
              WHERE organization_id = :org ORDER BY created_at DESC, id DESC""",
}
VIEW_NAMES = {"approve": "inbox", "mine": "mine", "watching": "watching", "all": "all"}
# The browser pages for each list (being built alongside; measured only if the route exists).
PAGE_PATHS = {"approve": "/inbox", "mine": "/requests", "watching": "/watching", "all": "/requests/all"}


@dataclass
class Case:
    label: str
    who: str
    query: ListQuery | None = None  # a list page, or
    request_id: object = None  # a request's detail
    expected_items: int | None = None  # what a correct list page holds

    @property
    def api_path(self):
        if self.query is None:
            return f"/api/v1/workflows/{self.request_id}"
        return "/api/v1/workflows?" + urlencode(self._arguments(view=self.query.view, limit=self.query.limit))

    @property
    def page_path(self):
        if self.query is None:
            return f"/requests/{self.request_id}"
        path = PAGE_PATHS.get(self.query.view)
        arguments = self._arguments()
        return path and (path + ("?" + urlencode(arguments) if arguments else ""))

    def _arguments(self, **arguments):
        if self.query.q:
            arguments["q"] = self.query.q
        if self.query.cursor:
            arguments["cursor"] = encode_cursor(self.query.cursor)
        return arguments


def load_people():
    people = {role: db.session.scalar(db.select(User).where(User.email == email)) for role, email in PEOPLE.items()}
    missing = [role for role, user in people.items() if user is None]
    if missing:
        raise SystemExit(f"no {', '.join(missing)} person in the database: run python -m bench.workflows.generate first")
    return people


def build_cases(people):
    cases = []
    for who, views in (("heavy", ("approve", "mine", "watching")), ("typical", ("approve", "mine", "watching")),
                       ("admin", ("all",))):
        for view in views:
            cases.extend(_list_cases(people[who], who, view))
        cases.append(_detail_case(people[who], who))
    cases.append(_widest_level_case(people["heavy"], "heavy"))
    cases.extend(inbox_search_cases(people["heavy"], "heavy"))
    return cases


# --- the inbox search (momoflow.workflows.search) ----------------------------------------

# What a correct search page holds, counted another way: every waiting task whose request
# matches (number, title, initiator, or a holder of a current-round task that was not handed on).
SEARCH_COUNT_SQL = """
SELECT count(*) FROM approval_tasks t JOIN workflow_requests r ON r.id = t.request_id
WHERE :user IN (t.assignee_id, t.escalated_to_id) AND t.status = 'PENDING' AND t.due_at IS NOT NULL
  AND (r.request_number ILIKE :p OR r.title ILIKE :p OR EXISTS (
    SELECT 1 FROM users u WHERE (u.display_name ILIKE :p OR u.email ILIKE :p) AND (u.id = r.initiator_id OR EXISTS (
      SELECT 1 FROM approval_tasks h JOIN approval_levels l ON l.id = h.level_id
      WHERE h.request_id = r.id AND h.round = l.round AND h.status <> 'REASSIGNED'
        AND u.id IN (h.assignee_id, h.on_behalf_of_id)))))
"""
FIRST_WAITING_SQL = """
SELECT r.request_number, i.display_name FROM approval_tasks t JOIN workflow_requests r ON r.id = t.request_id
JOIN users i ON i.id = r.initiator_id
WHERE t.assignee_id = :user AND t.status = 'PENDING' AND t.due_at IS NOT NULL ORDER BY t.due_at DESC LIMIT 1
"""


def inbox_search_cases(user, who):
    """The inbox searched for: a title word (many matches: the page fills early), the
    number of the request waiting longest (one match, the last row: the whole inbox is
    looked at), its initiator's name (people first, then their requests), and text that
    matches nothing."""
    number, initiator = db.session.execute(sa.text(FIRST_WAITING_SQL), {"user": user.id}).one()
    cases = []
    for label, text in (("title word", "laptop"), ("a number", number), ("a name", initiator),
                        ("no match", "no such words")):
        count = db.session.scalar(sa.text(SEARCH_COUNT_SQL), {"user": user.id, "p": f"%{text}%"})
        cases.append(Case(f"inbox search: {label}", who, ListQuery(view="approve", q=text),
                          expected_items=min(count, DEFAULT_LIMIT)))
    return cases


def _list_cases(user, who, view):
    order = db.session.execute(sa.text(LIST_ORDER_SQL[view]),
                               {"user": user.id, "org": user.organization_id}).all()
    name = VIEW_NAMES[view]
    cases = [Case(f"{name}, first page", who, ListQuery(view=view), expected_items=min(len(order), DEFAULT_LIMIT))]
    if len(order) > 5 * DEFAULT_LIMIT:
        deep = tuple(order[-DEFAULT_LIMIT - 1])  # the last DEFAULT_LIMIT rows come after it
        cases.append(Case(f"{name}, page at row {len(order) - DEFAULT_LIMIT:,}", who,
                          ListQuery(view=view, cursor=deep), expected_items=DEFAULT_LIMIT))
    return cases


def _detail_case(user, who):
    """The detail of the first request waiting on ``user`` (or the newest they raised)."""
    for view in ("approve", "mine", "all"):
        first = db.session.execute(sa.text(LIST_ORDER_SQL[view] + " LIMIT 1"),
                                   {"user": user.id, "org": user.organization_id}).first()
        if first:
            request_id = first[1]
            if view == "approve":
                request_id = db.session.scalar(sa.text("SELECT request_id FROM approval_tasks WHERE id = :id"),
                                               {"id": request_id})
            return Case("detail", who, request_id=request_id)
    raise SystemExit(f"{who} takes part in no request")


def _widest_level_case(user, who):
    """The detail of the request in which ``user`` shares a level with the most approvers."""
    request_id, approvers = db.session.execute(sa.text(WIDEST_LEVEL_SQL), {"user": user.id}).one()
    return Case(f"detail, level of {approvers}", who, request_id=request_id)


WIDEST_LEVEL_SQL = """
SELECT mine.request_id, count(*) FROM approval_tasks mine JOIN approval_tasks other ON other.level_id = mine.level_id
WHERE mine.assignee_id = :user GROUP BY mine.request_id, mine.level_id ORDER BY count(*) DESC, mine.request_id LIMIT 1
"""
