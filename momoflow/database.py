"""Model base, column types and engine tweaks shared by every feature's models."""

import functools
import sqlite3
from datetime import datetime, timezone

import sqlalchemy as sa
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


def dialect_insert(table):
    """An INSERT with ``on_conflict_do_*``, for the database the session is on (both of
    ours spell upserts the same way; SQLAlchemy keeps them in separate dialects)."""
    from momoflow.extensions import db

    dialect = db.session.get_bind().dialect.name
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](table)


def built_per_dialect(build):
    """Decorator for a statement that hot paths reuse: ``build()`` runs once per dialect
    (upserts are dialect-specific constructs), and executing one prebuilt statement with
    parameters skips building it and computing its cache key on every request."""
    statements = {}

    @functools.wraps(build)
    def statement():
        from momoflow.extensions import db

        dialect = db.session.get_bind().dialect.name
        if dialect not in statements:
            statements[dialect] = build()
        return statements[dialect]

    return statement


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
