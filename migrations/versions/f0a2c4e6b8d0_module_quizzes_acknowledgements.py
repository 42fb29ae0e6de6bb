"""module quizzes and acknowledgements: flow_modules.pass_mark / requires_acknowledgement, quiz_questions, quiz_attempts, module_acknowledgements

Revision ID: f0a2c4e6b8d0
Revises: a1c3e5f7b9d1
Create Date: 2026-12-04 22:20:00.000000
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'f0a2c4e6b8d0'
down_revision = 'a1c3e5f7b9d1'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pass_mark', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('requires_acknowledgement', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table(
        'quiz_questions',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('module_id', sa.Uuid(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('prompt', sa.Text(), nullable=False),
        sa.Column('choices', JSON, nullable=False),
        sa.ForeignKeyConstraint(['module_id'], ['flow_modules.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('module_id', 'position'),
    )
    op.create_table(
        'quiz_attempts',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('assignment_id', sa.Uuid(), nullable=False),
        sa.Column('module_id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('answers', JSON, nullable=False),
        sa.Column('correct', sa.SmallInteger(), nullable=False),
        sa.Column('total', sa.SmallInteger(), nullable=False),
        sa.Column('score', sa.SmallInteger(), nullable=False),
        sa.Column('passed', sa.Boolean(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['module_id'], ['flow_modules.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_quiz_attempts_assignment', 'quiz_attempts', ['assignment_id', 'module_id', 'submitted_at'])
    op.create_index('ix_quiz_attempts_module', 'quiz_attempts', ['module_id', 'submitted_at'])
    op.create_table(
        'module_acknowledgements',
        sa.Column('assignment_id', sa.Uuid(), nullable=False),
        sa.Column('module_id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('statement', sa.String(length=500), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['module_id'], ['flow_modules.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('assignment_id', 'module_id'),
    )
    op.create_index('ix_module_acknowledgements_module', 'module_acknowledgements', ['module_id', 'acknowledged_at'])


def downgrade():
    op.drop_index('ix_module_acknowledgements_module', table_name='module_acknowledgements')
    op.drop_table('module_acknowledgements')
    op.drop_index('ix_quiz_attempts_module', table_name='quiz_attempts')
    op.drop_index('ix_quiz_attempts_assignment', table_name='quiz_attempts')
    op.drop_table('quiz_attempts')
    op.drop_table('quiz_questions')
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.drop_column('requires_acknowledgement')
        batch_op.drop_column('pass_mark')
