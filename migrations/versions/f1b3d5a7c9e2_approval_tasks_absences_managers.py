"""approval_tasks, level decision rules, absences, users.manager_id

Every existing level becomes a one-approver ANY level: its approver gets one task that
carries the level's decision (or is PENDING while the level waits), so no history is lost.

Revision ID: f1b3d5a7c9e2
Revises: e5c7a9b1d3f4
Create Date: 2026-12-04 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

from momoflow.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'f1b3d5a7c9e2'
down_revision = 'e5c7a9b1d3f4'
branch_labels = None
depends_on = None


def _enum(name, *values, length=20):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manager_id', sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_manager_id'), ['manager_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_manager_id_users'), 'users', ['manager_id'], ['id'])

    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_mode', _enum('approvalmode', 'ANY', 'ALL', 'QUORUM'),
                                      server_default='ANY', nullable=False))
        batch_op.add_column(sa.Column('min_approvals', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('rejection_policy', _enum('rejectionpolicy', 'VETO', 'UNREACHABLE'),
                                      server_default='VETO', nullable=False))
        batch_op.add_column(sa.Column('on_breach', _enum('breachaction', 'NOTIFY', 'ESCALATE'),
                                      server_default='NOTIFY', nullable=False))

    op.create_table(
        'absences',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('delegate_id', sa.Uuid(), nullable=False),
        sa.Column('starts_at', UTCDateTime(), nullable=False),
        sa.Column('ends_at', UTCDateTime(), nullable=False),
        sa.Column('message', sa.String(length=1000), nullable=True),
        sa.Column('set_by_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('moved_at', UTCDateTime(), nullable=True),
        sa.Column('returned_at', UTCDateTime(), nullable=True),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_absences_ends_after_start')),
        sa.CheckConstraint('delegate_id <> user_id', name=op.f('ck_absences_not_own_delegate')),
        sa.ForeignKeyConstraint(['delegate_id'], ['users.id'], name=op.f('fk_absences_delegate_id_users')),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                                name=op.f('fk_absences_organization_id_organizations')),
        sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_absences_set_by_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_absences_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_absences')),
        sa.UniqueConstraint('user_id', name=op.f('uq_absences_user_id')),
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absences_delegate_id'), ['delegate_id'], unique=False)
        batch_op.create_index('ix_absences_to_move', ['starts_at'], unique=False,
                              postgresql_where=sa.text('moved_at IS NULL'), sqlite_where=sa.text('moved_at IS NULL'))
        batch_op.create_index('ix_absences_to_return', ['ends_at'], unique=False,
                              postgresql_where=sa.text('returned_at IS NULL'),
                              sqlite_where=sa.text('returned_at IS NULL'))

    op.create_table(
        'approval_tasks',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('request_id', sa.Uuid(), nullable=False),
        sa.Column('level_id', sa.Uuid(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('assignee_id', sa.Uuid(), nullable=False),
        sa.Column('on_behalf_of_id', sa.Uuid(), nullable=True),
        sa.Column('reason', _enum('taskreason', 'out_of_office', 'reassigned', 'deactivated', 'escalated'),
                  nullable=True),
        sa.Column('escalated_to_id', sa.Uuid(), nullable=True),
        sa.Column('escalated_at', UTCDateTime(), nullable=True),
        sa.Column('status', _enum('taskstatus', 'PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED', 'REASSIGNED'),
                  nullable=False),
        sa.Column('due_at', UTCDateTime(), nullable=True),
        sa.Column('acted_at', UTCDateTime(), nullable=True),
        sa.Column('acted_by_id', sa.Uuid(), nullable=True),
        sa.Column('comments', sa.Text(), nullable=True),
        sa.Column('replaces_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['acted_by_id'], ['users.id'], name=op.f('fk_approval_tasks_acted_by_id_users')),
        sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_approval_tasks_assignee_id_users')),
        sa.ForeignKeyConstraint(['escalated_to_id'], ['users.id'],
                                name=op.f('fk_approval_tasks_escalated_to_id_users')),
        sa.ForeignKeyConstraint(['level_id'], ['approval_levels.id'],
                                name=op.f('fk_approval_tasks_level_id_approval_levels'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['on_behalf_of_id'], ['users.id'],
                                name=op.f('fk_approval_tasks_on_behalf_of_id_users')),
        sa.ForeignKeyConstraint(['replaces_id'], ['approval_tasks.id'],
                                name=op.f('fk_approval_tasks_replaces_id_approval_tasks')),
        sa.ForeignKeyConstraint(['request_id'], ['workflow_requests.id'],
                                name=op.f('fk_approval_tasks_request_id_workflow_requests'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_tasks')),
    )
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_approval_tasks_inbox', ['assignee_id', 'due_at', 'id'], unique=False,
                              postgresql_where=sa.text("status = 'PENDING' AND due_at IS NOT NULL"),
                              sqlite_where=sa.text("status = 'PENDING' AND due_at IS NOT NULL"))
        batch_op.create_index('ix_approval_tasks_escalated_inbox', ['escalated_to_id', 'due_at', 'id'], unique=False,
                              postgresql_where=sa.text(
                                  "status = 'PENDING' AND due_at IS NOT NULL AND escalated_to_id IS NOT NULL"),
                              sqlite_where=sa.text(
                                  "status = 'PENDING' AND due_at IS NOT NULL AND escalated_to_id IS NOT NULL"))
        batch_op.create_index('ix_approval_tasks_undecided', ['assignee_id'], unique=False,
                              postgresql_where=sa.text("status = 'PENDING'"), sqlite_where=sa.text("status = 'PENDING'"))
        batch_op.create_index('ix_approval_tasks_level', ['level_id', 'position'], unique=False)
        batch_op.create_index('ix_approval_tasks_request', ['request_id'], unique=False)

    _one_task_per_existing_level()


def _one_task_per_existing_level():
    """The level's approver holds position 0; a decided level's decision is theirs."""
    id_expression = "gen_random_uuid()" if op.get_bind().dialect.name == "postgresql" else (
        "lower(hex(randomblob(16)))")
    op.execute(f"""
        INSERT INTO approval_tasks (id, request_id, level_id, position, assignee_id, status, due_at,
                                    acted_at, acted_by_id, comments, created_at)
        SELECT {id_expression}, request_id, id, 0, approver_id,
               CASE status WHEN 'APPROVED' THEN 'APPROVED' WHEN 'REJECTED' THEN 'REJECTED'
                           WHEN 'SKIPPED' THEN 'SUPERSEDED' ELSE 'PENDING' END,
               CASE status WHEN 'IN_PROGRESS' THEN tat_deadline END,
               acted_at,
               CASE WHEN status IN ('APPROVED', 'REJECTED') THEN approver_id END,
               comments,
               COALESCE(started_at, (SELECT created_at FROM workflow_requests r WHERE r.id = request_id))
        FROM approval_levels
    """)


def downgrade():
    op.drop_table('approval_tasks')
    op.drop_table('absences')
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        for name in ('breachaction', 'rejectionpolicy', 'approvalmode'):  # SQLite's rebuild would keep them
            batch_op.drop_constraint(op.f(f'ck_approval_levels_{name}'), type_='check')
        batch_op.drop_column('on_breach')
        batch_op.drop_column('rejection_policy')
        batch_op.drop_column('min_approvals')
        batch_op.drop_column('approval_mode')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_manager_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_manager_id'))
        batch_op.drop_column('manager_id')
