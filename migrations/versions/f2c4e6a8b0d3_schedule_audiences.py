"""flow_schedules.audience_kind / audience: a schedule may assign everyone in a group or department at each run

Revision ID: f2c4e6a8b0d3
Revises: d8f2b4c6a0e3
Create Date: 2026-12-04 23:10:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f2c4e6a8b0d3'
down_revision = 'd8f2b4c6a0e3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('flow_schedules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience_kind', sa.Enum('group', 'department', name='audiencekind',
                                                               native_enum=False, create_constraint=True, length=20),
                                      nullable=True))
        batch_op.add_column(sa.Column('audience', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('flow_schedules', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_flow_schedules_audiencekind'), type_='check')
        batch_op.drop_column('audience')
        batch_op.drop_column('audience_kind')
