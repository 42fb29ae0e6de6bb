"""Flow versions: flows.version, flow_modules.version / lineage_id, assignments.flow_version / module_total

Adding, removing or reordering a flow's modules once someone has started makes a new
version (``momoflow.flows.versions``); each assignment walks the version it was given.

Revision ID: a3d5f7b9c1e4
Revises: f2c4e6a8b0d3
Create Date: 2026-12-05 01:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a3d5f7b9c1e4'
down_revision = 'f2c4e6a8b0d3'
branch_labels = None
depends_on = None

flows = sa.table('flows', sa.column('id', sa.Uuid()), sa.column('version', sa.SmallInteger()),
                 sa.column('module_count', sa.SmallInteger()))
modules = sa.table('flow_modules', sa.column('id', sa.Uuid()), sa.column('flow_id', sa.Uuid()),
                   sa.column('version', sa.SmallInteger()), sa.column('lineage_id', sa.Uuid()))
assignments = sa.table('assignments', sa.column('flow_id', sa.Uuid()), sa.column('module_total', sa.SmallInteger()))


def upgrade():
    with op.batch_alter_table('flows', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.SmallInteger(), server_default='1', nullable=False))
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.drop_constraint('uq_flow_modules_flow_id', type_='unique')
        batch_op.create_unique_constraint('uq_flow_modules_flow_id', ['flow_id', 'version', 'position'])
        batch_op.add_column(sa.Column('lineage_id', sa.Uuid(), nullable=True))
    op.execute(modules.update().values(lineage_id=modules.c.id))
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.alter_column('lineage_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(batch_op.f('ix_flow_modules_lineage_id'), ['lineage_id'], unique=False)
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flow_version', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('module_total', sa.SmallInteger(), server_default='0', nullable=False))
    # Everyone so far walks version 1, which has the flow's modules.
    op.execute(assignments.update().values(module_total=sa.select(flows.c.module_count)
                                           .where(flows.c.id == assignments.c.flow_id).scalar_subquery()))


def downgrade():
    # One set of modules per flow again: older versions' modules go, and with them the
    # progress, quiz attempts and sign-offs recorded against them.
    op.execute(modules.delete().where(modules.c.version != sa.select(flows.c.version)
                                      .where(flows.c.id == modules.c.flow_id).scalar_subquery()))
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('module_total')
        batch_op.drop_column('flow_version')
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flow_modules_lineage_id'))
        batch_op.drop_column('lineage_id')
        batch_op.drop_constraint('uq_flow_modules_flow_id', type_='unique')
        batch_op.create_unique_constraint('uq_flow_modules_flow_id', ['flow_id', 'position'])
        batch_op.drop_column('version')
    with op.batch_alter_table('flows', schema=None) as batch_op:
        batch_op.drop_column('version')
