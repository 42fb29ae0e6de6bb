"""Settings → Working time (admins): the time zone, working days, working hours and
holidays that STANDARD requests' TATs count in (``workflows.tat``).

The routes join the ``settings`` blueprint of Settings → API keys, so they share its
admins-only guard. htmx posts swap the form's panel and add a toast; plain posts
redirect after saving, or show the whole page again with the messages.
"""

from functools import cache
from zoneinfo import available_timezones

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.apikeys.views import bp
from momoflow.database import utcnow
from momoflow.errors import ValidationFailed
from momoflow.extensions import db
from momoflow.htmx import is_htmx_request
from momoflow.workflows import tat
from momoflow.workflows.forms import FormState, failed
from momoflow.workflows.view_helpers import toast
from momoflow.worktime import WEEKDAY_NAMES

FIELDS = ("timezone", "workdays", "hours", "holidays")
ANCHORS = {"timezone": "working-timezone", "workdays": "working-day-1", "hours": "working-day-start",
           "holidays": "working-holidays"}
SAVED = "Working time saved. Levels that start from now on count in it; levels already running keep their deadlines."
EXAMPLE_HOURS = 8
# Every Settings page shows these tabs, (endpoint, label, admins only); a page whose module
# is not installed is left out. Everyone has email preferences (also under Notifications).
SETTINGS_TABS = (("settings.api_keys", "API keys", True), ("settings.webhooks", "Webhooks", True),
                 ("settings.working_time", "Working time", True),
                 ("notifications.preferences", "Email preferences", False))


@bp.app_context_processor
def _settings_tabs():
    """``settings_tabs()``: the tabs the signed-in person may open. A function, so pages
    that never show Settings (and emails rendered outside a request) never ask."""
    def settings_tabs():
        return [(endpoint, label) for endpoint, label, admins_only in SETTINGS_TABS
                if endpoint in current_app.view_functions and (current_user.is_admin or not admins_only)]
    return {"settings_tabs": settings_tabs}


@bp.get("/working-time")
def working_time():
    return _page(FormState(values=_stored_values(current_user.organization)))


@bp.post("/working-time")
def save_working_time():
    values = _submitted_values(request.form)
    try:
        tat.save_calendar(current_user.organization, values["timezone"], values["workdays"], values["day_start"],
                          values["day_end"], values["holidays"])
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _page(failed(values, error, lambda path: path if path in FIELDS else None), status=422)
    if is_htmx_request():
        return _page(FormState(values=_stored_values(current_user.organization)), message=SAVED)
    flash(SAVED, "success")
    return redirect(url_for(".working_time"), 303)


def _stored_values(organization):
    calendar = tat.calendar_for(organization)
    return {"timezone": calendar.timezone, "workdays": [str(day) for day in sorted(calendar.workdays)],
            "day_start": f"{calendar.day_start:%H:%M}", "day_end": f"{calendar.day_end:%H:%M}",
            "holidays": organization.holidays}


def _submitted_values(form):
    return {"timezone": form.get("timezone", ""), "workdays": form.getlist("workdays"),
            "day_start": form.get("day_start", ""), "day_end": form.get("day_end", ""),
            "holidays": form.get("holidays", "")}


def _page(state, status=200, message=None):
    context = {"state": state, "weekdays": list(enumerate(WEEKDAY_NAMES, start=1)), "anchors": ANCHORS,
               "example_hours": EXAMPLE_HOURS,
               "examples": tat.sample_deadlines(current_user.organization, EXAMPLE_HOURS, utcnow())}
    if is_htmx_request():
        html = render_template("settings/_working_time_panel.html", **context)
        return (html + toast(message) if message else html), status
    return render_template("settings/working_time.html", timezones=_timezone_names(), **context), status


@cache
def _timezone_names():
    """The time zone suggestions: region/city names (and UTC), not legacy aliases."""
    return sorted(name for name in available_timezones()
                  if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))) + ["UTC"]
