"""approval_levels.approver_id goes: a level's approvers are its approval_tasks

Revision ID: a7c9e1b3d5f8
Revises: f1b3d5a7c9e2
Create Date: 2026-12-04 11:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c9e1b3d5f8'
down_revision = 'f1b3d5a7c9e2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.drop_index('ix_approval_levels_inbox', postgresql_where=sa.text("status = 'IN_PROGRESS'"),
                            sqlite_where=sa.text("status = 'IN_PROGRESS'"))
        batch_op.drop_index('ix_approval_levels_approver_id')
        batch_op.drop_constraint('fk_approval_levels_approver_id_users', type_='foreignkey')
        batch_op.drop_column('approver_id')


def downgrade():
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approver_id', sa.Uuid(), nullable=True))
    # The first place's holder is the level's one approver again.
    op.execute("""
        UPDATE approval_levels SET approver_id = (
            SELECT assignee_id FROM approval_tasks t WHERE t.level_id = approval_levels.id
            ORDER BY t.position, t.created_at DESC LIMIT 1)
    """)
    with op.batch_alter_table('approval_levels', schema=None) as batch_op:
        batch_op.alter_column('approver_id', nullable=False)
        batch_op.create_foreign_key('fk_approval_levels_approver_id_users', 'users', ['approver_id'], ['id'])
        batch_op.create_index('ix_approval_levels_approver_id', ['approver_id'], unique=False)
        batch_op.create_index('ix_approval_levels_inbox', ['approver_id', 'tat_deadline', 'id'], unique=False,
                              postgresql_where=sa.text("status = 'IN_PROGRESS'"),
                              sqlite_where=sa.text("status = 'IN_PROGRESS'"))
