"""Settings → People (admins): the organisation's people, searchable and filtered,
with their manager, absence and waiting tasks; deactivate and reactivate in place; one
person's waiting tasks."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.accounts import admin, people
from momoflow.accounts.models import Role
from momoflow.errors import ValidationFailed
from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, toast
from momoflow.settings import bp
from momoflow.transactions import refusals
from momoflow.workflows import services

PAGE_SIZE = 25
FILTERS = ("q", "status", "role")


@bp.context_processor
def _people_helpers():
    return {"out_of_office_url": out_of_office_url}


def out_of_office_url(email):
    """The out-of-office page, for ``email``'s absence."""
    return url_for("settings.out_of_office", person=email)


@bp.get("/people")
def people_page():
    filters = {name: (request.args.get(name) or "").strip() for name in FILTERS}
    page, problems = _page(filters)
    more_url = None
    if page.next_cursor:
        more_url = url_for(".people_page", cursor=page.next_cursor, **{k: v for k, v in filters.items() if v})
    if is_htmx_request() and request.args.get("cursor"):
        return render_template("settings/_people_more.html", page=page, more_url=more_url)
    return render_template("settings/people.html", page=page, problems=problems, filters=filters,
                           more_url=more_url, roles=list(Role)), 400 if problems else 200


def _page(filters):
    try:
        query = people.parse_people_query({**filters, "cursor": request.args.get("cursor")}, PAGE_SIZE)
    except ValidationFailed as error:
        return people.PeoplePage([], None), [message for _, message in error.problems]
    return people.list_people(current_user.organization, query), []


@bp.post("/people/<path:email>/<any(deactivate, reactivate):action>")
def change_person(email, action):
    person = admin.find_person(current_user, email)
    if action == "deactivate":
        admin.deactivate(current_user, person)
        message = (f"{person.display_name} is deactivated: their sign-ins are ended and their undecided "
                   "approvals handed on.")
    else:
        admin.reactivate(current_user, person)
        message = f"{person.display_name} is active again and can sign in."
    if is_htmx_request():
        return render_template("settings/_person_row.html", row=people.person_row(person)) + toast(message)
    flash(message, "success")
    return redirect(url_for(".people_page", q=person.email), 303)


@bp.get("/people/<path:email>/tasks")
def person_tasks(email):
    person = admin.find_person(current_user, email)
    return _tasks_page(person, FormState())


@bp.post("/people/<path:email>/tasks/reassign")
def reassign_tasks(email):
    person = admin.find_person(current_user, email)
    values = {"to": request.form.get("to", ""), "reason": request.form.get("reason", "")}
    with refusals() as refused:
        moved = services.reassign_all(current_user, person, values["to"], values["reason"])
    if refused:
        return _tasks_page(person, failed(values, refused.error, _reassign_field)), refused.status
    done, stayed = [item for item in moved if item.task], [item for item in moved if not item.task]
    flash(_moved_message(person, done, stayed), "success" if not stayed else "warning")
    return redirect(url_for(".person_tasks", email=person.email), 303)


def _reassign_field(path):
    return path if path in ("to", "reason") else None


def _tasks_page(person, state):
    return render_template("settings/person_tasks.html", person=person, tasks=people.waiting_tasks(person),
                           state=state)


def _moved_message(person, done, stayed):
    to = done[0].task.assignee.display_name if done else "them"
    message = f"{len(done)} task{'' if len(done) == 1 else 's'} of {person.display_name} moved to {to}."
    if stayed:
        where = "; ".join(f"{item.request.request_number} level {item.level.level_number}: {item.problem}"
                          for item in stayed)
        message += f" {len(stayed)} stayed: {where}."
    return message
