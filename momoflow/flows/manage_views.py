"""Admins' flow pages: the list, create and edit a flow with its modules, archive.

The module rows are added, removed and reordered in the browser (``static/js/app.js``,
``data-row``); their order in the posted form is their order in the flow.
"""

import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.auth.roles import admin_required
from momoflow.flows import access, bp, editing, forms, queries, rules, services
from momoflow.forms import FormState, failed
from momoflow.transactions import refusals


@bp.get("/flows/manage")
@admin_required
def manage():
    flows = services.list_flows(current_user.organization, include_archived=True)
    return render_template("flows/manage.html", flows=flows)


@bp.get("/flows/new")
@admin_required
def new_flow():
    return _flow_form(FormState(values=forms.flow_values()))


@bp.post("/flows/new")
@admin_required
def create_flow():
    values = forms.flow_values(request.form)
    with refusals() as refused:
        flow = editing.create_flow(current_user.organization, editing.parse_flow(values))
    if refused:
        return _failed(values, refused.error)
    flash(f"{flow.name} created with {_modules(flow.module_count)}. It can be assigned now.", "success")
    return redirect(url_for(".manage"), 303)


@bp.get("/flows/<flow_id>/edit")
@admin_required
def edit_flow(flow_id):
    flow = access.find_flow(current_user.organization, flow_id)
    values = forms.flow_values(flow=flow, modules=queries.modules_of(flow))
    return _flow_form(FormState(values=values), flow)


@bp.post("/flows/<flow_id>/edit")
@admin_required
def update_flow(flow_id):
    values = forms.flow_values(request.form)
    with refusals() as refused:
        flow = editing.update_flow(current_user.organization, flow_id, editing.parse_flow(values))
    if refused:
        return _failed(values, refused.error, flow_id)
    flash(f"{flow.name} saved ({_modules(flow.module_count)}, {rules.duration_text(flow.estimated_minutes)}).",
          "success")
    return redirect(url_for(".manage"), 303)


def _failed(values, error, flow_id=None):
    flow = access.find_flow(current_user.organization, flow_id) if flow_id else None
    return _flow_form(failed(values, error, forms.flow_field), flow), 422


def _flow_form(state, flow=None):
    return render_template("flows/edit.html", state=state, flow=flow, **_form_context())


def _form_context():
    return {"max_modules": rules.MAX_MODULES, "max_name": editing.MAX_NAME_LENGTH,
            "max_description": editing.MAX_DESCRIPTION_LENGTH, "max_title": editing.MAX_TITLE_LENGTH,
            "max_content": editing.MAX_CONTENT_LENGTH, "max_minutes": editing.MAX_MODULE_MINUTES,
            "anchor": forms.flow_anchor, "describe": forms.flow_problem, "blank_module": forms.BLANK_MODULE}


@bp.get("/flows/module-row")
@admin_required
def module_row():
    return render_template("flows/_module_row.html", module=forms.BLANK_MODULE, key=secrets.token_hex(4), index=None,
                           state=FormState(), **_form_context())


@bp.post("/flows/content-preview")
@admin_required
def preview_content():
    """A module's body as people will see it (the editor's Preview)."""
    text = request.form.get("module_content", "")[:editing.MAX_CONTENT_LENGTH]
    return render_template("flows/_content_preview.html", text=text)


@bp.post("/flows/<flow_id>/<any(archive, restore):action>")
@admin_required
def archive_or_restore(flow_id, action):
    change = editing.archive_flow if action == "archive" else editing.restore_flow
    flow = change(current_user.organization, flow_id)
    message = (f"{flow.name} archived. It can no longer be assigned; people who have it can still finish it."
               if action == "archive" else f"{flow.name} restored. It can be assigned again.")
    flash(message, "success")
    return redirect(url_for(".manage"), 303)


def _modules(count):
    return f"{count} module{'s' if count != 1 else ''}"
