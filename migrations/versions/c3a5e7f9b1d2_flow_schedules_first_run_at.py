"""flow_schedules.first_run_at: monthly runs count from the first run

Revision ID: c3a5e7f9b1d2
Revises: 9b2d4e6f8a10
Create Date: 2026-11-22 06:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a5e7f9b1d2'
down_revision = '9b2d4e6f8a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('flow_schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_run_at', sa.DateTime(timezone=True), nullable=True))
    # Existing schedules count from their next run: a day already clamped stays so, none clamps further.
    op.execute("UPDATE flow_schedules SET first_run_at = next_run_at")


def downgrade():
    with op.batch_alter_table('flow_schedules', schema=None) as batch_op:
        batch_op.drop_column('first_run_at')
