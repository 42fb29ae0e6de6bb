"""approval analytics facts: approval_tasks.wait_seconds / on_time, workflow_requests.rework_seconds

Revision ID: e8a0c2d4f6b8
Revises: d7f9b1c3e5a7
Create Date: 2026-12-04 20:10:00.000000

Decisions taken before this migration get their wait from
``flask --app wsgi reports backfill`` (it reads each organisation's calendar).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e8a0c2d4f6b8'
down_revision = 'd7f9b1c3e5a7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wait_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('on_time', sa.Boolean(), nullable=True))
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rework_seconds', sa.Integer(), server_default='0', nullable=False))
    op.create_index('ix_approval_tasks_decided', 'approval_tasks', ['acted_at', 'request_id'], unique=False,
                    postgresql_where=sa.text('wait_seconds IS NOT NULL'),
                    sqlite_where=sa.text('wait_seconds IS NOT NULL'))


def downgrade():
    op.drop_index('ix_approval_tasks_decided', table_name='approval_tasks')
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.drop_column('rework_seconds')
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.drop_column('on_time')
        batch_op.drop_column('wait_seconds')
