"""The events relay when a handler fails: the event waits and is tried again, the rest of
the batch goes on, and after the last retry it is given up on, loudly."""

import logging
import uuid
from datetime import timedelta

import pytest

from momoflow import outbox
from momoflow.database import utcnow
from momoflow.events import Event, record_event
from tests.factories import make_org

handled = []  # (handler, event subject) for every event a handler finished
broken = set()  # subjects the flaky handler fails on


def steady(events):
    handled.extend(("steady", event.subject_id) for event in events)


def flaky(events):
    if any(event.subject_id in broken for event in events):
        raise RuntimeError("flaky handler failed")
    handled.extend(("flaky", event.subject_id) for event in events)


@pytest.fixture
def relay(monkeypatch):
    monkeypatch.setattr(outbox, "HANDLERS", (f"{__name__}.steady", f"{__name__}.flaky"))
    handled.clear()
    broken.clear()
    yield
    handled.clear()
    broken.clear()


def _events(db, count):
    organization = make_org()
    subjects = [uuid.uuid4() for _ in range(count)]
    for subject in subjects:
        record_event("flow.assigned", organization_id=organization.id, subject_id=subject, payload={})
    db.session.commit()
    return subjects


def _event(db, subject):
    return db.session.scalar(db.select(Event).where(Event.subject_id == subject))


def test_a_failing_event_waits_and_the_rest_of_the_batch_goes_on(relay, db):
    good, bad, later = _events(db, 3)
    broken.add(bad)
    outbox.drain_events()
    assert all(_event(db, subject).dispatched_at for subject in (good, later))
    event = _event(db, bad)
    assert event.dispatched_at is None and event.attempts == 1
    assert timedelta(seconds=25) < event.retry_at - utcnow() <= outbox.RETRY_AFTER[0]
    assert ("steady", bad) in handled and ("flaky", bad) not in handled

    outbox.drain_events()  # not due yet: left alone
    assert _event(db, bad).attempts == 1

    broken.clear()  # fixed, and the retry is due
    _event(db, bad).retry_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    outbox.drain_events()
    assert _event(db, bad).dispatched_at is not None
    assert handled.count(("flaky", bad)) == 1
    assert handled.count(("steady", bad)) == 2, "every handler runs again; their rows are keyed by the event"


def test_a_passing_outage_loses_nothing(relay, db):
    subjects = _events(db, 4)
    broken.update(subjects)  # every handler call fails, batch and one by one
    outbox.drain_events()
    assert [(_event(db, s).dispatched_at, _event(db, s).attempts) for s in subjects] == [(None, 1)] * 4
    broken.clear()
    for subject in subjects:
        _event(db, subject).retry_at = utcnow()
    db.session.commit()
    outbox.drain_events()
    assert all(_event(db, subject).dispatched_at for subject in subjects)
    assert sorted(s for name, s in handled if name == "flaky") == sorted(subjects)


def test_after_the_last_retry_the_event_is_given_up_on_loudly(relay, db, caplog):
    caplog.set_level(logging.WARNING, logger=outbox.__name__)
    [bad] = _events(db, 1)
    broken.add(bad)
    for _ in range(len(outbox.RETRY_AFTER) + 1):
        outbox.drain_events()
        event = _event(db, bad)
        if event.dispatched_at is None:
            event.retry_at = utcnow()
            db.session.commit()
    event = _event(db, bad)
    assert event.dispatched_at is not None and event.attempts == len(outbox.RETRY_AFTER) + 1
    assert any(record.levelno == logging.ERROR and "gave up on event" in record.getMessage()
               for record in caplog.records)


def test_the_sweep_waits_for_a_retry_to_be_due(relay, db, monkeypatch):
    [bad] = _events(db, 1)
    broken.add(bad)
    outbox.drain_events()
    kicked = []
    monkeypatch.setattr(outbox.jobs, "kick", kicked.append)
    outbox.sweep(utcnow() + timedelta(seconds=15))
    assert "events" not in kicked
    outbox.sweep(utcnow() + outbox.RETRY_AFTER[0] + timedelta(seconds=1))
    assert "events" in kicked


def test_a_batch_of_failures_asks_for_one_timed_run(relay, db, monkeypatch):
    subjects = _events(db, 3)
    broken.update(subjects)
    timed = []
    monkeypatch.setattr(outbox.jobs, "kick_at", lambda kind, when: timed.append((kind, when)))
    outbox.drain_events()
    assert timed == [("events", _event(db, subjects[0]).retry_at)]
