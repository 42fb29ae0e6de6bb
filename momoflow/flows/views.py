"""The flow pages. This module has the blueprint and "My flows", where everyone works
through the flows assigned to them; ``manage_views`` (admins: flows and modules) and
``assign_views`` (admins and managers: assigning, the overview) add their routes to it.

Like the workflow pages: parse, call one service, render (the request commits). "Mark as done"
posts with htmx and gets the flow's workspace back (with a toast); without
JavaScript it is a plain post and a redirect.
"""


from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.flows import bp, files, forms, from_requests, progress, quizzes, services
from momoflow.flows.models import AssignmentStatus
from momoflow.htmx import is_htmx_request, toast
from momoflow.transactions import refusals

# --- my flows ----------------------------------------------------------------------


@bp.get("/my-flows")
def my_flows():
    open_items, done = progress.my_flows(current_user)
    visible = from_requests.visible_sources(current_user, [item.assignment for item in open_items + done])
    return render_template("flows/my_flows.html", open_items=open_items, done=done, visible_requests=visible)


@bp.get("/my-flows/<assignment_id>")
def my_flow(assignment_id):
    return _flow_page(assignment_id)


def _flow_page(assignment_id, status=200, message=None):
    walk = progress.walkthrough(current_user, assignment_id, _position(request.args.get("module")))
    return render_template("flows/my_flow.html", walk=walk, message=message, **_sources(walk)), status


def _sources(walk):
    return {"visible_requests": from_requests.visible_sources(current_user, [walk.assignment])}


def _position(text):
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 4 else None


@bp.post("/my-flows/<assignment_id>/start")
def start(assignment_id):
    with refusals() as refused:
        services.start_assignment(current_user, assignment_id)
    if refused:
        return _refused(assignment_id, refused.error)
    return _changed(assignment_id, "Flow started. Work through the modules in order.")


@bp.post("/my-flows/<assignment_id>/modules/<module_id>/done")
def complete_module(assignment_id, module_id):
    with refusals() as refused:
        assignment = services.complete_module(current_user, assignment_id, module_id)
    if refused:
        return _refused(assignment_id, refused.error)
    finished = assignment.status == AssignmentStatus.COMPLETED
    # Only the finish is worth a toast: the workspace shows each step's progress.
    message = "Flow completed! Every module is done." if finished else None
    return _changed(assignment_id, message, celebrate=finished)


@bp.post("/my-flows/<assignment_id>/modules/<module_id>/quiz")
def submit_quiz(assignment_id, module_id):
    """The assignee's answers to the current module's quiz: scored here, the attempt kept."""
    with refusals() as refused:
        assignment, attempt = quizzes.submit_quiz(
            current_user, assignment_id, module_id, forms.quiz_answers(request.form),
            forms.quiz_shown_at(request.form.get("shown_at"), assignment_id, module_id))
    if refused:
        return _refused(assignment_id, refused.error)
    if attempt.passed:
        return _changed(assignment_id, f"Quiz passed with {attempt.score}%.")
    return _changed(assignment_id, f"Not passed this time: {attempt.score}%. You can try again.", category="warning")


@bp.post("/my-flows/<assignment_id>/modules/<module_id>/acknowledge")
def acknowledge_module(assignment_id, module_id):
    with refusals() as refused:
        quizzes.acknowledge(current_user, assignment_id, module_id, request.form.get("agree") == "yes")
    if refused:
        return _refused(assignment_id, refused.error)
    return _changed(assignment_id, "Thank you: your confirmation is recorded.")


@bp.get("/my-flows/<assignment_id>/modules/<module_id>/files/<file_id>")
def download_file(assignment_id, module_id, file_id):
    return files.send(files.for_assignee(current_user, assignment_id, module_id, file_id))


def _changed(assignment_id, message, celebrate=False, category="success"):
    if not is_htmx_request():
        if message:
            flash(message, category)
        return redirect(url_for(".my_flow", assignment_id=assignment_id), 303)
    walk = progress.walkthrough(current_user, assignment_id)
    html = render_template("flows/_workspace.html", walk=walk, message=None, just_finished=celebrate, **_sources(walk))
    return html + (toast(message, category) if message else "")


def _refused(assignment_id, error):
    """The workspace again with the reason (another tab may have moved on)."""
    if not is_htmx_request():
        return _flow_page(assignment_id, 409, error.message)
    walk = progress.walkthrough(current_user, assignment_id)
    return render_template("flows/_workspace.html", walk=walk, message=error.message, **_sources(walk)), 409
