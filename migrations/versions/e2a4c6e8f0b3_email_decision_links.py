"""email_decision_links: the single-use tokens behind an email's Approve and Reject links

Revision ID: e2a4c6e8f0b3
Revises: c4e6a8b0d2f1
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from momoflow.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'e2a4c6e8f0b3'
down_revision = 'c4e6a8b0d2f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_decision_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email_id', sa.Uuid(), nullable=True),
    sa.Column('task_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('round', sa.SmallInteger(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('used_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['email_id'], ['emails.id'], name=op.f('fk_email_decision_links_email_id_emails'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['approval_tasks.id'],
                            name=op.f('fk_email_decision_links_task_id_approval_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_decision_links_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_decision_links')),
    sa.UniqueConstraint('email_id', name=op.f('uq_email_decision_links_email_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_decision_links_token_hash'))
    )
    with op.batch_alter_table('email_decision_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_decision_links_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('email_decision_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_decision_links_task_id'))
    op.drop_table('email_decision_links')
