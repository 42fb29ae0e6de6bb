"""Settings → Working time (admins): the time zone, working days, working hours and
holidays that STANDARD requests' TATs count in (``workflows.tat``).

htmx posts swap the form's panel and add a toast; plain posts
redirect after saving, or show the whole page again with the messages.
"""

from functools import cache
from zoneinfo import available_timezones

from flask import flash, redirect, request, url_for
from flask_login import current_user

from momoflow.database import utcnow
from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, page_or_partial
from momoflow.settings import bp
from momoflow.transactions import refusals
from momoflow.workflows import tat
from momoflow.worktime import WEEKDAY_NAMES

FIELDS = ("timezone", "workdays", "hours", "holidays")
ANCHORS = {"timezone": "working-timezone", "workdays": "working-day-1", "hours": "working-day-start",
           "holidays": "working-holidays"}
SAVED = "Working time saved. Levels that start from now on count in it; levels already running keep their deadlines."
EXAMPLE_HOURS = 8


@bp.get("/working-time")
def working_time():
    return _page(FormState(values=_stored_values(current_user.organization)))


@bp.post("/working-time")
def save_working_time():
    values = _submitted_values(request.form)
    with refusals() as refused:
        tat.save_calendar(current_user.organization, values["timezone"], values["workdays"], values["day_start"],
                          values["day_end"], values["holidays"])
    if refused:
        return _page(failed(values, refused.error, lambda path: path if path in FIELDS else None), status=422)
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
    if not is_htmx_request():
        context["timezones"] = _timezone_names()
    return page_or_partial("settings/working_time.html", "settings/_working_time_panel.html", status, message,
                           **context)


@cache
def _timezone_names():
    """The time zone suggestions: region/city names (and UTC), not legacy aliases."""
    return sorted(name for name in available_timezones()
                  if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))) + ["UTC"]
