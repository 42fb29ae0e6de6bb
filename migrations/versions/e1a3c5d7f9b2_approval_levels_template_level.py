"""approval_levels.template_level: the template level a request's level was planned from

Revision ID: e1a3c5d7f9b2
Revises: b7d9f1a3c5e7
Create Date: 2026-12-04 18:15:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1a3c5d7f9b2'
down_revision = 'b7d9f1a3c5e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_level', sa.SmallInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.drop_column('template_level')
