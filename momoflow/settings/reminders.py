"""Settings → Flow reminders (admins): when assignees are reminded of a flow's due date
(``flows.reminders`` sends them).

htmx posts swap the form's panel and add a toast; plain posts redirect after saving, or
show the whole page again with the message next to the field.
"""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from momoflow.flows.reminders import MAX_DAYS, MAX_REMINDERS, OVERDUE_REMINDER_AFTER, save_reminder_settings
from momoflow.forms import FormState, failed, single_field
from momoflow.htmx import is_htmx_request, page_or_partial
from momoflow.settings import bp
from momoflow.transactions import refusals

SAVED = "Reminder settings saved."


@bp.get("/reminders")
def reminders():
    return _page(FormState(values=_stored_values(current_user.organization)))


@bp.post("/reminders")
def save_reminders():
    values = {"reminder_days": request.form.get("reminder_days", ""),
              "overdue_reminder": bool(request.form.get("overdue_reminder"))}
    with refusals() as refused:
        save_reminder_settings(current_user, values["reminder_days"], values["overdue_reminder"])
    if refused:
        return _page(failed(values, refused.error, single_field("reminder_days")), status=422)
    if is_htmx_request():
        return _page(FormState(values=_stored_values(current_user.organization)), message=SAVED)
    flash(SAVED, "success")
    return redirect(url_for(".reminders"), 303)


def _stored_values(organization):
    return {"reminder_days": organization.flow_reminder_days.replace(",", ", "),
            "overdue_reminder": organization.flow_overdue_reminder}


def _page(state, status=200, message=None):
    return page_or_partial("settings/reminders.html", "settings/_reminders_panel.html", status, message,
                           state=state, max_days=MAX_DAYS, max_reminders=MAX_REMINDERS,
                           overdue_after_hours=int(OVERDUE_REMINDER_AFTER.total_seconds() // 3600))
