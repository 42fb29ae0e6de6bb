"""Rounds (send back for rework) and the organisation's approval settings

RETURNED joins the request and task statuses; requests, levels, tasks and activity
lines carry their round; documents removed on a resubmission are kept, marked removed.

Revision ID: c4e6a8b0d2f1
Revises: b3d5f7a9c1e2
Create Date: 2026-12-04 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

from momoflow.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f1'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None

REQUEST_STATUSES = ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')
TASK_STATUSES = ('PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED', 'REASSIGNED')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _round():
    return sa.Column('round', sa.SmallInteger(), nullable=False, server_default='1')


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_revisions', sa.SmallInteger(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('rounds_restart_at_first_level', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('email_decisions_need_sign_in', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.add_column(_round())
        batch_op.add_column(sa.Column('resume_level', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('returned_at', UTCDateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_workflow_requests_requeststatus'), type_='check')
        batch_op.create_check_constraint('requeststatus', _in('status', REQUEST_STATUSES + ('RETURNED',)))
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.add_column(_round())
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.add_column(_round())
        batch_op.drop_constraint(op.f('ck_approval_tasks_taskstatus'), type_='check')
        batch_op.create_check_constraint('taskstatus', _in('status', TASK_STATUSES + ('RETURNED',)))
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(_round())
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', UTCDateTime(), nullable=True))


def downgrade():
    # Rounds cannot be undone: a returned request goes back to pending, returned tasks
    # become superseded, and removed documents come back.
    op.execute("UPDATE workflow_requests SET status = 'PENDING' WHERE status = 'RETURNED'")
    op.execute("UPDATE approval_tasks SET status = 'SUPERSEDED' WHERE status = 'RETURNED'")
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('round')
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_approval_tasks_taskstatus'), type_='check')
        batch_op.create_check_constraint('taskstatus', _in('status', TASK_STATUSES))
        batch_op.drop_column('round')
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.drop_column('round')
    with op.batch_alter_table('workflow_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_workflow_requests_requeststatus'), type_='check')
        batch_op.create_check_constraint('requeststatus', _in('status', REQUEST_STATUSES))
        batch_op.drop_column('returned_at')
        batch_op.drop_column('resume_level')
        batch_op.drop_column('round')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('email_decisions_need_sign_in')
        batch_op.drop_column('rounds_restart_at_first_level')
        batch_op.drop_column('max_revisions')
