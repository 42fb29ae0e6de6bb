"""Database time of the exact SQL the app emits, measured with EXPLAIN ANALYZE.

``captured_sql`` records every statement (with its parameters) that a block of app code
sends; ``explain`` replays one under ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`` and keeps
the server's own "Execution Time", so Python, the driver and the network are left out.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event

EXPLAIN_RUNS = 5  # the median of this many EXPLAIN ANALYZE runs, after one warm-up
BIG_TABLE_ROWS = 1_000  # a Seq Scan that reads more rows than this is worth reporting


@dataclass
class Explained:
    execution_ms: float
    planning_ms: float
    buffers: int  # shared blocks hit + read by the whole plan
    plan: dict = field(repr=False)

    @property
    def summary(self):
        return summarize(self.plan)


@contextmanager
def captured_sql(engine):
    """Yield a list that fills with (statement, parameters) for everything ``engine`` runs."""
    statements = []

    def record(connection, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def explain(connection, statement, parameters=None, runs=EXPLAIN_RUNS):
    """The median run of ``statement`` under EXPLAIN ANALYZE on ``connection``."""
    sql = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement
    connection.exec_driver_sql(sql, parameters or {})  # warm-up: caches and catalog
    results = []
    for _ in range(runs):
        (document,) = connection.exec_driver_sql(sql, parameters or {}).scalar_one()
        plan = document["Plan"]
        results.append(Explained(document["Execution Time"], document["Planning Time"],
                                 plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0), plan))
    return sorted(results, key=lambda result: result.execution_ms)[len(results) // 2]


def explain_all(connection, statements):
    """Every captured statement explained; returns (total execution ms, the slowest one, all)."""
    explained = [explain(connection, statement, parameters) for statement, parameters in statements]
    slowest = max(explained, key=lambda result: result.execution_ms)
    return sum(result.execution_ms for result in explained), slowest, explained


@contextmanager
def index_hidden(engine, *index_names):
    """A connection on which ``index_names`` do not exist; they are back once the block ends.

    DROP INDEX runs in a transaction that is always rolled back, so the planner on this
    connection sees the table without them while the database keeps them.
    """
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            for name in index_names:
                connection.exec_driver_sql(f"DROP INDEX {name}")
            yield connection
        finally:
            transaction.rollback()


def nodes(plan):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def max_rows(plan):
    """The most rows any node of the plan produced (loops included)."""
    return max(node["Actual Rows"] * node.get("Actual Loops", 1) for node in nodes(plan))


def summarize(plan):
    """A few words on what the plan did: the index it was driven by, big sequential scans, sorts.

    Index lookups repeated once per row of an outer loop (primary keys, the current level)
    are left out: they are the cheap part.
    """
    words = []
    for node in nodes(plan):
        kind, rows = node["Node Type"], node["Actual Rows"] * node.get("Actual Loops", 1)
        if node.get("Index Name"):
            if node.get("Actual Loops", 1) > 1 or node["Index Name"].startswith("pk_"):
                continue
            short = {"Bitmap Index Scan": "bitmap", "Index Only Scan": "index-only"}.get(kind, "index")
            words.append(f"{short} {node['Index Name']} ({rows} rows)")
        elif kind == "Seq Scan" and rows > BIG_TABLE_ROWS:
            words.append(f"SEQ SCAN {node['Relation Name']} ({rows} rows)")
        elif kind in ("Sort", "Incremental Sort"):
            child = node["Plans"][0]
            words.append(f"sort of {child['Actual Rows'] * child.get('Actual Loops', 1)} rows")
    return ", ".join(dict.fromkeys(words)) or "primary keys only"

