"""``/login/sso``: the email-first form, the start of a provider sign-in and its callback."""

import uuid

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import login_user

from momoflow.auth.services import start_session
from momoflow.auth.throttle import remember_browser, throttle_sign_in
from momoflow.auth.views import safe_next_url
from momoflow.errors import ServiceUnavailable
from momoflow.extensions import db
from momoflow.sso import bp, oidc, services
from momoflow.sso.models import SsoProvider

PENDING = "sso_pending"  # the session key holding state, nonce and PKCE verifier until the callback
EXPIRED = "This sign-in has expired or was already used. Start again."
NO_PROVIDER = "No single sign-on is set up for {domain}. Sign in with your password instead."


@bp.route("/login/sso", methods=["GET", "POST"])
@throttle_sign_in
def email_first():
    email = request.form.get("email", "")[:320] if request.method == "POST" else ""
    if request.method == "POST":
        provider = services.provider_for_email(email)
        if provider is not None:
            # A page that moves on by itself, not a redirect: the CSP's form-action 'self'
            # would stop this form's post from being redirected on to the provider.
            start_url = url_for(".start", slug=provider.organization.slug, login_hint=email.strip(),
                                next=request.args.get("next"))
            return render_template("auth/sso.html", continue_url=start_url, provider_name=provider.name)
        domain = email.rpartition("@")[2].strip() or "that address"
        return render_template("auth/sso.html", email=email, problem=NO_PROVIDER.format(domain=domain)), 400
    return render_template("auth/sso.html", email=email, problem=None)


@bp.get("/login/sso/start/<slug>")
def start(slug):
    provider = services.provider_by_slug(slug)
    hint = request.args.get("login_hint", "")[:320] or None
    try:
        url, pending = oidc.authorization_request(services.client_for(provider), login_hint=hint)
    except (oidc.ProviderError, ServiceUnavailable) as error:
        return _refused(f"{provider.name} cannot be reached: {error.message}", 502)
    session[PENDING] = {**pending, "provider_id": str(provider.id), "next": safe_next_url()}
    return redirect(url, 303)


@bp.get("/login/sso/callback")
def callback():
    # Taken out whatever happens next: a state and its code are good for one try.
    pending = session.pop(PENDING, None)
    if not pending or request.args.get("state") != pending["state"]:
        return _refused(EXPIRED, 400)
    provider = db.session.get(SsoProvider, uuid.UUID(pending["provider_id"]))
    if provider is None or not provider.enabled:
        return _refused("Single sign-on is no longer set up for your organisation.", 400)
    if request.args.get("error"):
        return _refused(_provider_said(provider, request.args), 400)
    code = request.args.get("code")
    if not code:
        return _refused(EXPIRED, 400)
    try:
        claims = oidc.exchange_code(services.client_for(provider), code, pending)
        user = services.sign_in_with(provider, claims)
    except oidc.InvalidIdToken as error:
        return _refused(f"{provider.name}'s answer could not be trusted: {error.message}", 400)
    except oidc.ProviderError as error:
        return _refused(f"{provider.name} did not complete the sign-in: {error.message}", 502)
    except services.SsoRefused as error:
        return _refused(error.message, 403)
    # Nothing from before sign-in carries over (session fixation, stale CSRF token).
    session.clear()
    start_session(user)
    login_user(user)
    flash(f"Welcome, {user.display_name}.", "success")
    return remember_browser(redirect(pending["next"], 303), user.email)


def _provider_said(provider, args):
    description = str(args.get("error_description") or args.get("error"))[:300]
    return f"{provider.name} did not sign you in: {description}"


def _refused(message, status):
    return render_template("auth/sso.html", email="", problem=message, failed=True), status
