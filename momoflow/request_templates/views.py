"""Raising a request from a template in the browser: the chooser on the New request page,
the template's form with a live preview of who approves, and its submit. Thin callers of
``choosing``, ``reading`` and ``workflows.services``; ``page_form`` turns the form into
the API's shapes and puts each problem back on its input.

``/requests/new`` belongs to ``workflows.views``, which hands ``?template=…`` to
``template_page`` and ``create_from_template`` here.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.errors import NotFound
from momoflow.forms import FormState, failed
from momoflow.htmx import add_vary_header
from momoflow.request_templates import choosing, page_form, reading
from momoflow.request_templates.form_fields import FieldType
from momoflow.request_templates.services import definition_of, find_template
from momoflow.transactions import refusals
from momoflow.workflows import bp, forms, rules, services
from momoflow.workflows.documents import ACCEPT
from momoflow.workflows.models import DocumentCategory

NOT_OFFERED = ("This template is not offered any more (or never was). Choose another one on the "
               "New request page, or make a custom request.")


def chooser_context():
    """What the New request page's chooser shows: the templates matching ``?q=``."""
    query = request.args.get("q", "")[:choosing.MAX_QUERY]
    manage_url = url_for("settings.templates") if current_user.is_admin else None
    return {"template_groups": choosing.templates_by_category(current_user.organization, query),
            "template_query": query, "manage_templates_url": manage_url}


@bp.get("/requests/new/templates")
def template_results():
    """The chooser's cards for a search (htmx; the page itself answers ``/requests/new?q=``)."""
    response = current_app.make_response(render_template("request_templates/_chooser_results.html",
                                                         **chooser_context()))
    return add_vary_header(response)


def template_page(template_id):
    template = _offered(template_id)
    definition = definition_of(template)
    return _form_page(template, definition, FormState(values=page_form.form_values(definition)))


def create_from_template(template_id):
    template = _offered(template_id)
    definition = definition_of(template)
    values = page_form.form_values(definition, request.form)
    files = [file for file in request.files.getlist("files") if file.filename]
    uploads = page_form.field_uploads(definition, request.files)
    with refusals() as refused:
        spec, category = page_form.parse_template_form(template.public_id, values, files)
        created = services.create_request(current_user, spec, files, category, field_files=uploads)
    if refused:
        state = failed(values, refused.error, page_form.form_field)
        return _form_page(template, definition, state, files_dropped=bool(files or uploads)), 422
    flash(f"Request {created.request_number} created and sent to level 1 for approval.", "success")
    return redirect(url_for("workflows.request_page", request_id=created.id), 303)


@bp.post("/requests/new/preview")
def template_preview():
    """Who would approve the form as typed so far (htmx, as the requester types)."""
    template = _offered(request.args.get("template", ""))
    definition = definition_of(template)
    values = page_form.form_values(definition, request.form)
    return render_template("request_templates/_preview.html", **_preview(template, definition, values))


def _offered(template_id):
    """The organisation's active template ``template_id``; archived or unknown: 404."""
    try:
        template = find_template(current_user.organization, template_id)
    except NotFound:
        template = None
    if template is None or not template.is_active:
        raise NotFound(NOT_OFFERED)
    return template


def _preview(template, definition, values):
    """The preview partial's context: the plan, the problems split into the values'
    (``fields.…``) and the plan's refusal, and the title a blank one becomes."""
    preview = reading.preview(current_user, template.public_id, page_form.typed_fields(values), lenient=True)
    problems = preview.problems or []
    return {"preview": preview,
            "value_problems": [message for path, message in problems if (path or "").startswith("fields")],
            "refusal": [message for path, message in problems if not (path or "").startswith("fields")],
            "default_title": page_form.title_placeholder(definition, values)}


def _form_page(template, definition, state, files_dropped=False):
    return render_template(
        "request_templates/new.html", template=template, definition=definition, state=state,
        **_preview(template, definition, state.values), levels_errors=state.error("levels"), files_dropped=files_dropped,
        field_types=FieldType,
        field_hint=page_form.field_hint, anchor=page_form.anchor, describe=page_form.describe,
        order=page_form.ORDER, accept=ACCEPT, categories=list(DocumentCategory), files_not_kept=forms.FILES_NOT_KEPT,
        max_title=rules.MAX_TITLE_LENGTH, max_spectators=rules.MAX_SPECTATORS, max_files=rules.MAX_FILES)
