"""flow_modules.public_id: what the flow report calls a module (mod_…)

Revision ID: c5e7a9b1d3f5
Revises: e1a3c5d7f9b2
Create Date: 2026-12-04 19:40:00.000000

"""
import secrets
import string

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e7a9b1d3f5'
down_revision = 'e1a3c5d7f9b2'
branch_labels = None
depends_on = None

BASE62 = string.digits + string.ascii_letters  # as momoflow.publicids (migrations do not import the app)


def upgrade():
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=40), nullable=True))
    modules = sa.table('flow_modules', sa.column('id', sa.Uuid()), sa.column('public_id', sa.String()))
    connection = op.get_bind()
    for (module_id,) in connection.execute(sa.select(modules.c.id)).all():
        new_id = "mod_" + "".join(secrets.choice(BASE62) for _ in range(12))
        connection.execute(modules.update().where(modules.c.id == module_id).values(public_id=new_id))
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_flow_modules_public_id'), ['public_id'])


def downgrade():
    with op.batch_alter_table('flow_modules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_flow_modules_public_id'), type_='unique')
        batch_op.drop_column('public_id')
