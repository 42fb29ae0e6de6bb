"""Bulk loading the way pg_restore does: rows first, then indexes and keys.

Keys and indexes are read from the catalog, dropped, and re-created from their own
definitions after the COPY, all in one transaction: the schema ends exactly as the
migrations built it, and PostgreSQL itself re-checks every primary, unique and
foreign key over the loaded rows (check constraints stay in place throughout).
"""

import time
from collections import Counter

# Keys (primary, unique, exclusion, foreign) of every table but Alembic's.
CONSTRAINTS_SQL = """
SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
WHERE t.relnamespace = 'public'::regnamespace AND t.relname <> 'alembic_version'
  AND c.contype IN ('p', 'u', 'x', 'f')
ORDER BY c.conrelid::regclass::text, c.conname
"""

# Indexes that no key owns (the plain and partial ones the models declare).
INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = 'public'::regnamespace AND t.relname <> 'alembic_version'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
ORDER BY 1
"""


def reload_tables(connection, tables):
    """Replace every row with ``tables``' rows in one transaction; returns phase timings."""
    started = time.perf_counter()
    constraints = connection.execute(CONSTRAINTS_SQL).fetchall()
    indexes = connection.execute(INDEXES_SQL).fetchall()
    foreign = [row for row in constraints if row[2] == "f"]
    keys = [row for row in constraints if row[2] != "f"]
    for table, name, _, _ in foreign + keys:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        connection.execute(f"DROP INDEX {name}")
    _truncate(connection)
    tables.copy_into(connection)
    copied = time.perf_counter()
    for table, name, _, definition in keys:
        connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, definition in indexes:
        connection.execute(definition)
    indexed = time.perf_counter()
    for table, name, _, definition in foreign:
        connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    connection.commit()
    finished = time.perf_counter()
    return {"copy": copied - started, "keys and indexes": indexed - copied, "foreign keys": finished - indexed,
            "constraints": len(constraints), "indexes": len(indexes)}


def _truncate(connection):
    names = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                               "AND tablename <> 'alembic_version' ORDER BY 1").fetchall()
    connection.execute("TRUNCATE " + ", ".join(name for (name,) in names))


def vacuum_analyze(dsn):
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


def generate(url, seed, build, columns):
    """Fill the benchmark database at ``url`` afresh: migrate it, let ``build(tables, rng)``
    add the rows (``columns``: each table's), load them, VACUUM ANALYZE, and print what
    was loaded and how long each phase took."""
    import random

    import psycopg

    from bench.common.config import ensure_database, libpq_dsn, make_app, migrate
    from bench.common.rows import Tables

    ensure_database(url)
    migrate(make_app(url))
    started = time.perf_counter()
    rng = random.Random(seed)
    tables = Tables(rng, columns)
    build(tables, rng)
    built = time.perf_counter() - started
    dsn = libpq_dsn(url)
    with psycopg.connect(dsn) as connection:
        phases = reload_tables(connection, tables)
    phases["vacuum analyze"] = vacuum_analyze(dsn)
    _report(tables, built, phases, columns)


def _report(tables, built, phases, table_names):
    total = sum(tables.counts.values())
    counts = Counter(tables.counts)
    for name in table_names:
        print(f"{name:<26}{counts[name]:>10,} rows")
    print(f"{'total':<26}{total:>10,} rows")
    rebuilt = phases["keys and indexes"] + phases["foreign keys"]
    print(f"built in Python {built:.1f} s; COPY {phases['copy']:.1f} s ({total / phases['copy']:,.0f} rows/s); "
          f"{phases['constraints']} keys and {phases['indexes']} indexes rebuilt and checked {rebuilt:.1f} s")
    print(f"loaded end to end in {built + phases['copy'] + rebuilt:.1f} s "
          f"({total / (built + phases['copy'] + rebuilt):,.0f} rows/s); then VACUUM ANALYZE "
          f"{phases['vacuum analyze']:.1f} s")
