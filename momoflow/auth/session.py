"""Flask-Login wiring: loading the signed-in user and answering when there is none."""

from flask import jsonify, redirect, request, url_for

from momoflow.auth.services import find_signed_in_user
from momoflow.errors import api_style, json_error
from momoflow.extensions import login_manager
from momoflow.htmx import is_htmx_request, redirect_response


@login_manager.user_loader
def load_user(token):
    """``token`` is ``User.get_id()``'s, from the session or the remember-me cookie."""
    return find_signed_in_user(token)


@login_manager.unauthorized_handler
def unauthorized():
    if api_style():
        return json_error(401, "unauthorized", "Unauthorized", "Sign in first")
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx_request():
        return redirect_response(login_url, jsonify({}))
    return redirect(login_url)
