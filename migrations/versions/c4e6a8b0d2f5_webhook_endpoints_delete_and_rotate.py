"""webhook_endpoints.deleted_at, previous_secret, previous_secret_until: deleting an endpoint
(its log kept 30 days) and rotating its secret (the old one still signs for 24 hours)

Revision ID: c4e6a8b0d2f5
Revises: b2c4e6a8d0f1
Create Date: 2026-12-05 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f5'
down_revision = 'b2c4e6a8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_secret', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('previous_secret_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('previous_secret_until')
        batch_op.drop_column('previous_secret')
