"""The sign-in and sign-out pages."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from momoflow.accounts.services import sign_in
from momoflow.auth import bp
from momoflow.auth.forms import LoginForm
from momoflow.auth.services import end_all_sessions, end_session, start_session
from momoflow.auth.throttle import remember_browser, throttle_sign_in
from momoflow.errors import ServiceUnavailable, Unauthorized
from momoflow.sso import services as sso


@bp.route("/login", methods=["GET", "POST"])
@throttle_sign_in
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url())
    form = LoginForm()
    problem = None
    if form.validate_on_submit():
        try:
            user = sign_in(form.email.data, form.password.data)
        except (Unauthorized, ServiceUnavailable) as error:
            problem = error.message
        else:
            # Nothing from before sign-in carries over (session fixation, stale CSRF token).
            session.clear()
            start_session(user)
            login_user(user, remember=form.remember.data)
            flash(f"Welcome, {user.display_name}.", "success")
            return remember_browser(redirect(safe_next_url()), user.email)
    status = 200 if request.method == "GET" or not (problem or form.errors) else 400
    return render_template("auth/login.html", form=form, problem=problem, **_single_sign_on()), status


def _single_sign_on():
    """The "Sign in with …" buttons and whether to offer the email-first way at all."""
    buttons = sso.login_buttons(request.args.get("org", "")[:64] or None)
    return {"sso_buttons": buttons, "sso_offered": bool(buttons) or sso.any_enabled()}


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user)
    return _signed_out("You have signed out.")


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    end_all_sessions(current_user)
    return _signed_out("You have signed out everywhere: every session and API token of yours has ended.")


def _signed_out(message):
    # Cleared first: logout_user() leaves the note that deletes the remember-me cookie.
    session.clear()
    logout_user()
    flash(message, "info")
    return redirect(url_for("auth.login"))


def safe_next_url():
    """``?next=`` when it is a path on this site, else the dashboard."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    # Browsers ignore tabs and newlines in URLs and read "\\" as "/": "/\t/evil" is "//evil".
    is_local_path = (target.startswith("/") and not target.startswith("//") and "\\" not in target
                     and not any(c.isspace() or ord(c) < 32 for c in target)
                     and not parts.scheme and not parts.netloc)
    return target if is_local_path else url_for("dashboard.index")
