"""The approval workflow pages: thin callers of ``services`` and ``queries``, like the
JSON API in ``api.py``. Each action parses the form, calls one service, commits and
renders; a refused action renders its form again with the messages where they belong.

htmx posts get the partial they came from (the form with its errors, or the inbox
item); plain posts get a redirect, or the whole page with the errors. The lists
(inbox, my requests, watching) are in ``list_views``.
"""

import secrets

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from momoflow.errors import DomainError, NotFound
from momoflow.extensions import db
from momoflow.htmx import is_htmx_request, redirect_response
from momoflow.workflows import forms, queries, rules, services
from momoflow.workflows.access import load_access
from momoflow.workflows.documents import ACCEPT, send_document
from momoflow.workflows.models import DocumentCategory, RequestStatus, WorkflowRequest
from momoflow.workflows.queries import ListItem
from momoflow.workflows.validation import parse_email
from momoflow.workflows.view_helpers import register_template_helpers, toast

bp = Blueprint("workflows", __name__)
bp.record_once(register_template_helpers)


@bp.before_request
@login_required
def _signed_in():
    """Every page here is for signed-in people."""


def _shown_inline(error):
    """Refusals that belong next to a field (or above a form); 403/404 get their page."""
    return error.status in (400, 409, 422)


def _status_of(error):
    return 409 if error.status == 409 else 422


# --- new request -------------------------------------------------------------------


@bp.get("/requests/new")
def new_request():
    return _new_request_page(forms.FormState(values=forms.new_request_values()))


@bp.post("/requests/new")
def create_request():
    values = forms.new_request_values(request.form)
    files = [file for file in request.files.getlist("files") if file.filename]
    try:
        spec, category = forms.parse_new_request_form(values, files)
        created = services.create_request(current_user, spec, files, category)
        message = f"Request {created.request_number} created and sent to level 1 for approval."
        url = url_for(".request_page", request_id=created.id)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status >= 500:
            raise
        state = forms.failed(values, error, forms.new_request_field)
        return _new_request_page(state, files_dropped=bool(files)), 422
    flash(message, "success")
    return redirect(url, 303)


def _new_request_page(state, files_dropped=False):
    return render_template("workflows/new.html", state=state, files_dropped=files_dropped, **_form_context())


def _form_context():
    return {"max_levels": rules.MAX_LEVELS, "max_spectators": rules.MAX_SPECTATORS, "max_files": rules.MAX_FILES,
            "max_title": rules.MAX_TITLE_LENGTH, "max_level_name": rules.MAX_LEVEL_NAME_LENGTH, "accept": ACCEPT,
            "categories": list(DocumentCategory), "files_not_kept": forms.FILES_NOT_KEPT,
            "anchor": forms.new_request_anchor, "describe": forms.new_request_problem,
            "blank_level": {"email": "", "tat": forms.DEFAULT_TAT_HOURS, "name": ""}}


@bp.get("/requests/new/level-row")
def level_row():
    return render_template("workflows/_level_row.html", level=forms.added_level(),
                           key=secrets.token_hex(4), index=None, state=forms.FormState(), **_form_context())


@bp.get("/requests/new/spectator-row")
def spectator_row():
    return render_template("workflows/_spectator_row.html", email="", key=secrets.token_hex(4), index=None,
                           state=forms.FormState())


# --- the request page ---------------------------------------------------------------


@bp.get("/requests/<request_id>")
def request_page(request_id):
    return _request_page(request_id)


def _request_page(request_id, status=200, **states):
    detail = queries.request_detail(current_user, request_id)
    return render_template("workflows/detail.html", detail=detail, access=detail.access,
                           workflow=detail.access.request, states=states, **_form_context()), status


@bp.get("/requests/<request_id>/documents/<document_id>")
def download_document(request_id, document_id):
    return send_document(load_access(current_user, request_id, with_details=True), document_id)


