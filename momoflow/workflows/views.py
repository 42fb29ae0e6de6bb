"""The approval workflow pages: thin callers of ``services`` and ``queries``, like the
JSON API in ``api.py``. Each action parses the form, calls one service and renders (the
request commits); a refused action renders its form again with the messages where they
belong.

htmx posts get the partial they came from (the form with its errors, or the inbox
item); plain posts get a redirect, or the whole page with the errors. The lists
(inbox, my requests, watching) are in ``list_views``.
"""

import re
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow import fields
from momoflow.errors import NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.forms import FormState, failed, single_field
from momoflow.htmx import done, is_htmx_request, toast
from momoflow.request_templates import views as template_pages
from momoflow.request_templates.form_fields import FieldType, display
from momoflow.request_templates.page_form import field_hint
from momoflow.request_templates.reading import filled_form
from momoflow.transactions import refusals
from momoflow.workflows import bp
from momoflow.workflows import forms, labels, queries, rules, services
from momoflow.workflows.access import load_access
from momoflow.workflows.documents import ACCEPT, send_document
from momoflow.workflows.models import DocumentCategory, WorkflowRequest
from momoflow.workflows.queries import ListItem
from momoflow.workflows.validation import parse_email

# --- new request -------------------------------------------------------------------

ROW_KEY = re.compile(r"[A-Za-z0-9]{1,16}")


@bp.get("/requests/new")
def new_request():
    """The chooser and the custom form; ``?template=…``: that template's form."""
    if "template" in request.args:
        return template_pages.template_page(request.args["template"])
    return _new_request_page(FormState(values=forms.new_request_values()))


@bp.post("/requests/new")
def create_request():
    if "template" in request.args:
        return template_pages.create_from_template(request.args["template"])
    values = forms.new_request_values(request.form)
    files = [file for file in request.files.getlist("files") if file.filename]
    with refusals() as refused:
        spec, category = forms.parse_new_request_form(values, files)
        created = services.create_request(current_user, spec, files, category)
    if refused:
        state = failed(values, refused.error, forms.new_request_field)
        return _new_request_page(state, files_dropped=bool(files)), 422
    flash(f"Request {created.request_number} created and sent to level 1 for approval.", "success")
    return redirect(url_for(".request_page", request_id=created.id), 303)


def _new_request_page(state, files_dropped=False):
    return render_template("workflows/new.html", state=state, files_dropped=files_dropped,
                           **template_pages.chooser_context(), **_form_context())


def _form_context():
    return {"max_levels": rules.MAX_LEVELS, "max_spectators": rules.MAX_SPECTATORS, "max_files": rules.MAX_FILES,
            "max_title": rules.MAX_TITLE_LENGTH, "max_level_name": rules.MAX_LEVEL_NAME_LENGTH, "accept": ACCEPT,
            "categories": list(DocumentCategory), "files_not_kept": forms.FILES_NOT_KEPT,
            "anchor": forms.new_request_anchor, "describe": forms.new_request_problem,
            "max_approvers": rules.MAX_APPROVERS_PER_LEVEL, "blank_level": forms.blank_level()}


@bp.get("/requests/new/level-row")
def level_row():
    return render_template("workflows/_level_row.html", level=forms.added_level(),
                           key=secrets.token_hex(4), index=None, state=FormState(), **_form_context())


@bp.get("/requests/new/approver-input")
def approver_input():
    """One more approver's input for the level row whose key is ``row``."""
    key = request.args.get("row", "")
    if not ROW_KEY.fullmatch(key):
        raise ValidationFailed([("row", "row must be a level row's key")])
    return render_template("workflows/_approver_input.html", key=key, n=None, email="", index=None,
                           suffix=secrets.token_hex(4), state=FormState())


@bp.get("/requests/new/spectator-row")
def spectator_row():
    return render_template("workflows/_spectator_row.html", email="", key=secrets.token_hex(4), index=None,
                           state=FormState())


# --- the request page ---------------------------------------------------------------


@bp.get("/requests/<request_id>")
def request_page(request_id):
    return _request_page(request_id)


def _request_page(request_id, status=200, **states):
    detail = queries.request_detail(current_user, request_id)
    return render_template("workflows/detail.html", detail=detail, access=detail.access,
                           workflow=detail.access.request, states=states,
                           returned=queries.last_return(detail.access.request), field_display=display,
                           **_form_context()), status


@bp.get("/requests/<request_id>/documents/<document_id>")
def download_document(request_id, document_id):
    return send_document(load_access(current_user, request_id, with_details=True), document_id)


