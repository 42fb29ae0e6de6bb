"""Settings: one blueprint under ``/settings`` whose pages share a tab bar.

Admins' pages (API keys, webhooks, working time, approvals, flow reminders, people, groups, templates) sit
next to the ones every signed-in person has (email preferences); a page is for admins unless it is listed in
``FOR_EVERYONE``, so a new page cannot be left open by mistake. Every answer says
``Cache-Control: no-store``: secrets (a new API key, a webhook's signing secret) are
answered directly and must not be kept by a browser or proxy.
"""

from flask import Blueprint, current_app, request
from flask_login import current_user, login_required

from momoflow.errors import Forbidden

bp = Blueprint("settings", __name__, url_prefix="/settings")

FOR_EVERYONE = {"settings.notifications", "settings.save_notifications", "settings.out_of_office",
                "settings.save_out_of_office", "settings.clear_out_of_office"}
# (endpoint, tab label, for admins only); a page whose module is not installed is left out.
TABS = (("settings.api_keys", "API keys", True), ("settings.webhooks", "Webhooks", True),
        ("settings.working_time", "Working time", True), ("settings.approvals", "Approvals", True),
        ("settings.reminders", "Flow reminders", True),
        ("settings.people_page", "People", True), ("settings.groups_page", "Groups", True),
        ("settings.provisioning", "Provisioning", True), ("settings.sign_in", "Sign-in", True),
        ("settings.templates", "Templates", True),
        ("settings.notifications", "Email preferences", False),
        # Everyone's, but reached from the account menu: a tab bar of one page helps nobody.
        ("settings.out_of_office", "Out of office", True))


@bp.before_request
@login_required
def _admins_unless_for_everyone():
    if request.endpoint not in FOR_EVERYONE and not current_user.is_admin:
        raise Forbidden("Only administrators can open this page.")


@bp.after_request
def _never_cached(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.app_context_processor
def _tabs():
    """``settings_tabs()``: the tabs the signed-in person may open (the top bar asks too). A
    function, so pages that never show Settings (and emails rendered outside a request)
    never ask."""
    def settings_tabs():
        return [(endpoint, label) for endpoint, label, admins_only in TABS
                if endpoint in current_app.view_functions and (current_user.is_admin or not admins_only)]
    return {"settings_tabs": settings_tabs}
