"""Request numbers: ``REQ-YYYY-MM-NNNN``, counting from 1 each month per organisation.

One upsert both creates the month's counter and increments it, returning the new
value. The counter row stays locked until the creating transaction ends, so
concurrent creates queue on it (PostgreSQL row lock, SQLite's write lock) and a
create that rolls back hands its number back: numbers are unique and gap-free.
"""

from momoflow.database import dialect_insert
from momoflow.extensions import db
from momoflow.workflows.models import RequestNumberCounter

def next_request_number(organization_id, now):
    """The next number for ``now``'s month (UTC)."""
    period = now.strftime("%Y-%m")
    statement = (
        dialect_insert(RequestNumberCounter)
        .values(organization_id=organization_id, period=period, last_value=1)
        .on_conflict_do_update(
            index_elements=["organization_id", "period"],
            set_={"last_value": RequestNumberCounter.last_value + 1},
        )
        .returning(RequestNumberCounter.last_value)
    )
    value = db.session.execute(statement).scalar_one()
    return f"REQ-{period}-{value:04d}"
