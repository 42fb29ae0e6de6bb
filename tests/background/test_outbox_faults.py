"""Nothing is lost when Redis is down: the change commits, its event waits in the
outbox, and once Redis is back (empty: it keeps nothing across a restart) the workers'
tick finds the event and relays it."""

import pytest
import requests

from momoflow.apikeys.services import create_api_key
from momoflow.accounts.services import find_organization
from momoflow.events import Event
from momoflow.extensions import db
from tests.background.services import wait_for
from tests.flows.conftest import SEED_BODY

pytestmark = pytest.mark.usefixtures("committed_demo")


@pytest.fixture
def api_key(background_app):
    with background_app.app_context():
        _, secret = create_api_key(find_organization("demo"), "HR system")
        db.session.commit()
        db.session.remove()
    return secret


def _events(app, event_type):
    with app.app_context():
        rows = db.session.execute(db.select(Event.id, Event.dispatched_at).where(Event.type == event_type)).all()
        db.session.remove()
        return rows


def test_an_assignment_made_while_redis_is_down_is_relayed_once_redis_is_back(
        background_app, served, api_key, redis_server, workers):
    redis_server.stop()
    response = requests.post(f"{served}/v1/flows/assign", json=SEED_BODY,
                             headers={"Authorization": f"Bearer {api_key}"}, timeout=30)
    assert response.status_code == 200, response.text
    [(_, dispatched_at)] = _events(background_app, "flow.assigned")
    assert dispatched_at is None  # waiting in the outbox

    redis_server.start()
    wait_for(lambda: all(at for _, at in _events(background_app, "flow.assigned")), timeout=45,
             what=f"the event to be relayed; worker log:\n{workers.log()[-3000:]}")
