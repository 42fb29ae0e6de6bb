"""Settings → Templates (admins): the organisation's request templates, created, edited
(each change a new version), archived and restored in the browser.

One form holds the whole definition. Its row buttons (``action=add-level`` …) post the
form and get it back with the row added, removed or moved and everything typed kept, so
the editor works without JavaScript; Save hands the definition to the service, and a
refusal shows each problem next to its input. ``request_templates.editor`` does all the
translating.
"""

from flask import render_template, request, url_for
from flask_login import current_user

from momoflow.flows.services import list_flows
from momoflow.forms import FormState, failed
from momoflow.htmx import done
from momoflow.request_templates import editor, services
from momoflow.request_templates.form_fields import TYPE_LABELS
from momoflow.settings import bp
from momoflow.transactions import refusals


OPERATORS = [("==", "is"), ("!=", "is not"), (">", "is more than"), (">=", "is at least"), ("<", "is less than"),
             ("<=", "is at most"), ("in", "is one of"), ("not in", "is none of"), ("is empty", "is empty"),
             ("is not empty", "is not empty")]
TYPE_CHOICES = [(kind.value, words) for kind, words in TYPE_LABELS.items()]


def anchor(key):
    return "tpl-" + key.replace(".", "-")


ROW_NOUNS = {"fields": "Field", "levels": "Level", "flows": "Flow"}


def describe(key, message):
    """A problem in the summary, naming its row: ``Level 2: Level name is required``."""
    name, _, rest = key.partition(".")
    row = rest.partition(".")[0]
    return f"{ROW_NOUNS[name]} {int(row) + 1}: {message}" if name in ROW_NOUNS and row.isdigit() else message


@bp.get("/templates")
def templates():
    every = services.list_templates(current_user.organization, include_archived=True)
    return render_template("settings/templates.html", active=[t for t in every if t.is_active],
                           archived=[t for t in every if not t.is_active])


@bp.get("/templates/new")
def new_template():
    return _editor_page(FormState(values=editor.blank_values()))


@bp.post("/templates/new")
def create_template():
    values, changed = _posted_values()
    if changed is not None:
        return changed
    with refusals() as refused:
        template = services.create_template(current_user, editor.definition_json(values))
    if refused:
        return _refused(values, refused)
    return done(f"Template '{template.name}' created as version 1.", url_for(".templates"))


@bp.get("/templates/<template_id>")
def edit_template(template_id):
    template = services.find_template(current_user.organization, template_id)
    return _editor_page(FormState(values=editor.values_from_definition(template.definition)), template)


@bp.post("/templates/<template_id>")
def update_template(template_id):
    before = services.find_template(current_user.organization, template_id)
    version = before.version
    values, changed = _posted_values(before)
    if changed is not None:
        return changed
    with refusals() as refused:
        template = services.update_template(current_user, template_id, editor.definition_json(values))
    if refused:
        return _refused(values, refused, services.find_template(current_user.organization, template_id))
    if template.version == version:
        return done(f"Nothing changed: '{template.name}' is still version {version}.", url_for(".templates"))
    return done(f"'{template.name}' saved as version {template.version}. Requests raised with version {version} "
                "keep it.", url_for(".templates"))


@bp.post("/templates/<template_id>/<any(archive, restore):action>")
def archive_or_restore_template(template_id, action):
    if action == "archive":
        template = services.archive_template(current_user, template_id)
        message = f"'{template.name}' archived: nobody can raise new requests with it. Requests raised with it carry on."
    else:
        template = services.restore_template(current_user, template_id)
        message = f"'{template.name}' restored: people can raise requests with it again."
    return done(message, url_for(".templates"))


def _posted_values(template=None):
    """The posted values, and the page again if a row button (not Save) was pressed."""
    values = editor.values_from_form(request.form)
    action = request.form.get("action", "save")
    if action == "save":
        return values, None
    if not editor.apply_action(values, action):
        message = "That button is not one of this page's."
        return values, _editor_page(FormState(values=values, message=message, problems=[(None, message)]),
                                    template, status=400)
    return values, _editor_page(FormState(values=values), template)


def _refused(values, refused, template=None):
    state = failed(values, refused.error, lambda path: editor.error_key(path, values))
    return _editor_page(state, template, status=refused.status)


def _editor_page(state, template=None, status=200):
    values = state.values
    kept = {index: editor.kept_condition_text(values, level)
            for index, level in enumerate(values["levels"]) if level["kept_condition"]}
    return render_template(
        "settings/template_editor.html", state=state, values=values, template=template,
        flow_choices=[(flow.public_id, flow.name) for flow in list_flows(current_user.organization)],
        operators=OPERATORS, person_fields=editor.person_fields(values),
        condition_fields=editor.condition_fields(values), kept_conditions=kept, type_choices=TYPE_CHOICES, anchor=anchor, describe=describe,
        order=editor.ORDER, limits=editor.ROWS,
        action=url_for(".update_template", template_id=template.public_id) if template else url_for(
            ".create_template")), status