@bp.post("/requests/<request_id>/levels/<level_id>/<any(approve, reject):decision>")
def decide(request_id, level_id, decision):
    from_inbox = request.form.get("origin") == "inbox"
    comments = request.form.get("comments", "")
    decide_level = services.approve_level if decision == "approve" else services.reject_level
    with refusals() as refused:
        level = decide_level(current_user, request_id, level_id, comments)
    if refused:
        state = failed({"comments": comments}, refused.error, single_field("comments"))
        return _decision_failed(request_id, level_id, state, refused.status, from_inbox)
    message = _decision_message(decision, level)
    if from_inbox and is_htmx_request():
        # The item leaves the inbox (an empty swap); the toast and the count go out of band.
        return toast(message) + render_template("workflows/_inbox_badge.html", oob=True)
    return done(message, url_for(".inbox") if from_inbox else url_for(".request_page", request_id=request_id))


def _decision_message(decision, level):
    workflow = db.session.get(WorkflowRequest, level.request_id)  # already loaded by the service
    verb = "approved" if decision == "approve" else "rejected"
    stands = labels.where_it_stands(level, workflow)
    return f"You {verb} {workflow.request_number}. {stands[0].upper()}{stands[1:]}."


def _decision_failed(request_id, level_id, state, status, from_inbox):
    if not is_htmx_request():
        return _request_page(request_id, status, decision=state)
    access = load_access(current_user, request_id, with_details=True)
    level = next((level for level in access.request.levels if str(level.id) == str(level_id)), None)
    if level is None:
        raise NotFound("Approval level not found")
    task = access.my_open_task(level)
    if from_inbox:
        return render_template("workflows/_inbox_item.html", item=ListItem(access.request, level, task),
                               state=state), status
    return render_template("workflows/_decision.html", workflow=access.request, level=level, task=task,
                           state=state), status


@bp.post("/requests/<request_id>/levels/<level_id>/return")
def send_back(request_id, level_id):
    values = {name: request.form.get(name, "") for name in ("comments", "to")}
    to = fields.form_whole_number(values["to"]) if values["to"] not in ("", "INITIATOR") else None
    with refusals() as refused:
        returned = services.return_request(current_user, request_id, level_id, values["comments"], to)
    if refused:
        return _request_page(request_id, refused.status, send_back=failed(values, refused.error, _SEND_BACK_FIELDS.get))
    whom = returned.initiator.display_name if to is None else f"level {to}'s approvers, after {returned.initiator.display_name}"
    return done(f"Sent back to {whom} for changes. You'll be asked again when it is resubmitted.",
                url_for(".request_page", request_id=request_id))


_SEND_BACK_FIELDS = {"comments": "comments", "to": "to"}


@bp.route("/requests/<request_id>/resubmit", methods=["GET", "POST"])
def resubmit(request_id):
    access = load_access(current_user, request_id, with_details=True)
    if not access.can_resubmit:
        flash("Only a request returned to you for changes can be resubmitted.", "error")
        return redirect(url_for(".request_page", request_id=request_id), 303)
    form = filled_form(access.request)  # a template's request changes its form, not its levels
    fields = form.definition.fields if form else None
    if request.method == "GET":
        return _resubmit_page(access, FormState(values=forms.resubmit_values(access.request, None, fields)), form)
    values = forms.resubmit_values(access.request, request.form, fields)
    files = [file for file in request.files.getlist("files") if file.filename]
    with refusals() as refused:
        changes, category = forms.parse_resubmit_form(values, files)
        resubmitted = services.resubmit_request(current_user, request_id, changes, files, category)
    if refused:
        state = failed(values, refused.error, forms.new_request_field)
        return _resubmit_page(load_access(current_user, request_id, with_details=True), state, form,
                              files_dropped=bool(files)), 422
    flash(f"{resubmitted.request_number} resubmitted: round {resubmitted.round} starts at level "
          f"{resubmitted.current_level}.", "success")
    return redirect(url_for(".request_page", request_id=request_id), 303)


def _resubmit_page(access, state, form=None, files_dropped=False):
    template = {"template_fields": form.definition.fields, "template_name": form.name, "field_types": FieldType,
                "field_hint": field_hint} if form else {}
    return render_template("workflows/resubmit.html", workflow=access.request, access=access, state=state,
                           files_dropped=files_dropped, returned=queries.last_return(access.request),
                           **_form_context(), **template)


