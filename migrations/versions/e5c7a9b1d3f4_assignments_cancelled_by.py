"""assignments.cancelled_by_user_id / cancelled_by_api_key_id: who cancelled an assignment

Revision ID: e5c7a9b1d3f4
Revises: d4b6f8a0c2e3
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5c7a9b1d3f4'
down_revision = 'd4b6f8a0c2e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_by_user_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_api_key_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignments_cancelled_by_user_id_users'), 'users',
                                    ['cancelled_by_user_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_assignments_cancelled_by_api_key_id_api_keys'), 'api_keys',
                                    ['cancelled_by_api_key_id'], ['id'])


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_cancelled_by_api_key_id_api_keys'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_assignments_cancelled_by_user_id_users'), type_='foreignkey')
        batch_op.drop_column('cancelled_by_api_key_id')
        batch_op.drop_column('cancelled_by_user_id')
