"""Search: trigram indexes on request titles and numbers, people's names and emails

PostgreSQL only (pg_trgm, a trusted extension: the database owner may create it). The
list searches match ``ILIKE '%words%'``, which a trigram GIN index answers; SQLite has
no such index and scans, which is fine at its size (``momoflow.database.trigram_index``).

For the inbox search (``momoflow.workflows.search``), also on PostgreSQL only: the inbox
index carries ``request_id`` (the search reads no task rows), and statistics on how a
person's tasks split between waiting and done, so the planner knows a heavy approver's
inbox holds thousands of tasks, not dozens, and hashes the few requests a rare search
text matches instead of looking up every inbox row.

Revision ID: f3b5d7f9a1c4
Revises: e2a4c6e8f0b3
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b5d7f9a1c4'
down_revision = 'e2a4c6e8f0b3'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_users_display_name_trgm', 'users', 'display_name'),
    ('ix_users_email_trgm', 'users', 'email'),
    ('ix_workflow_requests_title_trgm', 'workflow_requests', 'title'),
    ('ix_workflow_requests_number_trgm', 'workflow_requests', 'request_number'),
)


def _postgresql():
    return op.get_bind().dialect.name == 'postgresql'


INBOX_WHERE = "status = 'PENDING' AND due_at IS NOT NULL"


def _inbox_index(include):
    op.drop_index('ix_approval_tasks_inbox', table_name='approval_tasks', postgresql_where=sa.text(INBOX_WHERE))
    op.create_index('ix_approval_tasks_inbox', 'approval_tasks', ['assignee_id', 'due_at', 'id'], unique=False,
                    postgresql_include=include, postgresql_where=sa.text(INBOX_WHERE))


def upgrade():
    if not _postgresql():
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], unique=False, postgresql_using='gin',
                        postgresql_ops={column: 'gin_trgm_ops'})
    _inbox_index(['request_id'])
    op.execute('CREATE STATISTICS st_approval_tasks_inbox (mcv) ON assignee_id, status, (due_at IS NOT NULL) '
               'FROM approval_tasks')


def downgrade():
    # The extension stays: other schemas in the database may use it.
    if not _postgresql():
        return
    op.execute('DROP STATISTICS IF EXISTS st_approval_tasks_inbox')
    _inbox_index([])
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
