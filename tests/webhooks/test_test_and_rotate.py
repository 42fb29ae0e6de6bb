"""Send a test event (``webhook.test`` to that endpoint alone, signed and logged like any
delivery) and rotate the signing secret (for 24 hours the old and the new both sign each
delivery, then only the new), against a real receiver on 127.0.0.1."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.errors import Conflict
from momoflow.events import Event
from momoflow.notifications.models import Notification
from momoflow.webhooks import delivery, models, services
from momoflow.webhooks.models import ROTATION_OVERLAP, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from momoflow.webhooks.signing import SignatureError, verify
from tests.flows.conftest import demo_org  # noqa: F401  (fixture)
from tests.webhooks.receiver import Receiver, receiver  # noqa: F401  (fixture)
from tests.webhooks.test_delivery import assign, settle
from tests.webhooks.test_pages import ADMIN, SECRET, fresh, post, rows

ISO_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def accepts(secret, received):
    """Whether a receiver checking with ``secret`` accepts what arrived."""
    try:
        verify(secret, received.headers, received.body)
        return True
    except SignatureError:
        return False


def signatures(received):
    return received.headers["webhook-signature"].split()


def move_clock(monkeypatch, by):
    """The drain and the pages see ``by`` later than now (the rotation's overlap runs out)."""
    moved = lambda: utcnow() + by  # noqa: E731
    monkeypatch.setattr(delivery, "utcnow", moved)
    monkeypatch.setattr(models, "utcnow", moved)


# --- the test event ------------------------------------------------------------------------


def test_a_test_event_reaches_that_endpoint_alone_signed_and_logged(client, demo, demo_org, receiver, login_as, db):
    endpoint, receiver.secret = services.create_endpoint(demo_org, receiver.url, ["flow.completed"])
    other = Receiver().start()
    try:
        services.create_endpoint(demo_org, other.url)  # every event: still not this one
        login_as(demo[ADMIN])
        response = post(client, f"/settings/webhooks/{endpoint.id}/test", htmx=True)
    finally:
        other.stop()
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and rows(html) == 1 and "<code>webhook.test</code>" in html
    assert "webhook.test queued for this endpoint." in html and 'hx-swap-oob="beforeend:#toasts"' in html

    [received] = receiver.deliveries
    assert received.verified, received.problem
    assert other.deliveries == []
    body = received.json
    assert body["type"] == "webhook.test" and ISO_SECOND.fullmatch(body["timestamp"])
    assert body["data"] == {"endpointId": str(endpoint.id),
                            "organization": {"id": str(demo_org.id), "name": demo_org.name},
                            "timestamp": body["timestamp"], "message": "This is a test event from MomoFlow"}
    [row] = db.session.scalars(sa.select(WebhookDelivery).execution_options(populate_existing=True)).all()
    assert (row.endpoint_id, row.event_type, row.status) == (endpoint.id, "webhook.test", DeliveryStatus.DELIVERED)
    assert received.msg_id == f"msg_{row.event_id.hex}"
    event = db.session.get(Event, row.event_id)
    assert event.dispatched_at is not None and event.actor_id == demo[ADMIN].id  # relayed; nobody notified
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.event_id == event.id)) == 0

    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert rows(page) == 1 and "webhook.test" in page and "Delivered" in page and "<dd>200</dd>" in page


def test_a_test_event_is_retried_like_any_delivery(client, demo, demo_org, receiver, login_as, db):
    endpoint, receiver.secret = services.create_endpoint(demo_org, receiver.url)
    receiver.script(500, 200)
    login_as(demo[ADMIN])
    assert post(client, f"/settings/webhooks/{endpoint.id}/test").status_code == 303  # without JS: back to the page
    assert [d.verified for d in receiver.deliveries] == [True, True]
    assert len({d.msg_id for d in receiver.deliveries}) == 1
    row = db.session.scalar(sa.select(WebhookDelivery).execution_options(populate_existing=True))
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 2)


