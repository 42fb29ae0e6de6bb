"""exports: report files built in the background and downloaded by link or API key

Revision ID: d7f9b1c3e5a7
Revises: c5e7a9b1d3f5
Create Date: 2026-12-04 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from momoflow.database import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'd7f9b1c3e5a7'
down_revision = 'c5e7a9b1d3f5'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        'exports',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('public_id', sa.String(length=40), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('api_key_id', sa.Uuid(), nullable=True),
        sa.Column('user_id', sa.Uuid(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('format', sa.Enum('csv', 'excel', 'pdf', name='exportformat', native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column('params', JSON, nullable=False),
        sa.Column('status', sa.Enum('queued', 'running', 'ready', 'failed', name='exportstatus', native_enum=False,
                                    create_constraint=True, length=20), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('row_count', sa.Integer(), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('attempts', sa.SmallInteger(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
        sa.UniqueConstraint('stored_name'),
    )
    op.create_index('ix_exports_expires', 'exports', ['expires_at'], unique=False)
    op.create_index('ix_exports_queued', 'exports', ['created_at'], unique=False,
                    postgresql_where=sa.text("status = 'queued'"), sqlite_where=sa.text("status = 'queued'"))


def downgrade():
    op.drop_index('ix_exports_queued', table_name='exports')
    op.drop_index('ix_exports_expires', table_name='exports')
    op.drop_table('exports')
