"""Settings → Webhooks, one endpoint: edit its URL and description (the same SSRF rules as
adding one), delete it (nothing more is sent; the log is kept 30 days, then purged), and
who may do either. The test event and secret rotation are in test_test_and_rotate.py."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow import maintenance
from momoflow.database import utcnow
from momoflow.jobs import tick
from momoflow.webhooks import delivery, services
from momoflow.webhooks.models import DELETED_LOG_KEPT_FOR, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.factories import make_org
from tests.flows.conftest import demo_org  # noqa: F401  (fixture)
from tests.webhooks.receiver import receiver  # noqa: F401  (fixture)
from tests.webhooks.test_delivery import assign, settle
from tests.webhooks.test_pages import ADMIN, EMPLOYEE, HTMX, MANAGER, error_of, fresh, make_deliveries, post, token_on

URL = "https://93.184.215.14/hooks"
ACTIONS = ("details", "delete", "rotate", "test")


def count(db, model, *conditions):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("person", [EMPLOYEE, MANAGER])
def test_only_admins_edit_delete_rotate_or_test(client, demo, demo_org, login_as, db, person):
    endpoint, secret = services.create_endpoint(demo_org, URL)
    login_as(demo[person])
    token = token_on(client)
    for action in ACTIONS:
        response = post(client, f"/settings/webhooks/{endpoint.id}/{action}", {"url": URL + "/x"}, token=token)
        assert response.status_code == 403, action
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert (endpoint.url, endpoint.secret, endpoint.deleted_at) == (URL, secret, None)
    assert count(db, WebhookDelivery) == 0


def test_without_a_csrf_token_nothing_changes(client, demo, demo_org, login_as, db):
    endpoint, secret = services.create_endpoint(demo_org, URL)
    login_as(demo[ADMIN])
    for action in ACTIONS:
        assert client.post(f"/settings/webhooks/{endpoint.id}/{action}", data={"url": URL + "/x"},
                           headers=HTMX).status_code == 400, action
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert (endpoint.url, endpoint.secret, endpoint.deleted_at) == (URL, secret, None)
    assert count(db, WebhookDelivery) == 0


def test_another_organisations_endpoint_is_404_to_every_action(client, demo, login_as, db):
    elsewhere, secret = services.create_endpoint(make_org(), URL)
    login_as(demo[ADMIN])
    token = token_on(client)
    for action in ACTIONS:
        response = post(client, f"/settings/webhooks/{elsewhere.id}/{action}", {"url": URL + "/x"}, htmx=True,
                        token=token)
        assert response.status_code == 404, action
    elsewhere = fresh(db, WebhookEndpoint, elsewhere.id)
    assert (elsewhere.url, elsewhere.secret, elsewhere.deleted_at, elsewhere.enabled) == (URL, secret, None, True)
    assert count(db, WebhookDelivery) == 0


# --- editing -------------------------------------------------------------------------------


def test_editing_the_url_and_description(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, URL, ["flow.assigned"], "HRIS")
    login_as(demo[ADMIN])
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert f'id="endpoint-url" name="url" value="{URL}"' in page and 'value="HRIS"' in page

    response = post(client, f"/settings/webhooks/{endpoint.id}/details",
                    {"url": " https://93.184.215.14/v2 ", "description": "Workday sync"}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="endpoint-details"' in html and "Endpoint saved." in html
    assert '<div id="endpoint-head" hx-swap-oob="true">' in html  # the title follows the new URL
    assert '<h1 class="key-row__name">https://93.184.215.14/v2</h1>' in html
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert (endpoint.url, endpoint.description, endpoint.event_types) == (
        "https://93.184.215.14/v2", "Workday sync", ["flow.assigned"])

    plain = post(client, f"/settings/webhooks/{endpoint.id}/details", {"url": URL, "description": ""})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/settings/webhooks/{endpoint.id}")
    assert (fresh(db, WebhookEndpoint, endpoint.id).url, endpoint.description) == (URL, "")


@pytest.mark.parametrize("url, message", [
    ("http://10.0.0.1/hooks", "This URL cannot be used: 10.0.0.1 is a private address"),
    ("http://169.254.169.254/latest", "This URL cannot be used: 169.254.169.254 is a cloud metadata address"),
    ("http://[::ffff:127.0.0.1]/", "This URL cannot be used: ::ffff:127.0.0.1 is an IPv6 address that embeds "
                                   "a loopback address"),
    ("http://user:pw@93.184.215.14/", "This URL cannot be used: credentials in the URL are not supported"),
    ("", "Enter the URL that should receive the events"),
    ("https://93.184.215.14/" + "x" * 2000, "The URL must be at most 2000 characters"),
])
def test_a_url_that_cannot_be_used_is_an_inline_error_and_changes_nothing(client, demo, demo_org, login_as, db,
                                                                         url, message):
    endpoint, _ = services.create_endpoint(demo_org, URL, description="HRIS")
    login_as(demo[ADMIN])
    response = post(client, f"/settings/webhooks/{endpoint.id}/details", {"url": url, "description": "Changed"},
                    htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and error_of(html, "endpoint-url") == message
    assert 'aria-invalid="true"' in html and 'value="Changed"' in html  # what was typed stays
    assert "hx-swap-oob" not in html.replace('hx-swap-oob="beforeend:#toasts"', "")  # no head, no toast
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert (endpoint.url, endpoint.description) == (URL, "HRIS")


def test_without_javascript_a_refused_edit_shows_the_whole_page_with_the_error(client, demo, demo_org, login_as,
                                                                               db):
    endpoint, _ = services.create_endpoint(demo_org, URL)
    login_as(demo[ADMIN])
    response = post(client, f"/settings/webhooks/{endpoint.id}/details",
                    {"url": "http://10.0.0.1/", "description": "x" * 201})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'<h1 class="key-row__name">{URL}</h1>' in html
    assert error_of(html, "endpoint-url") == "This URL cannot be used: 10.0.0.1 is a private address"
    assert "at most 200 characters" in error_of(html, "endpoint-description")
    assert fresh(db, WebhookEndpoint, endpoint.id).url == URL


def test_hostile_form_values_are_inline_errors(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, URL)
    login_as(demo[ADMIN])
    response = post(client, f"/settings/webhooks/{endpoint.id}/details", {"url": URL, "description": "a\x00b"},
                    htmx=True)
    assert response.status_code == 422
    assert "at most 200 characters" in error_of(response.get_data(as_text=True), "endpoint-description")
    # What a form cannot carry, a caller of the service still might.
    with pytest.raises(services.ValidationFailed) as refused:
        services.update_endpoint(demo_org, endpoint.id, ["not", "text"], {"a": 1})
    assert [field for field, _ in refused.value.problems] == ["url", "description"]
    with pytest.raises(services.ValidationFailed) as refused:
        services.update_endpoint(demo_org, endpoint.id, "https://93.184.215.14/\ud800", "\udfff")
    assert refused.value.problems == [("url", "The URL must be valid text"),
                                      ("description", "Description must be valid text")]
    assert fresh(db, WebhookEndpoint, endpoint.id).url == URL


def test_deliveries_still_waiting_go_to_the_new_url(app, demo, demo_org, receiver, db, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", "600")
    endpoint, receiver.secret = services.create_endpoint(demo_org, receiver.url.replace("/momoflow", "/old"))
    receiver.script(500)
    assign(demo)
    settle(db)
    services.update_endpoint(demo_org, endpoint.id, receiver.url, "")
    row = db.session.scalar(sa.select(WebhookDelivery))
    row.next_attempt_at = utcnow()
    db.session.commit()
    delivery.drain()
    assert [d.path for d in receiver.deliveries] == ["/hooks/old", "/hooks/momoflow"]
    assert fresh(db, WebhookDelivery, row.id).status == DeliveryStatus.DELIVERED


# --- deleting --------------------------------------------------------------------------------


def test_deleting_hides_the_endpoint_and_its_page(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, URL)
    [kept] = make_deliveries(endpoint, 1)
    login_as(demo[ADMIN])
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Its delivery log is kept for 30 days" in page

    response = post(client, f"/settings/webhooks/{endpoint.id}/delete", htmx=True)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/settings/webhooks"
    listing = client.get("/settings/webhooks").get_data(as_text=True)
    assert f"Endpoint {URL} deleted." in listing and "its delivery log is kept for 30 days" in listing
    assert f'href="/settings/webhooks/{endpoint.id}"' not in listing and "No webhook endpoints yet." in listing
    assert "Deleted endpoints' logs are kept for 30 days." in listing

    assert client.get(f"/settings/webhooks/{endpoint.id}").status_code == 404
    token = token_on(client)
    for action in (*ACTIONS, "enable", "disable", "events", f"deliveries/{kept.id}/resend"):
        assert post(client, f"/settings/webhooks/{endpoint.id}/{action}", {"url": URL}, token=token).status_code == 404
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert endpoint.deleted_at is not None and not endpoint.enabled
    assert fresh(db, WebhookDelivery, kept.id) is not None  # the log is kept

    plain = post(client, f"/settings/webhooks/{services.create_endpoint(demo_org, URL)[0].id}/delete")
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/settings/webhooks")


def test_a_deleted_endpoint_is_sent_nothing_more(app, demo, demo_org, receiver, db, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", "600")
    endpoint, receiver.secret = services.create_endpoint(demo_org, receiver.url)
    receiver.script(500)
    assign(demo)
    settle(db)
    row = db.session.scalar(sa.select(WebhookDelivery))
    assert (row.status, len(receiver.deliveries)) == (DeliveryStatus.PENDING, 1)  # a retry is waiting

    services.delete_endpoint(demo_org, endpoint.id)
    db.session.commit()
    row = fresh(db, WebhookDelivery, row.id)
    assert (row.status, row.last_error) == (DeliveryStatus.FAILED, services.ENDPOINT_DELETED)
    assign(demo, email="hr@royalenfield.com")  # a new event: not planned for it
    settle(db)
    assert count(db, WebhookDelivery) == 1

    # A retry recorded by a drain that was mid-post when the endpoint went is failed, not sent.
    row.status, row.next_attempt_at = DeliveryStatus.PENDING, utcnow()
    db.session.commit()
    delivery.drain()
    assert len(receiver.deliveries) == 1 and fresh(db, WebhookDelivery, row.id).status == DeliveryStatus.FAILED


def with_attempts(deliveries):
    from momoflow.extensions import db

    db.session.add_all(WebhookAttempt(delivery_id=row.id, status_code=200) for row in deliveries)
    db.session.flush()
    return deliveries


def test_a_deleted_endpoints_log_is_kept_30_days_then_the_tick_purges_it(app, db, monkeypatch):
    # Events kept longer than the log: what removes the log is the endpoint's deletion, not its events'.
    monkeypatch.setitem(app.config, "EVENT_RETENTION_DAYS", 90)
    organization = make_org()
    endpoint, _ = services.create_endpoint(organization, URL)
    survivor, _ = services.create_endpoint(organization, URL + "/still-here")
    rows = [row.id for row in with_attempts(make_deliveries(endpoint, 3))]
    with_attempts(make_deliveries(survivor, 1))
    endpoint_id = endpoint.id
    services.delete_endpoint(organization, endpoint.id)
    db.session.commit()
    deleted_at = fresh(db, WebhookEndpoint, endpoint.id).deleted_at

    monkeypatch.setattr(tick, "utcnow", lambda: deleted_at + DELETED_LOG_KEPT_FOR - timedelta(seconds=1))
    tick.run()
    assert fresh(db, WebhookEndpoint, endpoint.id) is not None
    assert count(db, WebhookDelivery, WebhookDelivery.endpoint_id == endpoint.id) == 3

    monkeypatch.setattr(tick, "utcnow", lambda: deleted_at + DELETED_LOG_KEPT_FOR + timedelta(seconds=1))
    tick.run()
    assert count(db, WebhookEndpoint, WebhookEndpoint.id == endpoint_id) == 0
    assert count(db, WebhookDelivery, WebhookDelivery.endpoint_id == endpoint_id) == 0
    assert count(db, WebhookAttempt, WebhookAttempt.delivery_id.in_(rows)) == 0
    assert fresh(db, WebhookEndpoint, survivor.id) is not None  # the rest of the organisation's stay
    assert count(db, WebhookDelivery) == count(db, WebhookAttempt) == 1


def test_a_big_log_goes_in_bounded_batches_before_its_endpoint(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "EVENT_RETENTION_DAYS", 90)
    monkeypatch.setattr(maintenance, "BATCH", 2)
    monkeypatch.setattr(maintenance, "MAX_BATCHES", 1)
    organization = make_org()
    endpoint, _ = services.create_endpoint(organization, URL)
    make_deliveries(endpoint, 3)
    services.delete_endpoint(organization, endpoint.id)
    later = fresh(db, WebhookEndpoint, endpoint.id).deleted_at + DELETED_LOG_KEPT_FOR + timedelta(seconds=1)
    first, second = maintenance.purge(later), maintenance.purge(later)
    assert (first["webhook_deliveries"], first["webhook_endpoints"]) == (2, 0)  # the endpoint waits for its log
    assert (second["webhook_deliveries"], second["webhook_endpoints"]) == (1, 1)
    assert count(db, WebhookEndpoint) == 0
