"""sso_providers, sso_domains, sso_identities: single sign-on with OpenID Connect

Revision ID: 5d0f2b4c6e8a
Revises: 5c9e1a3b5d7f
Create Date: 2026-12-05 04:27:32.898672
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d0f2b4c6e8a'
down_revision = '5c9e1a3b5d7f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sso_providers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret_encrypted', sa.Text(), nullable=False),
    sa.Column('password_sign_in', sa.Boolean(), nullable=False),
    sa.Column('groups_claim', sa.String(length=100), nullable=False),
    sa.Column('role_mapping', sa.Text(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_sso_providers_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_providers')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_sso_providers_organization_id'))
    )
    op.create_table('sso_domains',
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['sso_providers.id'], name=op.f('fk_sso_domains_provider_id_sso_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('domain', name=op.f('pk_sso_domains'))
    )
    with op.batch_alter_table('sso_domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_domains_provider_id'), ['provider_id'], unique=False)

    op.create_table('sso_identities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('provider_id', sa.Uuid(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['provider_id'], ['sso_providers.id'], name=op.f('fk_sso_identities_provider_id_sso_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sso_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identities')),
    sa.UniqueConstraint('provider_id', 'subject', name=op.f('uq_sso_identities_provider_subject')),
    sa.UniqueConstraint('provider_id', 'user_id', name=op.f('uq_sso_identities_provider_user'))
    )
    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identities_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identities_user_id'))

    op.drop_table('sso_identities')
    with op.batch_alter_table('sso_domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_domains_provider_id'))

    op.drop_table('sso_domains')
    op.drop_table('sso_providers')
