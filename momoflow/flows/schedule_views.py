"""Admins' Schedules page: recurring assignments (``flows.schedules``), listed with their
next run, set up with a form (inline errors) and cancelled after a confirmation.

Like Settings → API keys: htmx posts swap the panel (or, to cancel, the row) and add a
toast; without JavaScript a post answers with the page or a redirect.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow import fields
from momoflow.auth.roles import admin_required
from momoflow.errors import ValidationFailed
from momoflow.flows import audiences, bp, forms, rules, schedules, services
from momoflow.flows.labels import schedule_every
from momoflow.flows.services import Assigner
from momoflow.flows.assigning import MAX_PEOPLE
from momoflow.flows.models import Priority, ScheduleUnit
from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, page_or_partial, toast
from momoflow.transactions import refusals

PAGE_SIZE = 25
_FIELDS = {"audience": "audience", "flowId": "flow", "userEmails": "people", "every": "every", "unit": "unit", "dueInDays": "due_in_days",
           "priority": "priority", "notes": "notes", "startAt": "start_date"}
_ANCHORS = {"audience": "schedule-audience", "flow": "schedule-flow", "people": "schedule-people", "every": "schedule-every", "unit": "schedule-unit",
            "due_in_days": "schedule-due", "priority": "schedule-priority-medium", "notes": "schedule-notes",
            "start_date": "schedule-start"}
# The service names the API's fields; the page names its own.
_PAGE_WORDS = {"flowId is required": "Choose a flow",
               f"userEmails must list 1 to {MAX_PEOPLE} email addresses": f"Add 1 to {MAX_PEOPLE} people",
               "unit must be days or months": "Choose days or months"}
_RENAMED = (("dueInDays", "Due in (days)"), ("startAt", "The start date"), ("every", "Repeat every"))


@bp.get("/flows/schedules")
@admin_required
def schedules_page():
    return _page(FormState(values=_values()))


@bp.post("/flows/schedules")
@admin_required
def create_schedule():
    values = _values(request.form)
    with refusals(also=(404, 503)) as refused:  # an unknown flow, a directory that did not answer
        schedule = schedules.create_schedule(
            Assigner.signed_in(current_user), values["flow"],
            forms.emails_in(values["people"][:forms.MAX_PASTED_LENGTH]), fields.form_whole_number(values["every"]),
            values["unit"], fields.form_whole_number(values["due_in_days"]), values["priority"], values["notes"],
            values["start_date"], values["audience"])
    if refused:
        return _page(failed(values, _in_words(refused.error), _field), status=422)
    message = f"{schedule.flow.name} is scheduled for {_who(schedule)}, every {schedule_every(schedule)}."
    if not is_htmx_request():
        flash(message, "success")
        return redirect(url_for(".schedules_page"), 303)
    return _page(FormState(values=_values()), message=message)


@bp.post("/flows/schedules/<schedule_id>/cancel")
@admin_required
def cancel_schedule(schedule_id):
    schedule = schedules.cancel_schedule(current_user.organization, schedule_id)
    message = f"Schedule of {schedule.flow.name} cancelled. What it already assigned stays assigned."
    if is_htmx_request():
        return render_template("flows/_schedule_row.html", schedule=schedule) + toast(message)
    flash(message, "success")
    return redirect(url_for(".schedules_page"), 303)


@bp.get("/flows/schedules/<schedule_id>/edit")
@admin_required
def edit_schedule(schedule_id):
    schedule = schedules.find_schedule(current_user.organization, schedule_id)
    return _edit_page(schedule, FormState(values=_schedule_values(schedule)))


@bp.post("/flows/schedules/<schedule_id>/edit")
@admin_required
def update_schedule(schedule_id):
    schedule = schedules.find_schedule(current_user.organization, schedule_id)
    values = {**_values(request.form), "flow": schedule.flow.public_id}
    with refusals(also=(503,)) as refused:  # a directory that did not answer
        schedules.update_schedule(
            current_user.organization, schedule_id, forms.emails_in(values["people"][:forms.MAX_PASTED_LENGTH]),
            fields.form_whole_number(values["every"]), values["unit"], fields.form_whole_number(values["due_in_days"]),
            values["priority"], values["notes"], values["audience"])
    if refused:
        return _edit_page(schedule, failed(values, _in_words(refused.error), _field), status=422)
    flash(f"Schedule of {schedule.flow.name} saved: every {schedule_every(schedule)} for {_who(schedule)}, "
          "from its next run.", "success")
    return redirect(url_for(".schedules_page"), 303)


@bp.post("/flows/schedules/<schedule_id>/run")
@admin_required
def run_schedule(schedule_id):
    with refusals(also=(404, 503)) as refused:  # its group gone, a directory that did not answer
        schedule, results = schedules.run_now(current_user.organization, schedule_id)
    if refused:
        message, category = refused.error.message, "error"
        schedule = schedules.find_schedule(current_user.organization, schedule_id)
    else:
        message, category = _run_summary(schedule, results), "success"
    if is_htmx_request():
        return render_template("flows/_schedule_row.html", schedule=schedule) + toast(message, category)
    flash(message, category)
    return redirect(url_for(".schedules_page"), 303)


@bp.post("/flows/rules/<rule_id>/stop")
@admin_required
def stop_rule(rule_id):
    with refusals() as refused:
        rule = audiences.stop_rule(current_user.organization, rule_id)
    message = refused.error.message if refused else (
        f"No longer assigning {rule.flow.name} to people who join {audiences.describe(rule.kind, rule.audience)}. "
        "What it assigned stays.")
    flash(message, "error" if refused else "success")
    return redirect(url_for(".schedules_page") + "#rules-title", 303)


def _run_summary(schedule, results):
    assigned = sum(1 for result in results if result.error is None)
    still_open = sum(1 for result in results if result.error is not None and result.error.code == "already_assigned")
    failed_count = len(results) - assigned - still_open
    parts = [f"{schedule.flow.name} assigned to {_people(assigned)}"]
    if still_open:
        parts.append(f"{_people(still_open)} still had it open")
    if failed_count:
        parts.append(f"{_people(failed_count)} could not be assigned")
    return "; ".join(parts) + ". The next run stays as planned."


def _schedule_values(schedule):
    return {"flow": schedule.flow.public_id, "people": "\n".join(schedule.user_emails), "every": str(schedule.every),
            "unit": schedule.unit.value, "due_in_days": str(schedule.due_in_days), "priority": schedule.priority.value,
            "notes": schedule.notes or "", "start_date": "",
            "audience": f"{schedule.audience_kind.value}:{schedule.audience}" if schedule.audience_kind else ""}


def _edit_page(schedule, state, status=200):
    return render_template("flows/schedule_edit.html", schedule=schedule, state=state, **_form_context()), status


def _form_context():
    return {"units": list(ScheduleUnit), "anchor": _ANCHORS.get, "max_notes": rules.MAX_NOTES_LENGTH,
            "audiences": audiences.choices(current_user.organization),
            "max_every": schedules.MAX_EVERY, "max_due": schedules.MAX_DUE_IN_DAYS}


def _page(state, status=200, message=None):
    cursor = fields.decode_cursor(request.args.get("cursor"))
    page = schedules.list_schedules(current_user.organization, cursor, PAGE_SIZE)
    context = {"state": state, "page": page, "flows": services.list_flows(current_user.organization),
               "rules": audiences.list_rules(current_user.organization), **_form_context()}
    return page_or_partial("flows/schedules.html", "flows/_schedule_panel.html", status, message, **context)


def _values(form=None):
    if form is None:
        return {"flow": "", "people": "", "every": "12", "unit": ScheduleUnit.MONTHS.value,
                "due_in_days": str(schedules.DEFAULT_DUE_IN_DAYS), "priority": Priority.MEDIUM.value, "notes": "",
                "start_date": "", "audience": ""}
    return {name: form.get(name, "").strip() for name in
            ("flow", "people", "every", "unit", "due_in_days", "priority", "notes", "start_date", "audience")}


def _field(path):
    return _FIELDS.get(path.split(".")[0])


def _in_words(error):
    problems = getattr(error, "problems", None) or [(error.field, error.message)]
    return ValidationFailed([(path, _page_message(message)) for path, message in problems])


def _page_message(message):
    if message in _PAGE_WORDS:
        return _PAGE_WORDS[message]
    for api_name, page_name in _RENAMED:
        if message.startswith(api_name + " "):
            return page_name + message[len(api_name):]
    return message


def _who(schedule):
    """Whom a schedule assigns, in words: its people, its group or department, or both."""
    parts = [_people(len(schedule.user_emails))] if schedule.user_emails else []
    if schedule.audience_kind is not None:
        parts.append(f"everyone in {audiences.describe(schedule.audience_kind, schedule.audience)}")
    return " and ".join(parts)


def _people(count):
    return f"{count} {'person' if count == 1 else 'people'}"

