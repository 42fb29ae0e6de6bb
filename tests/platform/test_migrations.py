"""The migrations build exactly the schema the models describe."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from momoflow.accounts.models import User
from momoflow.database import declared_for, utcnow
from momoflow.extensions import db
from tests.factories import make_org


def test_models_and_migrations_agree(app):
    # The session's schema was built by running every migration (conftest._reset_schema).
    with app.app_context(), db.engine.connect() as connection:
        # Indexes declared for one database only (trigram indexes: PostgreSQL) are compared there only.
        def declared_here(item, name, type_, reflected, compare_to):
            return declared_for(item if item is not None else compare_to, connection.dialect.name)

        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_object": declared_here})
        assert compare_metadata(context, db.metadata) == []


def test_email_must_be_stored_lowercase(app, db):
    """The CHECK constraint keeps the plain unique index case-insensitive."""
    org = make_org()
    row = {"id": uuid.uuid4(), "organization_id": org.id, "email": "Upper@Example.com", "display_name": "x",
           "role": "employee", "source": "local", "active": True, "created_at": utcnow(), "updated_at": utcnow()}
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(User.__table__.insert().values(row))
