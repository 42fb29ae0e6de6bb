"""Settings → Webhooks: admins only, the secret shown once, events, enable/disable, the
delivery log (keyset pages, fixed query count) and Resend, against a real receiver."""

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Role
from momoflow.database import utcnow
from momoflow.events import Event
from momoflow.webhooks import services
from momoflow.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.conftest import csrf_token_from
from tests.factories import make_org, make_user
from tests.flows.conftest import SEED_BODY, demo_org, integrator  # noqa: F401  (fixtures)
from tests.webhooks.receiver import receiver  # noqa: F401  (fixture)

ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"
MANAGER = "manager@royalenfield.com"
HTMX = {"HX-Request": "true"}
SECRET = re.compile(r'<code id="new-secret-value"[^>]*>(whsec_[A-Za-z0-9+/=]+)</code>')


def token_on(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def post(client, url, data=None, htmx=False, token=None):
    headers = {"X-CSRFToken": token or token_on(client), **(HTMX if htmx else {})}
    return client.post(url, data=data or {}, headers=headers)


def error_of(html, input_id):
    match = re.search(rf'<p class="field__error" id="{re.escape(input_id)}-error">([^<]*)</p>', html)
    return match and match.group(1)


def rows(html):
    return len(re.findall(r'<li class="key-row[^"]*" id="delivery-[0-9a-f-]{36}"', html))


def fresh(db, model, ident):
    return db.session.get(model, ident, populate_existing=True)


def make_deliveries(endpoint, count, status=DeliveryStatus.DELIVERED):
    """``count`` deliveries to ``endpoint``, a second apart, newest last."""
    from momoflow.extensions import db

    start = utcnow() - timedelta(hours=1)
    made = []
    for number in range(count):
        event = Event(organization_id=endpoint.organization_id, type="flow.assigned", subject_id=uuid.uuid4(),
                      payload={"n": number}, occurred_at=start, dispatched_at=start)
        db.session.add(event)
        db.session.flush()
        made.append(WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, event_type=event.type, status=status,
                                    attempts=1, last_status_code=200, last_response_excerpt=f"reply {number}",
                                    created_at=start + timedelta(seconds=number), delivered_at=start))
    db.session.add_all(made)
    db.session.flush()
    return made


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("person", [EMPLOYEE, MANAGER])
def test_only_admins_open_or_post_to_the_webhook_pages(client, demo, demo_org, login_as, db, person):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    login_as(demo[person])
    token = token_on(client)
    for url in ("/settings/webhooks", f"/settings/webhooks/{endpoint.id}"):
        assert client.get(url).status_code == 403
    for url in ("/settings/webhooks", f"/settings/webhooks/{endpoint.id}/disable",
                f"/settings/webhooks/{endpoint.id}/events"):
        assert post(client, url, {"url": "https://93.184.215.14/x"}, token=token).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 1
    assert fresh(db, WebhookEndpoint, endpoint.id).enabled


