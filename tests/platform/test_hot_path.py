"""The assign path's rows go in through Core INSERTs, which apply none of the models'
defaults: the builders in ``hot_path`` (and ``events``) must set every such column."""

import uuid

from momoflow import hot_path
from momoflow.apikeys.models import IdempotencyRecord
from momoflow.database import utcnow
from momoflow.events import Event, event_row
from momoflow.flows.models import Assignment, Flow, Priority
from momoflow.flows.validation import AssignSpec


def _unset_defaults(table, row):
    """Columns with a default that the row leaves out or empty."""
    defaulted = [column.key for column in table.columns
                 if column.default is not None or column.server_default is not None]
    return [key for key in defaulted if row.get(key) is None]


def test_a_new_assignment_sets_every_column_with_a_default():
    spec = AssignSpec("flow_123abc", "employee@company.com", None, Priority.HIGH, None)
    flow = Flow(id=uuid.uuid4(), version=3, module_count=5)
    row = hot_path.assignment_row(hot_path.new_assignment(uuid.uuid4(), flow, uuid.uuid4(), spec))
    assert set(row) == {column.key for column in Assignment.__table__.columns}
    assert _unset_defaults(Assignment.__table__, row) == []
    assert (row["flow_version"], row["module_total"]) == (3, 5)  # the flow's current version


def test_a_stored_answer_sets_every_column_with_a_default():
    row = hot_path.answer_row(uuid.uuid4(), "req_1", "hash", 200, {"success": True})
    assert set(row) == {column.key for column in IdempotencyRecord.__table__.columns}
    assert _unset_defaults(IdempotencyRecord.__table__, row) == []


def test_an_event_row_sets_every_column_with_a_default():
    row = event_row("flow.assigned", uuid.uuid4(), uuid.uuid4(), None, {"assignmentId": "asgn_1"}, utcnow())
    assert set(row) == {column.key for column in Event.__table__.columns}
    assert _unset_defaults(Event.__table__, row) == []
