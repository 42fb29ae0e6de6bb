"""users.scim_user_name (userName as the identity provider sent it), users.scim_removed_at
(a SCIM DELETE: deactivated and gone from /scim/v2), users.given_name and family_name

Revision ID: 5e1a3c5d7f9b
Revises: 5d0f2b4c6e8a
Create Date: 2026-12-05 04:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e1a3c5d7f9b'
down_revision = '5d0f2b4c6e8a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scim_user_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('scim_removed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('given_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('family_name', sa.String(length=200), nullable=True))
    op.create_index('uq_users_org_scim_user_name', 'users', ['organization_id', sa.text('lower(scim_user_name)')],
                    unique=True)


def downgrade():
    op.drop_index('uq_users_org_scim_user_name', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('family_name')
        batch_op.drop_column('given_name')
        batch_op.drop_column('scim_removed_at')
        batch_op.drop_column('scim_user_name')
