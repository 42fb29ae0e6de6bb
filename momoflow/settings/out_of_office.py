"""Settings → Out of office: everyone's own page (from the account menu). Administrators
open anyone's of their organisation with ``?person=<email>``.

Dates are entered and shown in the organisation's time zone; the form is turned into the
API's fields, so the page and ``/api/v1/me/out-of-office`` share every rule and message.
htmx posts swap the panel and add a toast; plain posts redirect, or show the page again.
"""

from datetime import datetime

from flask import flash, redirect, request, url_for
from flask_login import current_user

from momoflow.accounts import absences
from momoflow.database import utcnow
from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, page_or_partial
from momoflow.notifications.messages import local_time, zone_of
from momoflow.settings import bp
from momoflow.transactions import refusals

FIELD_KEYS = {"start": "start", "end": "end", "delegateEmail": "delegate_email", "message": "message"}
ANCHORS = {"start": "absence-start", "end": "absence-end", "delegate_email": "absence-delegate",
           "message": "absence-message"}
SAVED, BACK, NOTHING_SET = "Out of office saved.", "Welcome back: out of office cleared.", "No out of office was set."


@bp.get("/out-of-office")
def out_of_office():
    return _page(_person())


@bp.post("/out-of-office")
def save_out_of_office():
    person = _person()
    values = {name: request.form.get(name, "") for name in ANCHORS}
    with refusals() as refused:
        absences.set_absence(current_user, person, _moment(values["start"], person), _moment(values["end"], person),
                             values["delegate_email"], values["message"])
    if refused:
        return _page(person, failed(values, refused.error, FIELD_KEYS.get), status=refused.status)
    return _saved(person, SAVED)


@bp.post("/out-of-office/clear")
def clear_out_of_office():
    person = _person()
    with refusals(also=(404,)) as refused:
        absences.clear_absence(current_user, person)
    return _saved(person, NOTHING_SET if refused else BACK)


def _person():
    """Whose page this is: the signed-in person, or (admins) the one ``?person=`` names."""
    email = request.args.get("person")
    if not email or email.strip().lower() == current_user.email:
        return current_user
    return absences.person_for(current_user, email)


def _saved(person, message):
    if is_htmx_request():
        return _page(person, message=message)
    flash(message, "success")
    return redirect(_url(".out_of_office", person), 303)


def _url(endpoint, person):
    return url_for(endpoint, person=None if person.id == current_user.id else person.email)


def _moment(raw, person):
    """A ``datetime-local`` value read in the organisation's zone, as ISO 8601 text; anything
    else is passed on as typed, for the service to refuse in its own words."""
    raw = (raw or "").strip()
    try:
        moment = datetime.fromisoformat(raw) if 0 < len(raw) <= 40 else None
    except ValueError:
        return raw
    if moment is None or moment.tzinfo is not None:
        return raw
    return moment.replace(tzinfo=zone_of(person)).isoformat()


def _local_input(moment, zone):
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def _stored_values(absence, zone):
    if absence is None:
        return {}
    return {"start": _local_input(absence.starts_at, zone), "end": _local_input(absence.ends_at, zone),
            "delegate_email": absence.delegate.email, "message": absence.message or ""}


def _page(person, state=None, status=200, message=None):
    """The page (or its panel) with ``state``, by default the saved absence's values."""
    zone, now = zone_of(person), utcnow()
    absence = absences.absence_of(person, now)
    context = {"state": state or FormState(values=_stored_values(absence, zone)), "person": person,
               "is_self": person.id == current_user.id, "absence": absence,
               "active": absence is not None and absence.covers(now), "zone": zone.key, "anchors": ANCHORS,
               "when": lambda moment: local_time(moment, zone), "max_message": absences.MAX_MESSAGE_LENGTH,
               "save_url": _url(".save_out_of_office", person), "clear_url": _url(".clear_out_of_office", person)}
    return page_or_partial("settings/out_of_office.html", "settings/_out_of_office_panel.html", status, message,
                           **context)
