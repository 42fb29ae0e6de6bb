"""Settings → Webhooks (admins): add an endpoint (its signing secret shown once), edit its
URL and description, choose its events, enable, disable or delete it, rotate its secret,
send it a test event, follow its deliveries and resend one.

Like a new API key, a new (or rotated) signing secret is answered directly, never redirected.
"""

from flask import render_template, request, url_for
from flask_login import current_user

from momoflow.forms import FormState, failed
from momoflow.htmx import done, is_htmx_request, page_or_partial, toast
from momoflow.settings import bp
from momoflow.transactions import refusals
from momoflow.webhooks import forms, services
from momoflow.webhooks.models import DELETED_LOG_KEPT_FOR, ROTATION_OVERLAP


LIMITS = {"max_url": services.MAX_URL_LENGTH, "max_description": services.MAX_DESCRIPTION_LENGTH}


@bp.context_processor
def _webhook_helpers():
    return {"webhook_id": services.message_id, "webhook_log_days": DELETED_LOG_KEPT_FOR.days,
            "webhook_rotation_hours": int(ROTATION_OVERLAP.total_seconds() // 3600)}


@bp.get("/webhooks")
def webhooks():
    return _list_page(FormState(values=forms.endpoint_values()))


@bp.post("/webhooks")
def add_webhook():
    values = forms.endpoint_values(request.form)
    with refusals() as refused:
        endpoint, secret = services.create_endpoint(current_user.organization, values["url"], values["events"],
                                                    values["description"], created_by=current_user)
    if refused:
        return _list_page(failed(values, refused.error, forms.endpoint_field), status=422)
    return _list_page(FormState(values=forms.endpoint_values()), new_endpoint=endpoint, secret=secret,
                      message="Endpoint added. Copy its signing secret now: it won't be shown again.")


def _list_page(state, status=200, new_endpoint=None, secret=None, message=None):
    context = {"state": state, "endpoints": services.list_endpoints(current_user.organization),
               "new_endpoint": new_endpoint, "secret": secret, "groups": forms.event_groups(), **LIMITS}
    return page_or_partial("settings/webhooks.html", "settings/_webhook_panel.html", status, message, **context)


@bp.get("/webhooks/<uuid:endpoint_id>")
def webhook(endpoint_id):
    endpoint = services.find_endpoint(current_user.organization, endpoint_id)
    cursor = request.args.get("cursor")
    if cursor and is_htmx_request():
        page = services.delivery_log(endpoint, cursor)
        return render_template("settings/_webhook_more.html", endpoint=endpoint, page=page,
                               more_url=_more_url(endpoint, page))
    return _endpoint_page(endpoint, cursor=cursor)


def _endpoint_page(endpoint, details=None, status=200, cursor=None, secret=None):
    """The endpoint's page; ``details`` is its edit form as refused, ``secret`` a new one to show once."""
    page = services.delivery_log(endpoint, cursor)
    return render_template("settings/webhook.html", endpoint=endpoint, page=page, more_url=_more_url(endpoint, page),
                           state=FormState(values={"events": endpoint.event_types}), groups=forms.event_groups(),
                           details=details or FormState(values=forms.details_values(endpoint=endpoint)),
                           secret=secret, **LIMITS), status


def _more_url(endpoint, page):
    return url_for(".webhook", endpoint_id=endpoint.id, cursor=page.next_cursor) if page.next_cursor else None


@bp.post("/webhooks/<uuid:endpoint_id>/details")
def edit_webhook(endpoint_id):
    values = forms.details_values(request.form)
    with refusals() as refused:
        endpoint = services.update_endpoint(current_user.organization, endpoint_id, values["url"],
                                            values["description"])
    if refused:
        endpoint = services.find_endpoint(current_user.organization, endpoint_id)
        details = failed(values, refused.error, forms.endpoint_field)
        if is_htmx_request():
            return render_template("settings/_webhook_details.html", endpoint=endpoint, details=details,
                                   **LIMITS), 422
        return _endpoint_page(endpoint, details, status=422)
    return _answer(endpoint.id, "settings/_webhook_details.html", "Endpoint saved.", endpoint=endpoint, saved=True,
                   details=FormState(values=forms.details_values(endpoint=endpoint)), **LIMITS)


@bp.post("/webhooks/<uuid:endpoint_id>/events")
def choose_webhook_events(endpoint_id):
    chosen = request.form.getlist("events")
    with refusals() as refused:
        endpoint = services.update_event_types(current_user.organization, endpoint_id, chosen)
    if refused:
        endpoint = services.find_endpoint(current_user.organization, endpoint_id)
        state = failed({"events": chosen}, refused.error, forms.endpoint_field)
        return render_template("settings/_webhook_events_form.html", endpoint=endpoint, state=state,
                               groups=forms.event_groups()), 422
    message = f"Events saved: {_events_text(endpoint.event_types)}."
    return _answer(endpoint.id, "settings/_webhook_events_form.html", message, endpoint=endpoint,
                   state=FormState(values={"events": endpoint.event_types}), groups=forms.event_groups())


@bp.post("/webhooks/<uuid:endpoint_id>/<any(enable, disable):action>")
def switch_webhook(endpoint_id, action):
    if action == "enable":
        endpoint = services.enable_endpoint(current_user.organization, endpoint_id)
        message = "Endpoint enabled. New events are delivered to it again."
    else:
        endpoint = services.disable_endpoint(current_user.organization, endpoint_id)
        message = "Endpoint disabled. Nothing is sent to it until you enable it."
    # The whole page again: "Send test event" and each Resend come and go with the state.
    return done(message, url_for(".webhook", endpoint_id=endpoint.id))


@bp.post("/webhooks/<uuid:endpoint_id>/delete")
def delete_webhook(endpoint_id):
    endpoint = services.delete_endpoint(current_user.organization, endpoint_id)
    return done(f"Endpoint {endpoint.url} deleted. Nothing more is sent to it; its delivery log is kept for "
                f"{DELETED_LOG_KEPT_FOR.days} days.", url_for(".webhooks"))


@bp.post("/webhooks/<uuid:endpoint_id>/rotate")
def rotate_webhook_secret(endpoint_id):
    """Answered directly, even without JavaScript: the new secret is in this answer only."""
    endpoint, secret = services.rotate_secret(current_user.organization, endpoint_id)
    message = "Secret rotated. Copy the new one now: it won't be shown again."
    if is_htmx_request():
        return render_template("settings/_webhook_secret.html", endpoint=endpoint, secret=secret) + toast(message)
    return _endpoint_page(endpoint, secret=secret)


@bp.post("/webhooks/<uuid:endpoint_id>/test")
def send_webhook_test(endpoint_id):
    delivery = services.send_test_event(current_user.organization, endpoint_id, current_user)
    message = f"{services.TEST_EVENT} queued for this endpoint. Reload to see how it went."
    return _answer(endpoint_id, "settings/_webhook_delivery.html", message, delivery=delivery, can_resend=True)


@bp.post("/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/resend")
def resend_webhook_delivery(endpoint_id, delivery_id):
    delivery = services.resend_delivery(current_user.organization, endpoint_id, delivery_id)
    message = f"{delivery.event_type} is being sent again, with the same webhook-id. Reload to see how it went."
    return _answer(endpoint_id, "settings/_webhook_delivery.html", message, delivery=delivery, can_resend=True)


def _answer(endpoint_id, template, message, **context):
    """htmx swaps in the changed part (and a toast); without JavaScript, back to the endpoint's page."""
    if is_htmx_request():
        return render_template(template, **context) + toast(message)
    return done(message, url_for(".webhook", endpoint_id=endpoint_id))


def _events_text(event_types):
    return ", ".join(event_types) if event_types else "every event"
