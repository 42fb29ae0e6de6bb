"""organizations.flow_reminder_days and flow_overdue_reminder, assignment_reminders: automatic reminders

Revision ID: d8f2b4c6a0e3
Revises: d7e1a3c5b9f2
Create Date: 2026-12-05 09:30:00.000000

The organisation says when assignees are reminded (days before the due date, and once
after it is overdue); the tick records each reminder it sends, keyed by assignment and
kind, so none goes out twice.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8f2b4c6a0e3'
down_revision = 'd7e1a3c5b9f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flow_reminder_days', sa.String(length=40), server_default='3,1',
                                      nullable=False))
        batch_op.add_column(sa.Column('flow_overdue_reminder', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
    op.create_table(
        'assignment_reminders',
        sa.Column('assignment_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'],
                                name=op.f('fk_assignment_reminders_assignment_id_assignments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('assignment_id', 'kind', name=op.f('pk_assignment_reminders')),
    )


def downgrade():
    op.drop_table('assignment_reminders')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('flow_overdue_reminder')
        batch_op.drop_column('flow_reminder_days')
