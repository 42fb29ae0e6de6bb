"""Settings → Approvals (admins): sending back for rework (how often, and where the next
round starts) and whether deciding from an email link needs signing in.

htmx posts swap the form's panel and add a toast; plain posts redirect after saving, or
show the whole page again with the messages.
"""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, page_or_partial
from momoflow.settings import bp
from momoflow.transactions import refusals
from momoflow.workflows.approval_settings import MAX_REVISIONS, save_approval_settings

FIELDS = ("max_revisions",)
SAVED = "Approval settings saved."


@bp.get("/approvals")
def approvals():
    return _page(FormState(values=_stored_values(current_user.organization)))


@bp.post("/approvals")
def save_approvals():
    values = {"max_revisions": request.form.get("max_revisions", ""),
              "rounds_restart_at_first_level": bool(request.form.get("rounds_restart_at_first_level")),
              "email_decisions_need_sign_in": bool(request.form.get("email_decisions_need_sign_in"))}
    with refusals() as refused:
        save_approval_settings(current_user, values["max_revisions"], values["rounds_restart_at_first_level"],
                               values["email_decisions_need_sign_in"])
    if refused:
        return _page(failed(values, refused.error, lambda path: path if path in FIELDS else None), status=422)
    if is_htmx_request():
        return _page(FormState(values=_stored_values(current_user.organization)), message=SAVED)
    flash(SAVED, "success")
    return redirect(url_for(".approvals"), 303)


def _stored_values(organization):
    return {"max_revisions": str(organization.max_revisions),
            "rounds_restart_at_first_level": organization.rounds_restart_at_first_level,
            "email_decisions_need_sign_in": organization.email_decisions_need_sign_in}


def _page(state, status=200, message=None):
    return page_or_partial("settings/approvals.html", "settings/_approvals_panel.html", status, message,
                           state=state, max_revisions=MAX_REVISIONS)
