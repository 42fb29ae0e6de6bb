"""Managing an organisation's webhook endpoints and their deliveries. Callers own the transaction.

Every function takes the acting organisation and looks rows up within it, so another
organisation's endpoint or delivery is simply not found; neither is a deleted endpoint.
"""

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from momoflow import fields, jobs
from momoflow.database import utcnow
from momoflow.errors import Conflict, NotFound, ValidationFailed
from momoflow.events import EVENT_TYPES, record_event
from momoflow.extensions import db
from momoflow.fields import decode_cursor
from momoflow.flows.schemas import iso
from momoflow.webhooks.http import check_url
from momoflow.webhooks.models import ROTATION_OVERLAP, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from momoflow.webhooks.signing import new_secret
from momoflow.pagination import newest_first_page

TEST_EVENT = "webhook.test"
# webhook.disabled is for the organisation's admins, not for the endpoint that failed;
# webhook.test goes only to the endpoint an admin sends it to.
SUBSCRIBABLE_EVENTS = tuple(sorted(EVENT_TYPES - {"webhook.disabled", TEST_EVENT}))
TEST_MESSAGE = "This is a test event from MomoFlow"
MAX_URL_LENGTH = 2000
MAX_DESCRIPTION_LENGTH = 200
MAX_REASON_LENGTH = 300
LOG_PAGE = 25
DISABLED_BY_ADMIN = "Disabled by an administrator"
DELETED_BY_ADMIN = "Deleted by an administrator"
ENDPOINT_DISABLED = "not sent: the endpoint was disabled"
ENDPOINT_DELETED = "not sent: the endpoint was deleted"


# --- endpoints ------------------------------------------------------------------------


def create_endpoint(organization, url, event_types=(), description="", created_by=None):
    """``(endpoint, secret)``: the secret is shown to the admin once, from this return value."""
    url, description, event_types = _checked(url, description, event_types)
    secret = new_secret()
    endpoint = WebhookEndpoint(organization_id=organization.id, url=url, description=description,
                               event_types=event_types, secret=secret, enabled=True,
                               created_by_id=created_by.id if created_by else None)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, secret


def update_endpoint(organization, endpoint_id, url, description):
    """A new URL or description, checked as when the endpoint was added; deliveries still
    waiting go to the new URL."""
    endpoint = find_endpoint(organization, endpoint_id, for_update=True)
    endpoint.url, endpoint.description, _ = _checked(url, description)
    return endpoint


def update_event_types(organization, endpoint_id, event_types):
    endpoint = find_endpoint(organization, endpoint_id, for_update=True)
    endpoint.event_types = parse_event_types(event_types)
    return endpoint


def enable_endpoint(organization, endpoint_id):
    endpoint = find_endpoint(organization, endpoint_id, for_update=True)
    endpoint.enabled, endpoint.disabled_reason = True, None
    return endpoint


def disable_endpoint(organization, endpoint_id):
    endpoint = find_endpoint(organization, endpoint_id, for_update=True)
    if endpoint.enabled:
        switch_off(endpoint, DISABLED_BY_ADMIN)
    return endpoint


def delete_endpoint(organization, endpoint_id):
    """Soft delete: the endpoint is disabled for good (everything that sends looks only at
    enabled endpoints) and vanishes from the pages; the purge removes it and its log
    ``DELETED_LOG_KEPT_FOR`` later (``momoflow.maintenance``)."""
    endpoint = find_endpoint(organization, endpoint_id, for_update=True)
    endpoint.deleted_at = utcnow()
    switch_off(endpoint, DELETED_BY_ADMIN, not_sent=ENDPOINT_DELETED)
    return endpoint


def rotate_secret(organization, endpoint_id):
    """``(endpoint, new secret)``, the secret shown once like a new endpoint's. The replaced
    secret still signs every delivery for ``ROTATION_OVERLAP``; rotating again meanwhile
    replaces it, so at most two ever sign."""
    endpoint = find_endpoint(organization, endpoint_id, for_update=True)
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, utcnow() + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    return endpoint, endpoint.secret


def send_test_event(organization, endpoint_id, actor):
    """Queue a ``webhook.test`` event to this endpoint alone, whatever it subscribes to; it
    is delivered, signed and retried like any other. Returns its pending delivery."""
    endpoint = find_endpoint(organization, endpoint_id)
    if not endpoint.enabled:
        raise Conflict("Enable the endpoint before sending it a test event")
    now = utcnow()
    payload = {"endpointId": str(endpoint.id), "organization": {"id": str(organization.id), "name": organization.name},
               "timestamp": iso(now), "message": TEST_MESSAGE}
    event = record_event(TEST_EVENT, organization_id=organization.id, subject_id=endpoint.id, actor=actor,
                         payload=payload)
    event.id, event.occurred_at = uuid.uuid4(), now  # the delivery needs its id before a flush
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, event_type=TEST_EVENT,
                               next_attempt_at=now, created_at=now)
    db.session.add(delivery)
    db.session.flush()
    jobs.kick_after_commit(db.session(), "webhooks")
    return delivery