def test_signed_out_people_are_sent_to_sign_in(client, demo):
    response = client.get("/settings/webhooks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_posts_without_a_csrf_token_are_refused(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    login_as(demo[ADMIN])
    assert client.post("/settings/webhooks", data={"url": "https://93.184.215.14/x"}).status_code == 400
    assert client.post(f"/settings/webhooks/{endpoint.id}/disable", headers=HTMX).status_code == 400
    assert fresh(db, WebhookEndpoint, endpoint.id).enabled
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 1


def test_another_organisations_endpoint_and_deliveries_are_404(client, demo, login_as, db):
    elsewhere, _ = services.create_endpoint(make_org(), "https://93.184.215.14/hooks")
    [delivery] = make_deliveries(elsewhere, 1)
    login_as(demo[ADMIN])
    token = token_on(client)
    base = f"/settings/webhooks/{elsewhere.id}"
    assert client.get(base).status_code == 404
    for url in (f"{base}/disable", f"{base}/events", f"{base}/deliveries/{delivery.id}/resend"):
        assert post(client, url, token=token).status_code == 404
    assert client.get("/settings/webhooks/not-a-uuid").status_code == 404
    assert fresh(db, WebhookEndpoint, elsewhere.id).enabled


def test_the_nav_links_to_webhooks_for_admins(client, demo, login_as):
    """Through the nav's Settings entry, whose page has Webhooks among its tabs (issue 11)."""
    login_as(demo[ADMIN])
    settings = re.search(r'<a href="([^"]+)"[^>]*>Settings</a>', client.get("/").get_data(as_text=True)).group(1)
    assert 'href="/settings/webhooks"' in client.get(settings).get_data(as_text=True)
    login_as(demo[MANAGER])
    html = client.get("/").get_data(as_text=True)
    assert "/settings/webhooks" not in html and ">Settings</a>" not in html


# --- adding an endpoint ------------------------------------------------------------------------


def test_the_page_renders_with_grouped_event_checkboxes(client, demo, login_as):
    login_as(demo[ADMIN])
    response = client.get("/settings/webhooks")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'for="webhook-url"' in html and "No webhook endpoints yet." in html
    assert 'class="settings-tabs"' in html and '<a href="/settings/webhooks" aria-current="page">' in html
    for group in ("Requests", "Approval levels", "Flows"):
        assert f'<legend class="muted">{group}</legend>' in html
    assert 'value="flow.completed"' in html and 'value="level.tat_breached"' in html
    assert 'value="webhook.disabled"' not in html


def test_a_new_endpoints_secret_is_shown_once(client, demo, demo_org, login_as, db):
    login_as(demo[ADMIN])
    response = post(client, "/settings/webhooks", {"url": "https://93.184.215.14/hooks", "description": "HRIS",
                                                   "events": ["flow.assigned", "flow.completed"]}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(html).group(1)
    assert 'data-copy="new-secret-value"' in html and "won't be shown again" in html
    assert 'hx-swap-oob="beforeend:#toasts"' in html
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert (endpoint.url, endpoint.description, endpoint.event_types, endpoint.secret) == (
        "https://93.184.215.14/hooks", "HRIS", ["flow.assigned", "flow.completed"], secret)

    again = client.get("/settings/webhooks").get_data(as_text=True)
    assert secret not in again and "https://93.184.215.14/hooks" in again and "2 chosen" in again
    assert secret not in client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    with client.session_transaction() as session:
        assert secret not in str(dict(session))


def test_without_javascript_the_whole_page_comes_back_with_the_secret(client, demo, login_as):
    login_as(demo[ADMIN])
    html = post(client, "/settings/webhooks", {"url": "https://93.184.215.14/hooks"}).get_data(as_text=True)
    assert "<h1>Webhooks</h1>" in html and SECRET.search(html) and "All</dd>" in html


@pytest.mark.parametrize("url, message", [
    ("http://10.0.0.1/hooks", "This URL cannot be used: 10.0.0.1 is a private address"),
    ("http://169.254.169.254/latest", "This URL cannot be used: 169.254.169.254 is "
                                      "a cloud metadata address"),
    ("http://127.0.0.1:8080/", "This URL cannot be used: 127.0.0.1 is a loopback address"),
    ("ftp://example.com/", "This URL cannot be used: the URL must start with http:// or https://"),
    ("", "Enter the URL that should receive the events"),
])
def test_urls_that_cannot_be_used_are_refused_up_front(client, demo, login_as, db, url, message):
    login_as(demo[ADMIN])
    response = post(client, "/settings/webhooks", {"url": url, "events": ["flow.assigned"]}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and error_of(html, "webhook-url") == message
    assert 'aria-invalid="true"' in html and "whsec_" not in html
    assert 'value="flow.assigned" checked' in html  # the form keeps what was entered
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_unknown_events_and_long_descriptions_are_inline_errors(client, demo, login_as):
    login_as(demo[ADMIN])
    response = post(client, "/settings/webhooks", {"url": "https://93.184.215.14/h", "description": "x" * 201,
                                                   "events": ["flow.assigned", "webhook.disabled"]}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "add-events") == "Unknown event type: webhook.disabled"
    assert "at most 200 characters" in error_of(html, "webhook-description")


# --- one endpoint: events, on/off, the log ---------------------------------------------------------


def test_choosing_events_on_the_endpoint_page(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    login_as(demo[ADMIN])
    url = f"/settings/webhooks/{endpoint.id}/events"
    response = post(client, url, {"events": ["level.started", "flow.overdue"]}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="endpoint-events"' in html
    assert "Events saved: flow.overdue, level.started." in html and 'value="flow.overdue" checked' in html
    assert fresh(db, WebhookEndpoint, endpoint.id).event_types == ["flow.overdue", "level.started"]

    bad = post(client, url, {"events": ["flow.nope"]}, htmx=True)
    assert bad.status_code == 422 and error_of(bad.get_data(as_text=True), "endpoint-events")
    everything = post(client, url, {})
    assert everything.status_code == 303 and everything.headers["Location"].endswith(f"/settings/webhooks/{endpoint.id}")
    assert fresh(db, WebhookEndpoint, endpoint.id).event_types == []


def test_disabling_and_enabling(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    login_as(demo[ADMIN])
    assert "Send test event" in client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    response = post(client, f"/settings/webhooks/{endpoint.id}/disable")
    assert response.status_code == 303
    html = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Disabled by an administrator" in html and "Enable this endpoint" in html
    assert "Send test event" not in html  # the whole page follows the state
    assert not fresh(db, WebhookEndpoint, endpoint.id).enabled
    response = post(client, f"/settings/webhooks/{endpoint.id}/enable")
    assert response.status_code == 303
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert endpoint.enabled and endpoint.disabled_reason is None


def test_the_log_shows_each_delivery_and_resend_delivers_it_again(client, app, demo, demo_org, integrator,
                                                                  receiver, login_as, db, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", "")  # one attempt, then give up
    endpoint, receiver.secret = services.create_endpoint(demo_org, receiver.url)
    receiver.script(500)
    assert integrator.post("/flows/assign", json=SEED_BODY).status_code == 200
    endpoint = fresh(db, WebhookEndpoint, endpoint.id)
    assert not endpoint.enabled  # every attempt (one) failed
    delivery = db.session.scalar(sa.select(WebhookDelivery))

    login_as(demo[ADMIN])
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "flow.assigned" in page and "Failed" in page and "HTTP 500" in page and "answer 500" in page
    assert f"msg_{delivery.event_id.hex}" in page and "/resend" not in page  # enable it first
    assert "Every attempt failed (1); the last: HTTP 500" in page

    post(client, f"/settings/webhooks/{endpoint.id}/enable")
    response = post(client, f"/settings/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'id="delivery-{delivery.id}"' in html and "is being sent again" in html
    assert "Pending" in html and "<dd>0</dd>" in html and "answer 500" not in html  # queued, as if new
    delivery = fresh(db, WebhookDelivery, delivery.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert [d.msg_id for d in receiver.deliveries] == [f"msg_{delivery.event_id.hex}"] * 2
    assert all(d.verified for d in receiver.deliveries)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)) == 2
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "Delivered" in page and "<dd>200</dd>" in page


def test_resending_to_a_disabled_endpoint_is_refused(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    [delivery] = make_deliveries(endpoint, 1)
    services.disable_endpoint(demo_org, endpoint.id)
    login_as(demo[ADMIN])
    response = post(client, f"/settings/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend", htmx=True)
    assert response.status_code == 409 and "Enable the endpoint" in response.headers["HX-Trigger"]
    unknown = post(client, f"/settings/webhooks/{endpoint.id}/deliveries/{uuid.uuid4()}/resend", htmx=True)
    assert unknown.status_code == 404


def test_a_delivery_still_being_tried_cannot_be_resent(client, demo, demo_org, login_as, db):
    """A drain may hold it right now: a reset could send it twice."""
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    [delivery] = make_deliveries(endpoint, 1, status=DeliveryStatus.PENDING)
    login_as(demo[ADMIN])
    page = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert f"/deliveries/{delivery.id}/resend" not in page
    response = post(client, f"/settings/webhooks/{endpoint.id}/deliveries/{delivery.id}/resend", htmx=True)
    assert response.status_code == 409 and "retried automatically" in response.headers["HX-Trigger"]


def test_the_log_loads_more_by_cursor(client, demo, demo_org, login_as, db):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    made = make_deliveries(endpoint, services.LOG_PAGE + 5)
    login_as(demo[ADMIN])
    html = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert rows(html) == services.LOG_PAGE
    assert f'id="delivery-{made[-1].id}"' in html and f'id="delivery-{made[0].id}"' not in html  # newest first
    more_url = re.search(r'href="(/settings/webhooks/[^"]+\?cursor=[^"]+)"', html).group(1)
    more = client.get(more_url, headers=HTMX).get_data(as_text=True)
    assert rows(more) == 5 and f'id="delivery-{made[0].id}"' in more
    assert 'hx-swap-oob="beforeend:#delivery-list"' in more and "Load more" not in more
    assert client.get(f"/settings/webhooks/{endpoint.id}?cursor=nonsense").status_code == 400


def test_the_log_runs_a_fixed_number_of_queries(client, demo, demo_org, login_as, db, count_queries):
    endpoint, _ = services.create_endpoint(demo_org, "https://93.184.215.14/hooks")
    make_deliveries(endpoint, 1)
    login_as(demo[ADMIN])
    with count_queries() as one:
        assert client.get(f"/settings/webhooks/{endpoint.id}").status_code == 200
    make_deliveries(endpoint, 20)
    with count_queries() as many:
        html = client.get(f"/settings/webhooks/{endpoint.id}").get_data(as_text=True)
    assert rows(html) == 21 and len(many) == len(one), many
    for number in range(10):
        services.create_endpoint(demo_org, f"https://93.184.215.14/hooks/{number}")
    with count_queries() as listing:
        assert client.get("/settings/webhooks").status_code == 200
    assert len(listing) <= len(one)


def test_an_admin_of_another_organisation_sees_only_their_own(client, demo, demo_org, login_as):
    services.create_endpoint(demo_org, "https://93.184.215.14/ours")
    other = make_org()
    services.create_endpoint(other, "https://93.184.215.14/theirs")
    login_as(make_user(other, role=Role.ADMIN))
    html = client.get("/settings/webhooks").get_data(as_text=True)
    assert "/theirs" in html and "/ours" not in html
