"""groups.source 'scim': groups an identity provider pushes through SCIM

Revision ID: 5c9e1a3b5d7f
Revises: 5b8d0f2a4c6e
Create Date: 2026-12-05 02:40:00.000000
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c9e1a3b5d7f'
down_revision = '5b8d0f2a4c6e'
branch_labels = None
depends_on = None


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_groups_groupsource'), type_='check')
        batch_op.create_check_constraint('groupsource', _in('source', ('local', 'directory', 'scim')))


def downgrade():
    # The old schema has no such groups: they go, with their memberships.
    op.execute("DELETE FROM group_members WHERE group_id IN (SELECT id FROM groups WHERE source = 'scim')")
    op.execute("DELETE FROM groups WHERE source = 'scim'")
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_groups_groupsource'), type_='check')
        batch_op.create_check_constraint('groupsource', _in('source', ('local', 'directory')))