def test_a_disabled_endpoint_cannot_be_sent_a_test_event(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    services.disable_endpoint(demo_org, endpoint.id)
    login_as(demo[ADMIN])
    assert "Send test event" not in client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    response = post(client, f"/settings/webhooks/{endpoint.id}/test", htmx=True)
    assert response.status_code == 409 and "Enable the endpoint" in response.headers["HX-Trigger"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0
    with pytest.raises(Conflict):
        services.send_test_event(demo_org, endpoint.id, demo[ADMIN])


def test_webhook_test_cannot_be_subscribed_to(demo_org, db):
    assert services.TEST_EVENT not in services.SUBSCRIBABLE_EVENTS
    with pytest.raises(services.ValidationFailed):
        services.create_endpoint(demo_org, "https://93.184.215.14/hooks", [services.TEST_EVENT])


# --- rotating the secret -----------------------------------------------------------------------


def test_rotating_shows_the_new_secret_once(client, demo, demo_org, login_as, db):
    endpoint, old = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    login_as(demo[ADMIN])
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Rotate the signing secret" in page and "Previous secret valid until" not in page

    response = post(client, f"/settings/webhooks/{endpoint.id}/rotate", htmx=True)
    html = response.get_data(as_text=True)
    new = SECRET.search(html).group(1)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'id="endpoint-secret"' in html and "It won't be shown again." in html and "Secret rotated." in html
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert (endpoint.secret, endpoint.previous_secret) == (new, old) and new != old
    until = endpoint.previous_secret_until
    assert timedelta(hours=23, minutes=59) < until - utcnow() <= ROTATION_OVERLAP
    assert f'Previous secret valid until <time datetime="{until.isoformat()}"' in html

    again = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert new not in again and old not in again and "Previous secret valid until" in again
    with client.session_transaction() as session:
        assert new not in str(dict(session))

    plain = post(client, f"/settings/webhooks/{endpoint.id}/rotate")  # without JS: the whole page, answered
    newest = SECRET.search(plain.get_data(as_text=True)).group(1)
    assert plain.status_code == 200 and fresh(db, WebhookEndpoint, endpoint.id).secret == newest


def test_for_24_hours_both_secrets_sign_then_only_the_new(client, demo, demo_org, receiver, login_as, db,
                                                          monkeypatch):
    endpoint, old = services.create_endpoint(demo_org, receiver.url)
    receiver.secret = old  # a receiver not yet told of the rotation
    login_as(demo[ADMIN])
    new = SECRET.search(post(client, f"/settings/webhooks/{endpoint.id}/rotate", htmx=True)
                        .get_data(as_text=True)).group(1)

    post(client, f"/settings/webhooks/{endpoint.id}/test", htmx=True)
    [during] = receiver.deliveries
    assert during.verified  # the receiver still checking with the old secret accepts it...
    assert accepts(old, during) and accepts(new, during)  # ...and one checking with the new does too
    assert len(signatures(during)) == 2 and all(part.startswith("v1,") for part in signatures(during))

    move_clock(monkeypatch, ROTATION_OVERLAP + timedelta(seconds=1))
    post(client, f"/settings/webhooks/{endpoint.id}/test", htmx=True)
    after = receiver.deliveries[1]
    assert not after.verified and after.problem == "no matching signature"
    assert accepts(new, after) and not accepts(old, after) and len(signatures(after)) == 1
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Previous secret valid until" not in page


def test_rotating_again_within_24_hours_keeps_two_secrets_never_three(client, demo, demo_org, receiver, login_as,
                                                                      db):
    endpoint, first = services.create_endpoint(demo_org, receiver.url)
    _, second = services.rotate_secret(demo_org, endpoint.id)
    _, third = services.rotate_secret(demo_org, endpoint.id)
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert (endpoint.secret, endpoint.previous_secret) == (third, second)

    receiver.secret = second
    login_as(demo[ADMIN])
    post(client, f"/settings/webhooks/{endpoint.id}/test", htmx=True)
    [received] = receiver.deliveries
    assert received.verified and accepts(third, received) and not accepts(first, received)
    assert len(signatures(received)) == 2


def test_a_delivery_already_waiting_is_signed_with_both_when_it_is_sent(app, demo, demo_org, receiver, db,
                                                                        monkeypatch):
    """The secrets are read when a delivery is sent, not when it was planned."""
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", "600")
    endpoint, old = services.create_endpoint(demo_org, receiver.url)
    receiver.secret = old
    receiver.script(500)
    assign(demo)
    settle(db)
    _, new = services.rotate_secret(demo_org, endpoint.id)
    row = db.session.scalar(sa.select(WebhookDelivery))
    row.next_attempt_at = utcnow()
    db.session.commit()
    delivery.drain()
    first, retry = receiver.deliveries
    assert len(signatures(first)) == 1 and len(signatures(retry)) == 2
    assert retry.verified and accepts(new, retry)