@bp.post("/requests/<request_id>/levels/<level_id>/<any(approve, reject):decision>")
def decide(request_id, level_id, decision):
    from_inbox = request.form.get("origin") == "inbox"
    comments = request.form.get("comments", "")
    decide_level = services.approve_level if decision == "approve" else services.reject_level
    try:
        level = decide_level(current_user, request_id, level_id, comments)
        message = _decision_message(decision, level)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if not _shown_inline(error):
            raise
        state = forms.failed({"comments": comments}, error, forms.single_field("comments"))
        return _decision_failed(request_id, level_id, state, _status_of(error), from_inbox)
    if from_inbox and is_htmx_request():
        # The item leaves the inbox (an empty swap); the toast and the count go out of band.
        return toast(message) + render_template("workflows/_inbox_badge.html", oob=True)
    return _done(message, url_for(".inbox") if from_inbox else url_for(".request_page", request_id=request_id))


def _decision_message(decision, level):
    workflow = db.session.get(WorkflowRequest, level.request_id)  # already loaded by the service
    if decision == "reject":
        return f"You rejected {workflow.request_number}. The request is closed."
    if workflow.status == RequestStatus.APPROVED:
        return f"You approved {workflow.request_number}. It is now fully approved."
    return f"You approved {workflow.request_number}. It moves on to level {workflow.current_level}."


def _decision_failed(request_id, level_id, state, status, from_inbox):
    if not is_htmx_request():
        return _request_page(request_id, status, decision=state)
    access = load_access(current_user, request_id, with_details=True)
    level = next((level for level in access.request.levels if str(level.id) == str(level_id)), None)
    if level is None:
        raise NotFound("Approval level not found")
    if from_inbox:
        return render_template("workflows/_inbox_item.html", item=ListItem(access.request, level),
                               state=state), status
    return render_template("workflows/_decision.html", workflow=access.request, level=level, state=state), status


@bp.post("/requests/<request_id>/withdraw")
def withdraw(request_id):
    try:
        services.withdraw_request(current_user, request_id, request.form.get("reason"))
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if not _shown_inline(error):
            raise
        flash(error.message, "error")
    else:
        flash("Request withdrawn. Approvers can no longer act on it.", "success")
    return redirect(url_for(".request_page", request_id=request_id), 303)


@bp.post("/requests/<request_id>/approvers")
def add_approver(request_id):
    try:
        new_level = forms.parse_add_approver_form(request.form)
        level = services.add_approver_at_level(current_user, request_id, new_level)
        message = f"{level.approver.display_name} now approves level {level.level_number}."
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if not _shown_inline(error):
            raise
        state = forms.failed(request.form.to_dict(), error, forms.add_approver_field)
        return _form_failed(request_id, "add_approver", "workflows/_add_approver.html", state, _status_of(error))
    return _done(message, url_for(".request_page", request_id=request_id))


@bp.post("/requests/<request_id>/spectators")
def add_spectator(request_id):
    try:
        participant = services.add_spectator(current_user, request_id, parse_email(request.form))
        message = f"{participant.user.display_name} can now follow this request."
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if not _shown_inline(error):
            raise
        state = forms.failed(request.form.to_dict(), error, forms.single_field("email"))
        return _form_failed(request_id, "add_spectator", "workflows/_add_spectator.html", state, _status_of(error))
    return _done(message, url_for(".request_page", request_id=request_id))


@bp.post("/requests/<request_id>/comments")
def add_comment(request_id):
    body = request.form.get("body", "")
    try:
        comment = services.add_comment(current_user, request_id, body)
        # Rendered before the commit expires the new comment and its author.
        html = render_template("workflows/_comment_added.html", comment=comment, request_id=request_id,
                               state=forms.FormState())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if not _shown_inline(error):
            raise
        state = forms.failed({"body": body}, error, forms.single_field("body"))
        if not is_htmx_request():
            return _request_page(request_id, _status_of(error), comment=state)
        return render_template("workflows/_comment_form.html", request_id=request_id,
                               state=state), _status_of(error)
    if is_htmx_request():
        return html + toast("Comment added.")
    return redirect(url_for(".request_page", request_id=request_id, _anchor="comments"), 303)


def _form_failed(request_id, name, partial, state, status):
    """The form again with its messages: alone for htmx, else inside the whole page."""
    if not is_htmx_request():
        return _request_page(request_id, status, **{name: state})
    access = load_access(current_user, request_id, with_details=True)
    return render_template(partial, workflow=access.request, state=state, **_form_context()), status


def _done(message, url):
    """After a change: to ``url`` with a toast (a full load for htmx, a 303 otherwise)."""
    flash(message, "success")
    if is_htmx_request():
        return redirect_response(url, make_response("", 204))
    return redirect(url, 303)

