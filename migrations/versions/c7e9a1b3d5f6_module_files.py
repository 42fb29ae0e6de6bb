"""module_files: files attached to flow modules

Revision ID: c7e9a1b3d5f6
Revises: a3d5f7b9c1e4
Create Date: 2026-12-05 02:00:00.000000
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c7e9a1b3d5f6'
down_revision = 'a3d5f7b9c1e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('module_files',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('module_id', sa.Uuid(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['module_id'], ['flow_modules.id'], name=op.f('fk_module_files_module_id_flow_modules'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_module_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_module_files'))
    )
    with op.batch_alter_table('module_files', schema=None) as batch_op:
        batch_op.create_index('ix_module_files_module', ['module_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('module_files', schema=None) as batch_op:
        batch_op.drop_index('ix_module_files_module')
    op.drop_table('module_files')
