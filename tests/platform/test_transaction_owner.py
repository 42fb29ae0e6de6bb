"""The request owns its transaction (``momoflow.transactions``): views and services never
commit or roll back, a success is committed, anything else leaves nothing behind."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Blueprint, flash, get_flashed_messages

from momoflow.accounts.models import Organization
from momoflow.errors import Conflict, NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.transactions import keep_even_if_refused, refusals
from tests.conftest import make_test_app

PACKAGE = Path(__file__).resolve().parents[2] / "momoflow"
# Who may end a transaction: the request's owner, the CLI commands and the background jobs.
OWNERS = {"transactions.py", "cli.py", "webhooks/cli.py", "jobs/tick.py", "outbox.py", "notifications/mail.py",
          "webhooks/delivery.py", "exports/services.py",
          "reports/backfill.py"}
ENDS_A_TRANSACTION = re.compile(r"\.(commit|rollback)\(")


def test_only_the_owners_commit_or_roll_back():
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if str(path.relative_to(PACKAGE)) not in OWNERS and ENDS_A_TRANSACTION.search(path.read_text())]
    assert offenders == []


def _organization(slug):
    db.session.add(Organization(slug=slug, name=slug))
    db.session.flush()


@pytest.fixture
def owner_app(tmp_path):
    """An app of its own (its own SQLite file), with routes that change something and
    then answer in each way a view can."""
    app = make_test_app(f"sqlite:///{tmp_path / 'owner.db'}", tmp_path)
    routes = Blueprint("owner_test", __name__)

    @routes.get("/owner/<outcome>")
    def change(outcome):
        _organization(f"made-{outcome}")
        if outcome == "refused":
            raise ValidationFailed([("name", "Name is taken")])
        if outcome == "crashed":
            raise RuntimeError("a bug")
        if outcome == "kept":
            keep_even_if_refused(lambda: _organization("kept-anyway"))
            raise NotFound("Nothing here")
        if outcome == "announced":
            flash("Organisation created.", "success")
        if outcome == "form":
            with refusals() as refused:
                _organization("half-done")
                raise Conflict("Someone else moved first")
            # The page renders on a clean slate: the refused change is gone already.
            seen = db.session.scalar(sa.select(sa.func.count()).select_from(Organization))
            return {"refused": refused.error.message, "status": refused.status, "seen": seen}, refused.status
        return {"ok": True}, 201

    app.register_blueprint(routes)
    with app.app_context():
        db.create_all()
    return app


def _slugs(app):
    with app.app_context():
        return set(db.session.scalars(sa.select(Organization.slug)))


def test_a_success_is_committed_by_the_request(owner_app):
    assert owner_app.test_client().get("/owner/done").status_code == 201
    assert _slugs(owner_app) == {"made-done"}


@pytest.mark.parametrize("outcome, status", [("refused", 400), ("crashed", 500), ("form", 409)])
def test_anything_but_a_success_leaves_nothing(owner_app, outcome, status):
    response = owner_app.test_client().get(f"/owner/{outcome}")
    assert response.status_code == status
    assert _slugs(owner_app) == set()


def test_a_refused_form_renders_without_its_half_done_change(owner_app):
    answer = owner_app.test_client().get("/owner/form").get_json()
    assert answer == {"refused": "Someone else moved first", "status": 409, "seen": 0}


def test_bookkeeping_is_kept_when_the_answer_is_a_refusal(owner_app):
    assert owner_app.test_client().get("/owner/kept").status_code == 404
    assert _slugs(owner_app) == {"kept-anyway"}


@pytest.fixture
def failing_commits():
    """Every commit fails, as when the database goes away at the last moment."""
    def refuse(session):
        raise sa.exc.OperationalError("COMMIT", {}, Exception("server closed the connection"))

    sa.event.listen(sa.orm.Session, "before_commit", refuse)
    yield
    sa.event.remove(sa.orm.Session, "before_commit", refuse)


def test_a_commit_that_fails_is_a_500_and_its_toast_is_dropped(owner_app, failing_commits):
    owner_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not a traceback
    client = owner_app.test_client()
    assert client.get("/owner/announced").status_code == 500
    with client.session_transaction() as cookie_session:
        assert "_flashes" not in cookie_session
