"""Admins' flow pages: the list, create and edit a flow with its modules, archive.

The module rows are added, removed and reordered in the browser (``static/js/app.js``,
``data-row``); their order in the posted form is their order in the flow.
"""

import secrets
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.auth.roles import admin_required
from momoflow.csvfiles import csv_response
from momoflow.database import utcnow
from momoflow.flows import access, bp, editing, files, forms, queries, quizzes, rules, services, versions
from momoflow.flows.schemas import iso
from momoflow.forms import FormState, failed
from momoflow.transactions import refusals
from momoflow.workflows.documents import ACCEPT


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
    modules = queries.modules_of(flow)
    return _flow_form(FormState(values=forms.flow_values(flow=flow, modules=modules)), flow, modules)


@bp.post("/flows/<flow_id>/edit")
@admin_required
def update_flow(flow_id):
    values = forms.flow_values(request.form)
    with refusals() as refused:
        before = access.find_flow(current_user.organization, flow_id).version
        flow = editing.update_flow(current_user.organization, flow_id, editing.parse_flow(values), current_user,
                                   move_not_started=values["move_not_started"])
    if refused:
        return _failed(values, refused.error, flow_id)
    saved = f"{flow.name} saved ({_modules(flow.module_count)}, {rules.duration_text(flow.estimated_minutes)})"
    if flow.version != before:
        saved += (f" as version {flow.version}: people who had started keep version {before}, "
                  "new assignments get this one")
    flash(saved + ".", "success")
    return redirect(url_for(".manage"), 303)


def _failed(values, error, flow_id=None):
    flow = access.find_flow(current_user.organization, flow_id) if flow_id else None
    return _flow_form(failed(values, error, forms.flow_field), flow), 422


def _flow_form(state, flow=None, modules=None):
    """The flow form; ``modules``: the flow's, when the caller has read them already."""
    if flow is not None and modules is None:
        modules = queries.modules_of(flow)
    return render_template("flows/edit.html", state=state, flow=flow, quiz_links=_quiz_links(modules or ()),
                           started=versions.started_on(flow) if flow else 0,
                           waiting=versions.not_started(flow, below=flow.version + 1) if flow else 0,
                           uses=versions.uses(flow) if flow else [], **_form_context())


@bp.post("/flows/<flow_id>/versions/move")
@admin_required
def move_to_current_version(flow_id):
    flow, moved = versions.move_to_current(current_user.organization, flow_id, current_user)
    if moved:
        flash(f"{_people(moved)} moved to version {flow.version} of {flow.name}.", "success")
    else:
        flash("Everyone who hasn't started is already on the current version.", "info")
    return redirect(url_for(".edit_flow", flow_id=flow.public_id, _anchor="versions"), 303)


def _people(count):
    return "1 person" if count == 1 else f"{count} people"


def _quiz_links(modules):
    """Per saved module (by id, as the form's rows carry it): its quiz and sign-off in words,
    and how many files it has (one query for them all)."""
    attached = files.counts([module.id for module in modules])
    return {str(module.id): QuizLink(module.public_id, quizzes.describe(module), module.has_quiz
                                     or module.requires_acknowledgement, attached.get(module.id, 0))
            for module in modules}


@dataclass
class QuizLink:
    public_id: str
    summary: str
    any: bool
    files: int = 0


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


# --- a module's quiz and sign-off -----------------------------------------------------------


@bp.get("/flows/<flow_id>/modules/<module_id>/quiz")
@admin_required
def edit_quiz(flow_id, module_id):
    flow, module = quizzes.find_module(current_user.organization, flow_id, module_id, current=True)
    values = forms.quiz_values(module=module, questions=quizzes.questions_of(module))
    return _quiz_form(FormState(values=values), flow, module)


@bp.post("/flows/<flow_id>/modules/<module_id>/quiz")
@admin_required
def update_quiz(flow_id, module_id):
    flow, module = quizzes.find_module(current_user.organization, flow_id, module_id, current=True)
    values = forms.quiz_values(request.form)
    with refusals() as refused:
        spec = quizzes.parse_quiz(values)
        quizzes.set_quiz(module, spec)
    if refused:
        return _quiz_form(failed(values, refused.error, forms.quiz_field), flow, module), 422
    flash(f"{module.title}: {quiz_summary(spec)}.", "success")
    return redirect(url_for(".edit_flow", flow_id=flow.public_id), 303)


