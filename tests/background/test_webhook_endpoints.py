"""Settings → Webhooks' actions end to end: an admin signed in over HTTP sends a test event
and rotates the secret, a real ``rq worker-pool`` delivers (Redis set), a receiver checks
every signature; a deleted endpoint's waiting delivery is never sent."""

import re

import pytest
import requests
import sqlalchemy as sa

from momoflow.accounts.services import find_organization
from momoflow.extensions import db
from momoflow.webhooks.models import DeliveryStatus, WebhookDelivery
from momoflow.webhooks.services import ENDPOINT_DELETED, create_endpoint
from momoflow.webhooks.signing import SignatureError, verify
from tests.background.services import WorkerPool, wait_for
from tests.background.test_end_to_end import arrived
from tests.conftest import csrf_token_from

pytestmark = pytest.mark.usefixtures("committed_demo")

ADMIN = "admin@company.com"
SECRET = re.compile(r'<code id="new-secret-value"[^>]*>(whsec_[A-Za-z0-9+/=]+)</code>')


@pytest.fixture
def admin(served):
    """The admin's browser: a requests session signed in through the form; ``post(path)`` as htmx does."""
    session = requests.Session()
    token = csrf_token_from(session.get(f"{served}/login", timeout=30).text)
    response = session.post(f"{served}/login", data={"email": ADMIN, "password": "momoflow-demo", "csrf_token": token},
                            timeout=30)
    assert response.status_code == 200 and "Sign out" in response.text, response.text[:500]
    token = csrf_token_from(session.get(f"{served}/settings/webhooks", timeout=30).text)

    def post(path):
        response = session.post(f"{served}{path}", timeout=30, headers={"X-CSRFToken": token, "HX-Request": "true"})
        assert response.status_code in (200, 204), response.text[:500]
        return response

    return post


def add_endpoint(app, url):
    with app.app_context():
        endpoint, secret = create_endpoint(find_organization("demo"), url)
        db.session.commit()
        endpoint_id = endpoint.id
        db.session.remove()
    return endpoint_id, secret


def accepts(secret, received):
    try:
        verify(secret, received.headers, received.body)
        return True
    except SignatureError:
        return False


def test_a_test_event_and_a_rotated_secret_through_the_workers(background_app, admin, receiver, workers):
    endpoint_id, old = add_endpoint(background_app, receiver.url)
    receiver.secret = old
    admin(f"/settings/webhooks/{endpoint_id}/test")
    [first] = arrived(receiver, "webhook.test", workers=workers)
    assert first.json["data"]["endpointId"] == str(endpoint_id)
    assert first.json["data"]["message"] == "This is a test event from MomoFlow"

    new = SECRET.search(admin(f"/settings/webhooks/{endpoint_id}/rotate").text).group(1)
    admin(f"/settings/webhooks/{endpoint_id}/test")
    second = arrived(receiver, "webhook.test", count=2, workers=workers)[1]  # verified with the old secret
    assert accepts(new, second) and len(second.headers["webhook-signature"].split()) == 2
    assert second.msg_id != first.msg_id  # a new event each time


def test_a_deleted_endpoints_waiting_delivery_is_never_sent(background_app, admin, receiver, worker_environment,
                                                            tmp_path):
    deleted_id, receiver.secret = add_endpoint(background_app, receiver.url.replace("/momoflow", "/deleted"))
    kept_id, kept_secret = add_endpoint(background_app, receiver.url)
    admin(f"/settings/webhooks/{deleted_id}/test")  # no worker yet: it waits in Redis and the database
    assert admin(f"/settings/webhooks/{deleted_id}/delete").headers["HX-Redirect"] == "/settings/webhooks"

    workers = WorkerPool(worker_environment, tmp_path / "worker.log").start()
    try:
        receiver.secret = kept_secret
        admin(f"/settings/webhooks/{kept_id}/test")
        arrived(receiver, "webhook.test", workers=workers)  # the workers are draining: it would have gone by now
        with background_app.app_context():
            def settled():
                rows = db.session.execute(sa.select(WebhookDelivery.endpoint_id, WebhookDelivery.status,
                                                    WebhookDelivery.last_error)).all()
                db.session.rollback()
                return rows if all(row.status != DeliveryStatus.PENDING for row in rows) else None

            rows = {row.endpoint_id: row for row in wait_for(settled, timeout=30, what="every delivery to settle")}
            db.session.remove()
    finally:
        workers.stop()
    assert [d.path for d in receiver.deliveries] == ["/hooks/momoflow"]
    assert (rows[deleted_id].status, rows[deleted_id].last_error) == (DeliveryStatus.FAILED, ENDPOINT_DELETED)
    assert rows[kept_id].status == DeliveryStatus.DELIVERED
