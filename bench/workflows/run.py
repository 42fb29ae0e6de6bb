"""The workflow read side at scale: inbox, lists and detail, in the database and end to end.

Run ``python -m bench.workflows`` after ``python -m bench.workflows.generate``. It prints
1. database time (EXPLAIN ANALYZE) of the exact SQL ``queries`` emits for each case, next
   to ``SELECT 1`` and to the same inbox SQL with its partial index hidden;
2. ``inbox_count`` checked to stop counting at its cap;
3. whole requests through the Flask test client, JSON and pages, next to a bare route.
It exits 1 if a list page holds the wrong number of items or inbox_count counts past its
cap: timings of a wrong answer mean nothing.
Numbers depend on the machine: compare the ratios, not the milliseconds.
"""

import sys
from dataclasses import dataclass

import sqlalchemy as sa

from bench.workflows import fullstack
from bench.common.config import database_url, make_app
from bench.workflows.explain import captured_sql, explain, explain_all, index_hidden, max_rows
from bench.workflows.scenarios import build_cases, load_people
from momoflow.accounts.models import User
from momoflow.auth.services import start_session
from momoflow.auth.tokens import issue_token
from momoflow.extensions import db
from momoflow.workflows import queries

# The inbox's partial indexes, hidden for its baseline (ix_approval_tasks_undecided stays).
INBOX_INDEXES = ("ix_approval_tasks_inbox", "ix_approval_tasks_escalated_inbox")
DB_TARGET_MS = 1.0  # every list page, any depth, any approver
SEARCH_TARGET_MS = 5.0  # the inbox searched, for the approver with 3,000 waiting
PAGE_TARGET_MS = 30.0  # p50 of a whole page


@dataclass
class DbRow:
    label: str
    who: str
    statements: int
    ms: float  # execution, summed over the statements
    planning_ms: float
    buffers: int
    plan: str
    items: int | None = None  # what the app returned, for a list page
    expected_items: int | None = None
    each_ms: tuple = ()  # execution per statement, in the order the app sent them

    @property
    def wrong(self):
        return self.items != self.expected_items


def main():
    sys.stdout.reconfigure(line_buffering=True)  # progress shows through a pipe too
    app = make_app(database_url())
    fullstack.add_bare_route(app)
    with app.app_context():
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        people = load_people()
        cases = build_cases(people)
        user_ids = {who: user.id for who, user in people.items()}
        tokens = {who: issue_token(user) for who, user in people.items()}
        login_ids = _sign_in(people)
        calls = [_app_call(case, user_ids[case.who]) for case in cases]
        db_rows, comparisons = _database_rows(cases, calls)
        _print_database(db_rows, comparisons)
        _print_search(db_rows)
        count_ok = _check_inbox_count(user_ids)
        engine = db.engine
    timings, missing_pages = fullstack.measure(app, engine, cases, login_ids, tokens)
    _print_fullstack(timings, missing_pages)
    wrong = [row for row in db_rows if row.wrong]
    for row in wrong:
        print(f"WRONG: {row.who} {row.label} returned {row.items} items where the data holds {row.expected_items}")
    if wrong or not count_ok:
        sys.exit(1)


def _sign_in(people):
    """A recorded page sign-in per person (pages refuse a session without one)."""
    for user in people.values():
        start_session(user)
    login_ids = {who: user.get_id() for who, user in people.items()}
    db.session.commit()
    return login_ids


def _app_call(case, user_id):
    """(the SQL one app call sends, items it returned), read with an empty session."""
    db.session.rollback()
    db.session.expunge_all()
    user = db.session.get(User, user_id)
    with captured_sql(db.engine) as statements:
        if case.query:
            items = len(queries.list_requests(user, case.query).items)
        else:
            queries.request_detail(user, case.request_id)
            items = None
    db.session.rollback()  # no lock may outlive the capture: the baseline drops an index
    return statements, items


def _database_rows(cases, calls):
    rows, comparisons = [], []
    with db.engine.connect() as connection:
        floor = explain(connection, "SELECT 1")
        rows.append(DbRow("SELECT 1 (baseline)", "-", 1, floor.execution_ms, floor.planning_ms, floor.buffers, "-"))
        for case, (captured, items) in zip(cases, calls):
            rows.append(_row(connection, case.label, case.who, captured, items, case.expected_items))
        connection.rollback()
    for case, (captured, items) in zip(cases, calls):
        if case.query and case.query.view == "approve":
            comparisons.append(_inbox_comparison(case, captured, rows))
    return rows, comparisons


def _row(connection, label, who, captured, items=None, expected_items=None):
    total, slowest, explained = explain_all(connection, captured)
    return DbRow(label, who, len(captured), total, sum(result.planning_ms for result in explained),
                 sum(result.buffers for result in explained), slowest.summary, items, expected_items,
                 tuple(result.execution_ms for result in explained))


def _inbox_comparison(case, captured, rows):
    """Rows for the inbox as shipped and with its partial indexes hidden (the baseline)."""
    shipped = next(row for row in rows if row.label == case.label and row.who == case.who)
    with index_hidden(db.engine, *INBOX_INDEXES) as connection:
        hidden = _row(connection, case.label + " [inbox indexes hidden]", case.who, captured)
    return shipped, hidden


