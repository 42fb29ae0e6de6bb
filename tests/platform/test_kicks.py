"""Kicks wait for the real commit: a worker must never look for rows a transaction has
not committed yet (a savepoint released is not a commit), and a rollback takes them back."""

import pytest

from momoflow import jobs
from momoflow.extensions import db


@pytest.fixture
def kicked(monkeypatch):
    seen = []
    monkeypatch.setattr(jobs, "kick", seen.append)
    return seen


def test_a_kick_inside_a_savepoint_waits_for_the_outer_commit(app, kicked):
    with app.app_context():
        with db.session.begin_nested():
            jobs.kick_after_commit(db.session(), "mail")
        assert kicked == []  # the savepoint was released, nothing is committed yet
        db.session.commit()
        assert kicked == ["mail"]
        db.session.remove()


def test_a_savepoint_rolled_back_keeps_the_kicks_of_the_rest(app, kicked):
    with app.app_context():
        jobs.kick_after_commit(db.session(), "events")
        try:
            with db.session.begin_nested():
                raise RuntimeError("this part fails")
        except RuntimeError:
            pass
        db.session.commit()
        assert kicked == ["events"]
        db.session.remove()


def test_a_rollback_takes_the_kicks_back(app, kicked):
    with app.app_context():
        db.session.execute(db.select(1))  # a transaction under way, as when rows were written
        jobs.kick_after_commit(db.session(), "webhooks")
        db.session.rollback()
        db.session.commit()
        assert kicked == []
        db.session.remove()
