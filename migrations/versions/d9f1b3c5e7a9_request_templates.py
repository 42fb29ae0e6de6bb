"""request templates and their versions; requests remember the template, version and form values

Revision ID: d9f1b3c5e7a9
Revises: a9c1e3f5b7d2
Create Date: 2026-12-04 16:40:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from momoflow.database import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'd9f1b3c5e7a9'
down_revision = 'a9c1e3f5b7d2'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        'request_templates',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('public_id', sa.String(length=40), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('name_key', sa.String(length=200), nullable=False),
        sa.Column('category', sa.String(length=100), server_default='', nullable=False),
        sa.Column('status', sa.Enum('ACTIVE', 'ARCHIVED', name='templatestatus', native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('definition', JSON, nullable=False),
        sa.Column('created_by_id', sa.Uuid(), nullable=True),
        sa.Column('updated_by_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id']),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('organization_id', 'name_key'),
        sa.UniqueConstraint('public_id'),
    )
    op.create_index('ix_request_templates_org_status_name', 'request_templates',
                    ['organization_id', 'status', 'name_key'], unique=False)
    op.create_table(
        'request_template_versions',
        sa.Column('template_id', sa.Uuid(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('definition', JSON, nullable=False),
        sa.Column('created_by_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['template_id'], ['request_templates.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('template_id', 'version'),
    )
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('template_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('template_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('field_values', JSON, nullable=True))
        batch_op.create_foreign_key('fk_workflow_requests_template_id', 'request_templates', ['template_id'], ['id'])


def downgrade():
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.drop_constraint('fk_workflow_requests_template_id', type_='foreignkey')
        batch_op.drop_column('field_values')
        batch_op.drop_column('template_version')
        batch_op.drop_column('template_id')
    op.drop_table('request_template_versions')
    op.drop_index('ix_request_templates_org_status_name', table_name='request_templates')
    op.drop_table('request_templates')
