"""participants (user_id, request_id): the requests a person takes part in, for searching by name

Revision ID: a9c1e3f5b7d2
Revises: f3b5d7f9a1c4
Create Date: 2026-12-04 15:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9c1e3f5b7d2'
down_revision = 'f3b5d7f9a1c4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index('ix_participants_user_request', ['user_id', 'request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_user_request')