@bp.post("/requests/<request_id>/withdraw")
def withdraw(request_id):
    with refusals() as refused:
        services.withdraw_request(current_user, request_id, request.form.get("reason"))
    if refused:
        flash(refused.error.message, "error")
    else:
        flash("Request withdrawn. Approvers can no longer act on it.", "success")
    return redirect(url_for(".request_page", request_id=request_id), 303)


@bp.post("/requests/<request_id>/approvers")
def add_approver(request_id):
    with refusals() as refused:
        level = services.add_approver_at_level(current_user, request_id, forms.parse_add_approver_form(request.form))
    if refused:
        state = failed(request.form.to_dict(), refused.error, forms.add_approver_field)
        return _form_failed(request_id, "add_approver", "workflows/_add_approver.html", state, refused.status)
    names = ", ".join(task.assignee.display_name for task in level.tasks)
    return done(f"{names} now {'approves' if len(level.tasks) == 1 else 'approve'} level {level.level_number}.",
                url_for(".request_page", request_id=request_id))


@bp.post("/requests/<request_id>/levels/<level_id>/reassign")
def reassign(request_id, level_id):
    """The holder hands their task on; an admin names whose (``from``). A stale choice
    of whose task (404) shows on the form, like any other refusal."""
    values = {name: request.form.get(name, "") for name in ("from", "to", "reason")}
    with refusals(also=(404,)) as refused:
        task = services.reassign_task(current_user, request_id, level_id, values["to"], values["reason"],
                                      values["from"] or None)
    if refused:
        state = failed(values, refused.error, forms.reassign_field)
        return _level_form_failed(request_id, level_id, "reassign", "workflows/_reassign.html", state, refused.status)
    return done(f"Reassigned: the task at level {task.level.level_number} is now {task.assignee.display_name}'s.",
                url_for(".request_page", request_id=request_id))


@bp.post("/requests/<request_id>/levels/<level_id>/approvers")
def add_to_level(request_id, level_id):
    values = {"email": request.form.get("email", "")}
    with refusals() as refused:
        task = services.add_to_level(current_user, request_id, level_id, values["email"])
    if refused:
        state = failed(values, refused.error, single_field("email"))
        return _level_form_failed(request_id, level_id, "add_to_level", "workflows/_add_to_level.html", state,
                                  refused.status)
    return done(f"Level {task.level.level_number} has another approver: {task.assignee.display_name}.",
                url_for(".request_page", request_id=request_id))


def _level_form_failed(request_id, level_id, name, partial, state, status):
    """A level's form again with its messages: alone for htmx, else inside the whole page."""
    if not is_htmx_request():
        return _request_page(request_id, status, **{name: state, "level_id": str(level_id)})
    access = load_access(current_user, request_id, with_details=True)
    level = next((level for level in access.request.levels if str(level.id) == str(level_id).lower()), None)
    if level is None:
        raise NotFound("Approval level not found")
    return render_template(partial, workflow=access.request, level=level, access=access, state=state,
                           **_form_context()), status


@bp.post("/requests/<request_id>/spectators")
def add_spectator(request_id):
    with refusals() as refused:
        participant = services.add_spectator(current_user, request_id, parse_email(request.form))
    if refused:
        state = failed(request.form.to_dict(), refused.error, single_field("email"))
        return _form_failed(request_id, "add_spectator", "workflows/_add_spectator.html", state, refused.status)
    return done(f"{participant.user.display_name} can now follow this request.",
                url_for(".request_page", request_id=request_id))


@bp.post("/requests/<request_id>/comments")
def add_comment(request_id):
    body = request.form.get("body", "")
    with refusals() as refused:
        comment = services.add_comment(current_user, request_id, body)
    if refused:
        state = failed({"body": body}, refused.error, single_field("body"))
        if not is_htmx_request():
            return _request_page(request_id, refused.status, comment=state)
        return render_template("workflows/_comment_form.html", request_id=request_id, state=state), refused.status
    if is_htmx_request():
        html = render_template("workflows/_comment_added.html", comment=comment, request_id=request_id,
                               state=FormState())
        return html + toast("Comment added.")
    return redirect(url_for(".request_page", request_id=request_id, _anchor="comments"), 303)


def _form_failed(request_id, name, partial, state, status):
    """The form again with its messages: alone for htmx, else inside the whole page."""
    if not is_htmx_request():
        return _request_page(request_id, status, **{name: state})
    access = load_access(current_user, request_id, with_details=True)
    return render_template(partial, workflow=access.request, state=state, **_form_context()), status


