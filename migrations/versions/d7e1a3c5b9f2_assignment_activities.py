"""assignment_activities, assignments.last_reminded_at and redated_at: managing an assignment

Revision ID: d7e1a3c5b9f2
Revises: c4e6a8b0d2f5
Create Date: 2026-12-05 09:00:00.000000

Cancelling, re-dating, reminding and reassigning an assignment each write a history
line; a reminder by hand waits an hour after the last one, and reminders count from
when the due date was last changed.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd7e1a3c5b9f2'
down_revision = 'c4e6a8b0d2f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('redated_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'assignment_activities',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('assignment_id', sa.Uuid(), nullable=False),
        sa.Column('actor_id', sa.Uuid(), nullable=True),
        sa.Column('api_key_id', sa.Uuid(), nullable=True),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('summary', sa.String(length=700), nullable=False),
        sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_assignment_activities_actor_id_users')),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'],
                                name=op.f('fk_assignment_activities_api_key_id_api_keys')),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'],
                                name=op.f('fk_assignment_activities_assignment_id_assignments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assignment_activities')),
    )
    op.create_index('ix_assignment_activities_assignment', 'assignment_activities', ['assignment_id', 'occurred_at'])


def downgrade():
    op.drop_index('ix_assignment_activities_assignment', table_name='assignment_activities')
    op.drop_table('assignment_activities')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('redated_at')
        batch_op.drop_column('last_reminded_at')
