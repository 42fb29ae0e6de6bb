"""Settings → Provisioning (admins): the SCIM base URL, tokens for the identity provider
(one shown once, as API keys are; list; revoke) and the latest provisioning changes.

A new token exists only in the answer to the post that made it (``Cache-Control:
no-store`` on every Settings answer), never in a redirect or a flash."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.extensions import db
from momoflow.forms import FormState, failed
from momoflow.scim import tokens
from momoflow.scim.models import ScimChange
from momoflow.settings import bp
from momoflow.sso import services as sso
from momoflow.transactions import refusals

CHANGES_SHOWN = 50


@bp.get("/provisioning")
def provisioning():
    return _page(FormState())


@bp.post("/provisioning")
def create_scim_token():
    values = {"name": request.form.get("name", "")}
    with refusals() as refused:
        token, secret = tokens.create_token(current_user.organization, values["name"], created_by=current_user)
    if refused:
        return _page(failed(values, refused.error, lambda path: path if path == "name" else None), refused.status)
    return _page(FormState(), new_token=token, secret=secret)


@bp.post("/provisioning/<uuid:token_id>/revoke")
def revoke_scim_token(token_id):
    token = tokens.revoke(current_user.organization, token_id)
    flash(f"Token “{token.name}” revoked. Provisioning with it is refused from now on.", "success")
    return redirect(url_for(".provisioning"), 303)


def _page(state, status=200, new_token=None, secret=None):
    organization = current_user.organization
    changes = db.session.scalars(sa.select(ScimChange).where(ScimChange.organization_id == organization.id)
                                 .order_by(ScimChange.occurred_at.desc(), ScimChange.id).limit(CHANGES_SHOWN)).all()
    provider = sso.provider_of(organization.id)
    return render_template("settings/provisioning.html", state=state, tokens=tokens.tokens_of(organization),
                           sso_enabled=provider is not None and provider.enabled,
                           new_token=new_token, secret=secret, changes=changes, max_name=tokens.MAX_NAME_LENGTH,
                           base_url=url_for("scim.service_provider_config", _external=True).rsplit("/", 1)[0]), status