def quiz_summary(spec):
    parts = []
    if spec.questions:
        count = len(spec.questions)
        parts.append(f"a quiz of {count} question{'s' if count != 1 else ''}, pass mark {spec.pass_mark}%")
    if spec.requires_acknowledgement:
        parts.append("people confirm they have read and understood it")
    return " and ".join(parts) or "no quiz and no confirmation"


def _quiz_form(state, flow, module):
    return render_template("flows/quiz.html", state=state, flow=flow, module=module, **_quiz_context())


def _quiz_context():
    return {"max_questions": quizzes.MAX_QUESTIONS, "max_prompt": quizzes.MAX_PROMPT_LENGTH,
            "anchor": forms.quiz_anchor, "blank_question": forms.BLANK_QUESTION,
            "describe": forms.quiz_problem}


@bp.get("/flows/quiz-question-row")
@admin_required
def question_row():
    return render_template("flows/_question_row.html", question=forms.BLANK_QUESTION, key=secrets.token_hex(4),
                           index=None, state=FormState(), **_quiz_context())


@bp.get("/flows/<flow_id>/modules/<module_id>/results")
@admin_required
def quiz_results(flow_id, module_id):
    flow, module = quizzes.find_module(current_user.organization, flow_id, module_id)
    return render_template("flows/quiz_results.html", flow=flow, module=module,
                           results=quizzes.results(module))


@bp.get("/flows/<flow_id>/modules/<module_id>/acknowledgements.csv")
@admin_required
def acknowledgements_csv(flow_id, module_id):
    flow, module = quizzes.find_module(current_user.organization, flow_id, module_id)
    rows = ([row.name, row.email, row.statement, iso(row.acknowledged_at), row.version]
            for row in quizzes.acknowledgements(module))
    return csv_response(f"acknowledgements-{module.public_id}-{utcnow():%Y-%m-%d}.csv",
                        ["Name", "Email", "Statement", "Acknowledged at (UTC)", "Flow version"], rows)


# --- a module's files ----------------------------------------------------------------------


@bp.get("/flows/<flow_id>/modules/<module_id>/files")
@admin_required
def module_files(flow_id, module_id):
    flow, module = quizzes.find_module(current_user.organization, flow_id, module_id, current=True)
    return _files_page(flow, module, FormState())


@bp.post("/flows/<flow_id>/modules/<module_id>/files")
@admin_required
def upload_module_files(flow_id, module_id):
    uploads = [upload for upload in request.files.getlist("files") if upload.filename]
    with refusals() as refused:
        flow, module, added = files.attach(current_user.organization, flow_id, module_id, uploads, current_user)
    if refused:
        flow, module = quizzes.find_module(current_user.organization, flow_id, module_id, current=True)
        return _files_page(flow, module, failed({}, refused.error, lambda path: path)), 422
    names = ", ".join(file.original_name for file in added)
    flash(f"{names} attached to {module.title}.", "success")
    return redirect(url_for(".module_files", flow_id=flow.public_id, module_id=module.public_id), 303)


@bp.post("/flows/<flow_id>/modules/<module_id>/files/<file_id>/remove")
@admin_required
def remove_module_file(flow_id, module_id, file_id):
    flow, module, file = files.remove(current_user.organization, flow_id, module_id, file_id)
    flash(f"{file.original_name} removed from {module.title}.", "success")
    return redirect(url_for(".module_files", flow_id=flow.public_id, module_id=module.public_id), 303)


@bp.get("/flows/<flow_id>/modules/<module_id>/files/<file_id>")
@admin_required
def download_module_file(flow_id, module_id, file_id):
    return files.send(files.for_admin(current_user.organization, flow_id, module_id, file_id))


def _files_page(flow, module, state):
    return render_template("flows/module_files.html", flow=flow, module=module, state=state,
                           listed=files.listed(module), accept=ACCEPT, max_files=rules.MAX_MODULE_FILES)


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
