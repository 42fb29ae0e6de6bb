"""``database.execute_lean``: a prebuilt statement run straight through psycopg on PostgreSQL
gives the same answers as ``session.execute``, inside the session's transaction, after
flushing what the session holds. Elsewhere ``execute_lean`` *is* ``session.execute``, and
comparing it with itself would prove nothing: these tests need PostgreSQL."""

import uuid

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Organization, Tier
from momoflow.database import execute_lean, utcnow
from momoflow.events import Event
from tests.conftest import need
from tests.factories import make_org

_events = Event.__table__
_EVENT = sa.select(_events.c.id, _events.c.type, _events.c.payload, _events.c.occurred_at,
                   _events.c.dispatched_at).where(_events.c.id == sa.bindparam("id"))
_INSERT_EVENT = sa.insert(_events)
_TIER = sa.select(Organization.__table__.c.tier).where(Organization.__table__.c.id == sa.bindparam("id"))


@pytest.fixture(autouse=True)
def postgresql(db):
    need(db.engine.dialect.name == "postgresql",
         "execute_lean only has a path of its own on PostgreSQL (set TEST_DATABASE_URL)")


def _event_row(organization, **overrides):
    return {"id": uuid.uuid4(), "organization_id": organization.id, "type": "flow.assigned",
            "subject_id": uuid.uuid4(), "actor_id": None, "payload": {"flowId": "flow_x", "modules": [1, 2]},
            "occurred_at": utcnow(), "dispatched_at": None, "attempts": 0, "retry_at": None, **overrides}


def test_it_answers_as_session_execute_does_and_sees_pending_objects(db):
    organization = make_org(tier=Tier.ENTERPRISE)
    event = Event(id=uuid.uuid4(), organization_id=organization.id, type="flow.started", subject_id=uuid.uuid4(),
                  payload={"progress": {"done": 1, "of": 5}, "note": "ünïcode"})
    db.session.add(event)  # pending: execute_lean flushes it first, as session.execute would
    result = execute_lean(_EVENT, {"id": event.id})
    assert not isinstance(result, sa.Result)  # psycopg's own cursor, not session.execute
    lean = result.fetchone()
    assert lean is not None
    assert tuple(lean) == tuple(db.session.execute(_EVENT, {"id": event.id}).one())
    assert lean.occurred_at.utcoffset() is not None  # aware, as everywhere else
    assert Tier(execute_lean(_TIER, {"id": organization.id}).fetchone().tier) is Tier.ENTERPRISE


def test_its_writes_are_in_the_sessions_transaction(db):
    organization = make_org()
    kept, undone = _event_row(organization), _event_row(organization, payload={"undone": True})
    execute_lean(_INSERT_EVENT, kept)
    savepoint = db.session.begin_nested()
    execute_lean(_INSERT_EVENT, undone)
    savepoint.rollback()
    stored = db.session.get(Event, kept["id"])
    assert stored is not None and stored.payload == {"flowId": "flow_x", "modules": [1, 2]}
    assert db.session.get(Event, undone["id"]) is None