def _check_inbox_count(user_ids):
    """inbox_count must stop at its cap: both its answer and the rows its plan reads."""
    cap, ok = queries.INBOX_COUNT_CAP + 1, True
    print("\ninbox_count (never an exact count):")
    for who in ("heavy", "typical"):
        user = db.session.get(User, user_ids[who])
        waiting = db.session.scalar(sa.text("SELECT count(*) FROM approval_tasks WHERE :id IN "
                                            "(assignee_id, escalated_to_id) AND status = 'PENDING' "
                                            "AND due_at IS NOT NULL"), {"id": user.id})
        with captured_sql(db.engine) as captured:
            answer = queries.inbox_count(user)
        with db.engine.connect() as connection:
            read = max(max_rows(explain(connection, *entry).plan) for entry in captured)
        good = answer == min(waiting, cap) and read <= cap
        ok = ok and good
        print(f"  {who:<8} {waiting:>6,} waiting -> inbox_count = {answer:>4}, plan reads at most "
              f"{read:>4} rows (cap {cap}): {'OK' if good else 'FAIL: counts past its cap'}")
    db.session.rollback()
    return ok


# --- printing ------------------------------------------------------------------------


def _print_database(rows, comparisons):
    floor = rows[0].ms
    print(f"\nDatabase time: EXPLAIN (ANALYZE, BUFFERS) of the SQL the app sends, median of 5 "
          f"(target: each list page < {DB_TARGET_MS:g} ms)")
    print(f"{'case':<28}{'who':<8}{'items':>6}{'stmts':>6}{'db ms':>8}{'x SELECT 1':>11}{'plan ms':>8}"
          f"{'buffers':>8}  {'<1ms':<5}plan")
    for row in rows:
        listed = row.expected_items is not None and not row.label.startswith("inbox search")  # own target below
        target = ("yes" if row.ms < DB_TARGET_MS else "NO") if listed else ""
        items = "" if row.items is None else f"{row.items}" + ("!" if row.wrong else "")
        print(f"{row.label:<28}{row.who:<8}{items:>6}{row.statements:>6}{row.ms:>8.3f}{row.ms / floor:>11,.0f}"
              f"{row.planning_ms:>8.3f}{row.buffers:>8,}  {target:<5}{row.plan}")
    print("items: what the app returned (! = not what the data holds); db ms: execution; plan ms: planning")
    print("\nInbox as shipped (partial indexes), with them hidden (" + " and ".join(INBOX_INDEXES) +
          " dropped in a rolled-back transaction; ix_approval_tasks_undecided stays)")
    print(f"{'case':<28}{'who':<8}{'shipped ms':>11}{'hidden ms':>12}{'slower':>8}  shipped, per statement")
    for shipped, hidden in comparisons:
        each = " + ".join(f"{ms:.3f}" for ms in shipped.each_ms)
        print(f"{shipped.label:<28}{shipped.who:<8}{shipped.ms:>11.3f}{hidden.ms:>12.3f}"
              f"{hidden.ms / shipped.ms:>7.1f}x  {each} (the page, then its levels' tasks)")
        print(f"    hidden plan: {hidden.plan}")


def _print_search(rows):
    """The inbox searches next to the plain inbox of the same run (both: every statement)."""
    plain = next(row for row in rows if row.who == "heavy" and row.label == "inbox, first page")
    searches = [row for row in rows if row.label.startswith("inbox search")]
    print(f"\nInbox search (heavy approver, 3,000 waiting) next to the plain inbox, same run "
          f"(target: < {SEARCH_TARGET_MS:g} ms database time)")
    print(f"{'case':<34}{'items':>6}{'stmts':>6}{'db ms':>8}{'x inbox':>9}  {'<5ms':<5}per statement")
    for row in [plain, *searches]:
        each = " + ".join(f"{ms:.3f}" for ms in row.each_ms)
        target = "" if row is plain else ("yes" if row.ms < SEARCH_TARGET_MS else "NO")
        print(f"{row.label:<34}{row.items:>6}{row.statements:>6}{row.ms:>8.3f}{row.ms / plain.ms:>9.1f}  "
              f"{target:<5}{each}")
    print("a search's statements: the people the text names, the page, its levels' tasks")


def _print_fullstack(timings, missing_pages):
    print(f"\nWhole requests through the Flask test client: {fullstack.RUNS} runs after {fullstack.WARMUP} "
          f"warm-up (target: page p50 < {PAGE_TARGET_MS:g} ms)")
    print(f"{'case':<34}{'who':<8}{'p50 ms':>8}{'p95 ms':>8}{'x bare':>8}{'stmts':>6}{'sql ms':>8}  status <30ms")
    for timing in timings:
        target = ("yes" if timing.p50 < PAGE_TARGET_MS else "NO") if timing.label.startswith("page") else ""
        print(f"{timing.label:<34}{timing.who:<8}{timing.p50:>8.2f}{timing.p95:>8.2f}{timing.times_bare:>8.1f}"
              f"{timing.statements:>6}{timing.sql_ms:>8.2f}  {timing.status:<6} {target}")
    print("x bare: p50 over the p50 of a block of bare-route requests timed just before; stmts: SQL statements "
          "per request; sql ms: median time per request inside cursor.execute")
    counted = [text for timing in timings for text in timing.exact_counts]
    print(f"count() without LIMIT on these paths: {len(counted)}" + (f": {counted[0][:120]}" if counted else ""))
    if missing_pages:
        print("pages not measured, the routes do not exist yet: " + ", ".join(missing_pages))


if __name__ == "__main__":
    main()
