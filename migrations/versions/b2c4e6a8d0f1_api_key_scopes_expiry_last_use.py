"""api_keys: scopes, an optional expiry, and the address of the last use

Revision ID: b2c4e6a8d0f1
Revises: f1b3d5e7a9c1
Create Date: 2026-12-05 10:00:00.000000

Keys made before scopes existed could do everything the integrator API offers; they keep
every scope, so no integration stops working on upgrade. Going back, a key whose limits the
old schema cannot hold (fewer scopes, or an expiry) is revoked rather than widened.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b2c4e6a8d0f1'
down_revision = 'f1b3d5e7a9c1'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
# Every scope there was when this revision was written (not the model's list, which may grow).
SCOPES_BEFORE = ["flows:assign", "flows:read", "reports:read", "schedules:write"]


def upgrade():
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', JSON, nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_from', sa.String(length=45), nullable=True))
    keys = sa.table('api_keys', sa.column('scopes', JSON))
    op.execute(keys.update().values(scopes=SCOPES_BEFORE))
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.alter_column('scopes', existing_type=JSON, nullable=False)


def downgrade():
    keys = sa.table('api_keys', sa.column('id', sa.Uuid()), sa.column('scopes', JSON),
                    sa.column('expires_at', sa.DateTime(timezone=True)),
                    sa.column('revoked_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    limited = [row.id for row in connection.execute(
        sa.select(keys.c.id, keys.c.scopes, keys.c.expires_at).where(keys.c.revoked_at.is_(None)))
        if row.expires_at is not None or sorted(row.scopes) != SCOPES_BEFORE]
    if limited:
        connection.execute(keys.update().where(keys.c.id.in_(limited)).values(revoked_at=datetime.now(timezone.utc)))
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('last_used_from')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scopes')
