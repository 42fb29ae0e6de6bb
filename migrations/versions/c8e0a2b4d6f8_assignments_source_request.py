"""assignments.source_request_id: the approved request that assigned a flow, once per person

Revision ID: c8e0a2b4d6f8
Revises: d9f1b3c5e7a9
Create Date: 2026-12-04 16:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c8e0a2b4d6f8'
down_revision = 'd9f1b3c5e7a9'
branch_labels = None
depends_on = None

SOURCE_SET = sa.text('source_request_id IS NOT NULL')


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_request_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignments_source_request_id_workflow_requests'),
                                    'workflow_requests', ['source_request_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('uq_assignments_source_request', ['source_request_id', 'flow_id', 'user_id'],
                              unique=True, postgresql_where=SOURCE_SET, sqlite_where=SOURCE_SET)


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_assignments_source_request', postgresql_where=SOURCE_SET, sqlite_where=SOURCE_SET)
        batch_op.drop_constraint(batch_op.f('fk_assignments_source_request_id_workflow_requests'),
                                 type_='foreignkey')
        batch_op.drop_column('source_request_id')
