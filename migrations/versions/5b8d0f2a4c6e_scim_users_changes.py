"""users.external_id and scim_changes: SCIM provisioning writes people, with an audit trail

Revision ID: 5b8d0f2a4c6e
Revises: 5a7c9e1b3d5f
Create Date: 2026-12-05 02:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b8d0f2a4c6e'
down_revision = '5a7c9e1b3d5f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
    op.create_table('scim_changes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('token_id', sa.Uuid(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_scim_changes_organization_id_organizations')),
    sa.ForeignKeyConstraint(['token_id'], ['scim_tokens.id'], name=op.f('fk_scim_changes_token_id_scim_tokens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_changes'))
    )
    with op.batch_alter_table('scim_changes', schema=None) as batch_op:
        batch_op.create_index('ix_scim_changes_organization_occurred', ['organization_id', 'occurred_at'], unique=False)


def downgrade():
    with op.batch_alter_table('scim_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_scim_changes_organization_occurred')
    op.drop_table('scim_changes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('external_id')
