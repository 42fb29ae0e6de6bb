"""Settings → Sign-in (admins): the organisation's OpenID Connect provider (issuer, client,
email domains, whether passwords still work, groups to roles), and removing it.

The client secret is never shown again: the form leaves it blank, and blank keeps it."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.extensions import db
from momoflow.forms import FormState, failed
from momoflow.sso import secrets, services
from momoflow.sso.models import SsoIdentity
from momoflow.settings import bp
from momoflow.transactions import refusals

FIELDS = ("name", "issuer", "client_id", "client_secret", "domains", "groups_claim", "role_mapping")
FLAGS = ("password_sign_in", "enabled")


@bp.get("/sign-in")
def sign_in():
    provider = services.provider_of(current_user.organization_id)
    return _page(FormState(values=_stored_values(provider)), provider)


@bp.post("/sign-in")
def save_sign_in():
    values = {name: request.form.get(name, "") for name in FIELDS}
    values.update({name: bool(request.form.get(name)) for name in FLAGS})
    with refusals() as refused:
        provider = services.configure(current_user.organization, values)
    if refused:
        values["client_secret"] = ""  # never echoed back into the page
        state = failed(values, refused.error, lambda path: path if path in FIELDS else None)
        return _page(state, services.provider_of(current_user.organization_id), refused.status)
    flash(f"Single sign-on with {provider.name} saved." if provider.enabled
          else f"{provider.name} saved, switched off: nobody is sent to it yet.", "success")
    return redirect(url_for(".sign_in"), 303)


@bp.post("/sign-in/remove")
def remove_sign_in():
    services.remove(current_user.organization)
    flash("Single sign-on removed. Everyone signs in with a password again.", "success")
    return redirect(url_for(".sign_in"), 303)


def _stored_values(provider):
    if provider is None:
        return {"groups_claim": "groups", "password_sign_in": True, "enabled": True}
    return {"name": provider.name, "issuer": provider.issuer, "client_id": provider.client_id,
            "domains": "\n".join(domain.domain for domain in provider.domains),
            "groups_claim": provider.groups_claim, "role_mapping": provider.role_mapping,
            "password_sign_in": provider.password_sign_in, "enabled": provider.enabled}


def _page(state, provider, status=200):
    people = db.session.scalar(sa.select(sa.func.count()).where(SsoIdentity.provider_id == provider.id)) \
        if provider else 0
    return render_template("settings/sign_in.html", state=state, provider=provider, people_linked=people,
                           redirect_uri=services.redirect_uri(), key_configured=secrets.is_configured()), status
