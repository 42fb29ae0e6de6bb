"""assignment_rules and assignment_rule_members: keep assigning a flow to everyone who joins a group or department

Revision ID: f1b3d5e7a9c1
Revises: f0a2c4e6b8d0
Create Date: 2026-12-04 22:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1b3d5e7a9c1'
down_revision = 'f0a2c4e6b8d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assignment_rules',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('public_id', sa.String(length=40), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('flow_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.Enum('group', 'department', name='audiencekind', native_enum=False, create_constraint=True,
                                  length=20), nullable=False),
        sa.Column('audience', sa.String(length=200), nullable=False),
        sa.Column('due_in_days', sa.SmallInteger(), nullable=True),
        sa.Column('priority', sa.Enum('low', 'medium', 'high', name='priority', native_enum=False, create_constraint=True,
                                      length=20), nullable=False),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by_user_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_applied_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['flow_id'], ['flows.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    op.create_index('ix_assignment_rules_organization', 'assignment_rules', ['organization_id', 'created_at'])
    op.create_table(
        'assignment_rule_members',
        sa.Column('rule_id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('assignment_id', sa.Uuid(), nullable=True),
        sa.Column('handled_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['rule_id'], ['assignment_rules.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('rule_id', 'user_id'),
    )


def downgrade():
    op.drop_table('assignment_rule_members')
    op.drop_index('ix_assignment_rules_organization', table_name='assignment_rules')
    op.drop_table('assignment_rules')