def give_up_on(endpoint_id, reason):
    """Delivery gave up on an endpoint (it is gone, or failed for a day): switch it off and
    tell the admins with a ``webhook.disabled`` event, once however many deliveries give up."""
    endpoint = db.session.scalar(sa.select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
                                 .with_for_update())
    if endpoint is None or not endpoint.enabled:
        return
    switch_off(endpoint, reason)
    record_event("webhook.disabled", organization_id=endpoint.organization_id, subject_id=endpoint.id,
                 payload={"endpointId": str(endpoint.id), "url": endpoint.url, "reason": endpoint.disabled_reason})


def switch_off(endpoint, reason, not_sent=ENDPOINT_DISABLED):
    """Disable ``endpoint``; what was still waiting for it is failed (``not_sent`` says why), not kept for later."""
    endpoint.enabled, endpoint.disabled_reason = False, reason[:MAX_REASON_LENGTH]
    db.session.execute(sa.update(WebhookDelivery)
                       .where(WebhookDelivery.endpoint_id == endpoint.id,
                              WebhookDelivery.status == DeliveryStatus.PENDING)
                       .values(status=DeliveryStatus.FAILED, last_error=not_sent))


def find_endpoint(organization, endpoint_id, for_update=False):
    """``for_update``: lock it, so a change made meanwhile (a deletion) is seen, not overwritten."""
    statement = sa.select(WebhookEndpoint).where(
        WebhookEndpoint.id == _uuid(endpoint_id), WebhookEndpoint.organization_id == organization.id,
        WebhookEndpoint.deleted_at.is_(None))
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    endpoint = db.session.scalar(statement)
    if endpoint is None:
        raise NotFound("Webhook endpoint not found")
    return endpoint


def list_endpoints(organization):
    return db.session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.organization_id == organization.id,
                                                               WebhookEndpoint.deleted_at.is_(None))
                              .order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())).all()


# --- deliveries ---------------------------------------------------------------------


def resend_delivery(organization, endpoint_id, delivery_id):
    """Send a delivery again now, as if new: a fresh set of retries, the same ``webhook-id``
    (its earlier attempts stay in ``webhook_attempts``)."""
    endpoint = find_endpoint(organization, endpoint_id)
    delivery = db.session.scalar(sa.select(WebhookDelivery).where(
        WebhookDelivery.id == _uuid(delivery_id), WebhookDelivery.endpoint_id == endpoint.id))
    if delivery is None:
        raise NotFound("Delivery not found")
    if not endpoint.enabled:
        raise Conflict("Enable the endpoint before resending to it")
    if delivery.status == DeliveryStatus.PENDING:
        # A drain may be posting it this very moment: resetting it now could send it twice
        # and let that drain's outcome overwrite the fresh start.
        raise Conflict("This delivery is still being tried; it is retried automatically")
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.PENDING, 0, utcnow()
    delivery.delivered_at = delivery.last_status_code = delivery.last_error = delivery.last_response_excerpt = None
    jobs.kick_after_commit(db.session(), "webhooks")
    return delivery


@dataclass
class DeliveryPage:
    deliveries: list
    next_cursor: str | None


def delivery_log(endpoint, cursor=None, limit=LOG_PAGE):
    """Newest first, a keyset page (``cursor`` is the last page's ``next_cursor``); one query."""
    after = decode_cursor(cursor) if cursor else None
    if cursor and after is None:
        raise ValidationFailed([("cursor", "That page link is no longer valid: start again from the first page.")])
    statement = sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    return DeliveryPage(*newest_first_page(statement, WebhookDelivery, after, limit))


def message_id(event_id):
    """The ``webhook-id`` of every attempt to deliver one event: receivers dedupe on it."""
    return f"msg_{event_id.hex}"


# --- validation -----------------------------------------------------------------------


def _checked(url, description, event_types=()):
    """What adding and editing an endpoint both check (editing leaves the events alone)."""
    problems = fields.Problems()
    url = fields.text(url, "url", problems, label="The URL", max_length=MAX_URL_LENGTH,
                      required="Enter the URL that should receive the events")
    reason = _url_problem(url) if url else None
    if reason:
        problems.add("url", reason)
    too_long = f"Description must be at most {MAX_DESCRIPTION_LENGTH} characters of text"
    description = fields.text(description, "description", problems, label="Description",
                              max_length=MAX_DESCRIPTION_LENGTH, wrong_type=too_long, nul=too_long) or ""
    event_types = problems.collect(parse_event_types, event_types)
    problems.raise_if_any()
    return url, description, event_types


def _url_problem(url):
    reason = check_url(url, allow_loopback=current_app.config["WEBHOOK_ALLOW_LOOPBACK"])
    return f"This URL cannot be used: {reason}" if reason else None


def parse_event_types(event_types):
    """Known, subscribable types, sorted and without repeats; none means every event."""
    chosen = sorted({name.strip() for name in event_types or () if name.strip()})
    unknown = [name for name in chosen if name not in SUBSCRIBABLE_EVENTS]
    if unknown:
        raise ValidationFailed([("events", f"Unknown event type: {', '.join(unknown)}")])
    return chosen


def _uuid(value):
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)  # finds nothing, like any other unknown id
