"""One assignment's page, for admins and managers: who has it, how far they are, its
history, and (for admins and whoever assigned it) cancel, change the due date, send a
reminder now and reassign.

Each action is a form of its own calling one service (the integrator API's for cancel,
re-date and remind). htmx posts get the page's panel back with a toast; plain posts are
redirected to the page. A refusal comes back in the panel with the message next to its
field (a reminder sent too recently too: it says how long to wait).
"""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from momoflow.flows import access, bp, forms, from_requests, managing, queries, rules, services
from momoflow.flows.access import assigner_required
from momoflow.flows.services import Assigner
from momoflow.forms import FormState, failed
from momoflow.htmx import done, is_htmx_request, page_or_partial
from momoflow.transactions import refusals


@bp.get("/flows/assignments/<assignment_id>")
@assigner_required
def assignment(assignment_id):
    return _page(assignment_id)


@bp.post("/flows/assignments/<assignment_id>/cancel")
@assigner_required
def cancel(assignment_id):
    values = {"reason": request.form.get("reason", "")}
    with refusals() as refused:
        services.cancel_assignment(_assigner(), assignment_id, values["reason"])
    return _answer(assignment_id, "cancel", values, refused, "Assignment cancelled. {name} has been told.")


@bp.post("/flows/assignments/<assignment_id>/due-date")
@assigner_required
def change_due_date(assignment_id):
    values = {"due_date": request.form.get("due_date", "").strip()}
    with refusals() as refused:
        managing.change_due_date(_assigner(), assignment_id, values["due_date"])
    return _answer(assignment_id, "due_date", values, refused, "Due date changed. {name} has been told.")


@bp.post("/flows/assignments/<assignment_id>/remind")
@assigner_required
def remind(assignment_id):
    with refusals(also=(managing.RemindedRecently.status,)) as refused:
        managing.remind_assignment(_assigner(), assignment_id)
    return _answer(assignment_id, "remind", {}, refused, "Reminder sent to {name}.")


@bp.post("/flows/assignments/<assignment_id>/reassign")
@assigner_required
def reassign(assignment_id):
    values = {"email": request.form.get("email", "").strip()}
    with refusals() as refused:
        assigned = managing.reassign_assignment(_assigner(), assignment_id, values["email"])
    if refused:
        return _answer(assignment_id, "reassign", values, refused, "")
    message = f"Reassigned to {assigned.user.display_name}. Both of them have been told."
    return done(message, url_for(".assignment", assignment_id=assigned.assignment.public_id))


def _assigner():
    return Assigner.signed_in(current_user)


def _answer(assignment_id, action, values, refused, message):
    """The panel (htmx) or a redirect to the page after ``action``; the panel with the
    refusal next to its field when it was refused."""
    if refused:
        state = failed(values, forms.in_page_words(refused.error), forms.change_field)
        return _page(assignment_id, action, state, refused.status)
    detail = queries.assignment_detail(current_user.organization, assignment_id)
    message = message.format(name=detail.person.display_name)
    if not is_htmx_request():
        flash(message, "success")
        return redirect(url_for(".assignment", assignment_id=assignment_id), 303)
    return _render(detail, message=message)


def _page(assignment_id, action=None, state=None, status=200):
    detail = queries.assignment_detail(current_user.organization, assignment_id)
    return _render(detail, action, state, status)


def _render(detail, action=None, state=None, status=200, message=None):
    context = {"detail": detail, "refused_action": action, "action_state": state or FormState(),
               "may_change": access.may_manage(current_user, detail.assignment),
               "visible_requests": from_requests.visible_sources(current_user, [detail.assignment]),
               "max_reason": rules.MAX_REASON_LENGTH, "remind_minutes": int(rules.REMIND_EVERY.total_seconds() // 60)}
    return page_or_partial("flows/assignment.html", "flows/_assignment_panel.html", status, message, **context)
