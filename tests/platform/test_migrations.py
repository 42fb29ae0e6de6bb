"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from momoflow.extensions import db


def test_models_and_migrations_agree(app):
    # The session's schema was built by running every migration (conftest._reset_schema).
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_email_must_be_stored_lowercase(app, db):
    import pytest
    import sqlalchemy as sa

    from tests.factories import make_org

    org = make_org()
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            db.session.execute(sa.text(
                "INSERT INTO users (id, organization_id, email, display_name, role, source, active, created_at, "
                "updated_at) VALUES (:id, :org, 'Upper@Example.com', 'x', 'employee', 'local', true, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"id": "00000000-0000-0000-0000-000000000001" if db.engine.dialect.name == "postgresql"
                 else "00000000000000000000000000000001", "org": org.id.hex if db.engine.dialect.name == "sqlite"
                 else str(org.id)})
