"""approval workflows: requests, levels, participants, documents, comments, activity

Revision ID: eaeca72ecac4
Revises: 3c1e7a9d2b40
Create Date: 2026-11-22 00:42:27.848604

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'eaeca72ecac4'
down_revision = '3c1e7a9d2b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('request_number_counters',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_request_number_counters_organization_id_organizations')),
    sa.PrimaryKeyConstraint('organization_id', 'period', name=op.f('pk_request_number_counters'))
    )
    op.create_table('workflow_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('request_number', sa.String(length=20), nullable=False),
    sa.Column('template_type', sa.Enum('CUSTOM', 'TEMPLATE', name='templatetype', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('priority', sa.Enum('STANDARD', 'EXPRESS', name='priority', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', name='requeststatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('initiator_id', sa.Uuid(), nullable=False),
    sa.Column('current_level', sa.SmallInteger(), nullable=True),
    sa.Column('total_levels', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['initiator_id'], ['users.id'], name=op.f('fk_workflow_requests_initiator_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_workflow_requests_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_requests')),
    sa.UniqueConstraint('organization_id', 'request_number', name=op.f('uq_workflow_requests_organization_id'))
    )
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_requests_initiator_created', ['initiator_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_workflow_requests_initiator_status_created', ['initiator_id', 'status', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_workflow_requests_org_created', ['organization_id', 'created_at', 'id'], unique=False)

    op.create_table('activities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=False),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_activities_actor_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['workflow_requests.id'], name=op.f('fk_activities_request_id_workflow_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_request_created', ['request_id', 'created_at'], unique=False)

    op.create_table('approval_levels',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('level_number', sa.SmallInteger(), nullable=False),
    sa.Column('level_name', sa.String(length=200), nullable=False),
    sa.Column('approver_id', sa.Uuid(), nullable=False),
    sa.Column('tat_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('is_final_approver', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'IN_PROGRESS', 'APPROVED', 'REJECTED', 'SKIPPED', name='levelstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('tat_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.CheckConstraint('level_number > 0', name=op.f('ck_approval_levels_level_number_positive')),
    sa.CheckConstraint('tat_hours > 0', name=op.f('ck_approval_levels_tat_hours_positive')),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_approval_levels_approver_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['workflow_requests.id'], name=op.f('fk_approval_levels_request_id_workflow_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_levels')),
    sa.UniqueConstraint('request_id', 'level_number', name=op.f('uq_approval_levels_request_id'))
    )
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.create_index('ix_approval_levels_approver_id', ['approver_id'], unique=False)
        batch_op.create_index('ix_approval_levels_inbox', ['approver_id', 'tat_deadline', 'id'], unique=False, postgresql_where=sa.text("status = 'IN_PROGRESS'"), sqlite_where=sa.text("status = 'IN_PROGRESS'"))

    op.create_table('comments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['workflow_requests.id'], name=op.f('fk_comments_request_id_workflow_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_request_created', ['request_id', 'created_at'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('category', sa.Enum('SUPPORTING', 'INVOICE', 'QUOTATION', 'CONTRACT', 'OTHER', name='documentcategory', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['workflow_requests.id'], name=op.f('fk_documents_request_id_workflow_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_documents_stored_name'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_request_created', ['request_id', 'created_at'], unique=False)

    op.create_table('participants',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('participant_type', sa.Enum('INITIATOR', 'APPROVER', 'SPECTATOR', name='participanttype', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('can_comment', sa.Boolean(), nullable=False),
    sa.Column('can_view_documents', sa.Boolean(), nullable=False),
    sa.Column('can_download_documents', sa.Boolean(), nullable=False),
    sa.Column('added_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_participants_added_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['workflow_requests.id'], name=op.f('fk_participants_request_id_workflow_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_participants_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('request_id', 'user_id', name=op.f('uq_participants_request_id'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index('ix_participants_user_type_created', ['user_id', 'participant_type', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index('ix_participants_user_type_created')

    op.drop_table('participants')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_request_created')

    op.drop_table('documents')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_request_created')

    op.drop_table('comments')
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.drop_index('ix_approval_levels_inbox', postgresql_where=sa.text("status = 'IN_PROGRESS'"), sqlite_where=sa.text("status = 'IN_PROGRESS'"))
        batch_op.drop_index('ix_approval_levels_approver_id')

    op.drop_table('approval_levels')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_request_created')

    op.drop_table('activities')
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_requests_org_created')
        batch_op.drop_index('ix_workflow_requests_initiator_status_created')
        batch_op.drop_index('ix_workflow_requests_initiator_created')

    op.drop_table('workflow_requests')
    op.drop_table('request_number_counters')
