"""Settings → API keys (admins): generate a key, see it once, list and revoke keys.

A new key's secret exists only in the response to the post that made it: it is
never flashed (the session is a cookie), logged or stored, and every answer here
says ``Cache-Control: no-store`` so no browser or proxy keeps a copy. Generating
answers the post directly rather than redirecting, since a redirect would have
to carry the secret somewhere. A key gets the scopes ticked (all, unless the admin
unticks some) and, given a date, stops working at the start of that day (UTC).
"""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.apikeys.services import MAX_NAME_LENGTH, create_api_key, list_api_keys, revoke_api_key
from momoflow.database import utcnow
from momoflow.forms import FormState, failed
from momoflow.htmx import is_htmx_request, page_or_partial, toast
from momoflow.settings import bp
from momoflow.transactions import refusals


@bp.get("/api-keys")
def api_keys():
    return _page(FormState())


FIELDS = ("name", "scopes", "expires")  # the service's problem paths are the form's keys


@bp.post("/api-keys")
def generate_key():
    values = {"name": request.form.get("name", ""), "scopes": request.form.getlist("scopes"),
              "expires": request.form.get("expires", "")}
    with refusals() as refused:
        api_key, secret = create_api_key(current_user.organization, values["name"], values["scopes"],
                                         values["expires"], created_by=current_user)
    if refused:
        return _page(failed(values, refused.error, lambda path: path if path in FIELDS else None),
                     status=refused.status)
    return _page(FormState(), new_key=api_key, secret=secret,
                 message=f"Key “{api_key.name}” generated. Copy it now: it won't be shown again.")


@bp.post("/api-keys/<uuid:key_id>/revoke")
def revoke_key(key_id):
    api_key = revoke_api_key(current_user.organization, key_id)
    message = f"Key “{api_key.name}” revoked. Requests using it are refused from now on."
    if is_htmx_request():
        return render_template("settings/_key_row.html", key=api_key) + toast(message)
    flash(message, "success")
    return redirect(url_for(".api_keys"), 303)


def _page(state, status=200, new_key=None, secret=None, message=None):
    context = {"state": state, "keys": list_api_keys(current_user.organization), "new_key": new_key,
               "secret": secret, "max_name": MAX_NAME_LENGTH, "tomorrow": (utcnow() + timedelta(days=1)).date()}
    return page_or_partial("settings/api_keys.html", "settings/_key_panel.html", status, message, **context)
