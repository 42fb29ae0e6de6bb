"""approval_decisions: approval analytics' facts in a narrow table of their own (they were columns of approval_tasks)

Revision ID: a1c3e5f7b9d1
Revises: e8a0c2d4f6b8
Create Date: 2026-12-04 22:00:00.000000

A year of an organisation's decisions read from approval_tasks had to join requests (for the
organisation) and levels (for the name): the dashboard missed its 20× count(*) target. The
decisions kept so far move here; the two columns and their index go.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d1'
down_revision = 'e8a0c2d4f6b8'
branch_labels = None
depends_on = None

LEVEL_KEY = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def upgrade():
    op.create_table(
        'approval_decisions',
        sa.Column('task_id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('request_id', sa.Uuid(), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approver_id', sa.Uuid(), nullable=False),
        sa.Column('by_delegate', sa.Boolean(), nullable=False),
        sa.Column('level_key', LEVEL_KEY, nullable=False),
        sa.Column('level_name', sa.String(length=200), nullable=False),
        sa.Column('tat_hours', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('wait_seconds', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['approver_id'], ['users.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id']),
        sa.ForeignKeyConstraint(['request_id'], ['workflow_requests.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['approval_tasks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('task_id'),
    )
    op.create_index('ix_approval_decisions_org_decided', 'approval_decisions', ['organization_id', 'decided_at'],
                    postgresql_include=['on_time'])
    op.create_index('ix_approval_decisions_org_level', 'approval_decisions',
                    ['organization_id', 'level_key', 'wait_seconds'],
                    postgresql_include=['decided_at', 'on_time', 'by_delegate', 'tat_hours', 'level_name'])
    op.create_index('ix_approval_decisions_org_approver', 'approval_decisions',
                    ['organization_id', 'approver_id', 'wait_seconds'],
                    postgresql_include=['decided_at', 'on_time', 'by_delegate'])
    op.create_index('ix_approval_decisions_request', 'approval_decisions', ['request_id'])
    op.execute("""
        INSERT INTO approval_decisions (task_id, organization_id, request_id, decided_at, approver_id, by_delegate,
                                        level_key, level_name, tat_hours, wait_seconds, on_time)
        SELECT t.id, r.organization_id, t.request_id, t.acted_at, t.acted_by_id, t.on_behalf_of_id IS NOT NULL,
               lower(l.level_name), l.level_name, l.tat_hours, t.wait_seconds, t.on_time
        FROM approval_tasks t JOIN approval_levels l ON l.id = t.level_id JOIN workflow_requests r ON r.id = t.request_id
        WHERE t.wait_seconds IS NOT NULL AND t.acted_at IS NOT NULL AND t.acted_by_id IS NOT NULL
    """)
    op.drop_index('ix_approval_tasks_decided', table_name='approval_tasks')
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.drop_column('on_time')
        batch_op.drop_column('wait_seconds')


def downgrade():
    with op.batch_alter_table('approval_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wait_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('on_time', sa.Boolean(), nullable=True))
    op.execute("""
        UPDATE approval_tasks SET
            wait_seconds = (SELECT d.wait_seconds FROM approval_decisions d WHERE d.task_id = approval_tasks.id),
            on_time = (SELECT d.on_time FROM approval_decisions d WHERE d.task_id = approval_tasks.id)
    """)
    op.create_index('ix_approval_tasks_decided', 'approval_tasks', ['acted_at', 'request_id'], unique=False,
                    postgresql_where=sa.text('wait_seconds IS NOT NULL'),
                    sqlite_where=sa.text('wait_seconds IS NOT NULL'))
    op.drop_index('ix_approval_decisions_request', table_name='approval_decisions')
    op.drop_index('ix_approval_decisions_org_approver', table_name='approval_decisions')
    op.drop_index('ix_approval_decisions_org_level', table_name='approval_decisions')
    op.drop_index('ix_approval_decisions_org_decided', table_name='approval_decisions')
    op.drop_table('approval_decisions')
