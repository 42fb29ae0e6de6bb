"""Model base, column types and engine tweaks shared by every feature's models."""

import functools
import sqlite3
from datetime import datetime, timezone

import sqlalchemy as sa
from psycopg.rows import namedtuple_row
from psycopg.types.json import Jsonb
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so migrations can drop and alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# JSON documents: JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def enum_column(cls):
    # Plain strings in the database with a CHECK constraint: readable and portable.
    return sa.Enum(cls, name=cls.__name__.lower(), native_enum=False, create_constraint=True,
                   values_callable=lambda members: [m.value for m in members], length=20)


def trigram_index(name, column):
    """A PostgreSQL trigram (pg_trgm) index on ``column``, for ``ILIKE '%words%'`` searches
    (``momoflow.search``). PostgreSQL only: SQLite has no such index and scans instead,
    so the migration creates it there alone and ``declared_for`` keeps the schema
    comparison from expecting it elsewhere."""
    return sa.Index(name, column, postgresql_using="gin",
                    postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql")


def declared_for(item, dialect_name):
    """False for a schema item declared for another database only (``ddl_if``): what
    Alembic's comparisons pass as ``include_object`` (it does not read ``ddl_if`` itself)."""
    condition = getattr(item, "_ddl_if", None)
    return condition is None or condition.dialect in (None, dialect_name)


def session_dialect():
    """``"postgresql"`` or ``"sqlite"``: the database the session is on."""
    from momoflow.extensions import db

    return db.session.get_bind().dialect.name


def seconds_between(start, end):
    """SQL for the seconds from ``start`` to ``end`` (two datetime columns or expressions), on
    the database the session is on: PostgreSQL subtracts timestamps, SQLite (which keeps
    them as text) subtracts Julian days."""
    if session_dialect() == "postgresql":
        return sa.func.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def dialect_insert(table):
    """An INSERT with ``on_conflict_do_*``, for the database the session is on (both of
    ours spell upserts the same way; SQLAlchemy keeps them in separate dialects)."""
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session_dialect()](table)


def built_per_dialect(build):
    """Decorator for a statement that hot paths reuse: ``build()`` runs once per dialect
    (upserts are dialect-specific constructs), and executing one prebuilt statement with
    parameters skips building it and computing its cache key on every request."""
    statements = {}

    @functools.wraps(build)
    def statement():
        dialect = session_dialect()
        if dialect not in statements:
            statements[dialect] = build()
        return statements[dialect]

    return statement


_lean_sql = {}  # statement -> its SQL for psycopg, compiled once per process


def execute_lean(statement, params):
    """Execute a prebuilt statement in the session's transaction, on PostgreSQL straight
    through psycopg; returns something with ``fetchone()`` (rows with attribute access).

    For the integrator API's hot path, where SQLAlchemy's own work around each statement
    (execution context, result processing: about 60 µs) costs as much as psycopg's
    round trip. The statement stays the one Core definition; only its execution is
    lean. On PostgreSQL, therefore:

    - rows hold the driver's values: an enum column gives its text (our enums are
      StrEnums, so comparisons hold; build the enum where its members are needed);
    - SQLAlchemy's events do not see the statement (``before_cursor_execute`` counters
      miss it) and its errors are psycopg's own;
    - dicts and lists in ``params`` go as JSONB (the only JSON type we use there);
    - the session is flushed first, as ``session.execute`` would, so pending objects
      are visible and keep their order.

    Elsewhere (SQLite) it is ``session.execute``.
    """
    from momoflow.extensions import db

    session = db.session
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return session.execute(statement, params)
    session.flush()
    sql = _lean_sql.get(statement)
    if sql is None:
        sql = _lean_sql[statement] = str(statement.compile(dialect=connection.dialect))
    cursor = connection.connection.driver_connection.cursor(row_factory=namedtuple_row)
    cursor.execute(sql, {name: Jsonb(value) if isinstance(value, (dict, list)) else value
                         for name, value in params.items()})
    return cursor


def utcnow():
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator):
    """An aware UTC datetime on every database (SQLite keeps no zone, so we add it back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use momoflow.database.utcnow()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    """Give SQLite foreign keys and real transactions.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; letting
    SQLAlchemy emit BEGIN itself (below) is the documented fix.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection):
    # IMMEDIATE takes the write lock up front: two transactions that read and then write
    # (numbering a request, deciding a level) queue on busy_timeout instead of one
    # failing with "database is locked" when it tries to upgrade its read lock.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
