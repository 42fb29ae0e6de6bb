"""Flask-Login wiring: loading the signed-in user and answering when there is none."""

import uuid

from flask import jsonify, redirect, request, url_for

from momoflow.accounts.models import User
from momoflow.errors import api_style, json_error
from momoflow.extensions import db, login_manager
from momoflow.htmx import is_htmx_request, redirect_response


@login_manager.user_loader
def load_user(user_id):
    try:
        user = db.session.get(User, uuid.UUID(user_id))
    except ValueError:
        return None
    return user if user is not None and user.active else None


@login_manager.unauthorized_handler
def unauthorized():
    if api_style():
        return json_error(401, "unauthorized", "Unauthorized", "Sign in first")
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if is_htmx_request():
        return redirect_response(login_url, jsonify({}))
    return redirect(login_url)
