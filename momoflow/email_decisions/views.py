"""The pages an email's Approve and Reject links open.

Opening a link never acts: GET (and HEAD, which link scanners and mail clients send
ahead of the person) shows what the decision would be and a form; only the form's POST
decides. The pages work without signing in (the token is the proof) unless the
organisation requires it. Their URLs hold the token, so they are never cached, never
sent on as a Referer (``no-referrer``) and never indexed.

CSRF: the POST's token is checked here, against the session, rather than by
``CSRFProtect``, because on HTTPS that also insists on a Referer from our own site,
and these pages send none. The session cookie is SameSite=Lax, so another site cannot
post with it anyway.
"""

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from momoflow.database import utcnow
from momoflow.email_decisions import bp, services
from momoflow.extensions import csrf, limiter
from momoflow.forms import FormState, failed, single_field
from momoflow.transactions import keep_even_if_refused, refusals

PATH = "/email-decisions/<token>/<any(approve, reject):decision>"
FORM_EXPIRED = "The page was open too long, or cookies are blocked. Open the link again and confirm."


def _rate_limit():
    return current_app.config["EMAIL_DECISION_RATE_LIMIT"]


rate_limited = limiter.shared_limit(_rate_limit, scope="email-decisions")


@bp.after_request
def _private(response):
    headers = response.headers
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cache-Control"] = "no-store"
    headers["Pragma"] = "no-cache"
    headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get(PATH)
@rate_limited
def confirm(token, decision):
    link = services.find_link(token)
    if link is None:
        return _unknown()
    if _must_sign_in(link):
        return _to_sign_in()
    kind, reason = link.refusal(_viewer(), utcnow())
    if kind is not None:
        return _refused(link, decision, kind, reason)
    return _confirm_page(link, decision, FormState())


@bp.post(PATH)
@csrf.exempt
@rate_limited
def decide(token, decision):
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return _message_page("This form has expired", FORM_EXPIRED, 400, again=request.path)
    link = services.find_link(token)
    if link is None:
        return _unknown()
    if _must_sign_in(link):
        return _to_sign_in()
    viewer, comments = _viewer(), request.form.get("comments")
    with refusals(also=(403, 410)) as refused:
        done = services.decide_with_link(token, decision, comments, viewer)
    if not refused:
        return render_template("email_decisions/done.html", link=done, decision=decision) if done else _unknown()
    return _after_refusal(token, decision, viewer, comments, refused.error)


def _after_refusal(token, decision, viewer, comments, error):
    """A refused POST: the link's refusal (logged), a comment the rejection needs (the form
    again), or a rule of the workflow that stopped it (logged as stale: it moved on)."""
    link = services.find_link(token)
    if link is None:
        return _unknown()
    if isinstance(error, services.LinkRefused):
        kind, reason = error.kind, error.reason
    elif getattr(error, "field", None) == "comments":
        return _confirm_page(link, decision, failed({"comments": comments or ""}, error, single_field("comments")),
                             status=422)
    else:
        kind, reason = services.STALE, error.message.rstrip(".") + "."
    link_id, viewer_id = link.row.id, viewer.id if viewer else None
    keep_even_if_refused(lambda: services.log_refusal(link_id, viewer_id, decision, kind, reason))
    return _refused(link, decision, kind, reason)


def _viewer():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _must_sign_in(link):
    return link.holder.organization.email_decisions_need_sign_in and not current_user.is_authenticated


def _to_sign_in():
    return redirect(url_for("auth.login", next=request.path), 303)


def _confirm_page(link, decision, state, status=200):
    return render_template("email_decisions/confirm.html", link=link, decision=decision, state=state,
                           past=services.PAST[decision]), status


STATUSES = {services.USED: 410, services.EXPIRED: 410, services.STALE: 409, services.SOMEONE_ELSE: 403}


def _refused(link, decision, kind, reason):
    return render_template("email_decisions/refused.html", link=link, decision=decision, kind=kind,
                           reason=reason), STATUSES[kind]


def _unknown():
    return _message_page("This link is not valid",
                         "It may be mistyped or cut short, or it came in an email that was sent again since: "
                         "use the newest email. You can always decide on the request in MomoFlow.", 404)


def _message_page(heading, text, status, again=None):
    return render_template("email_decisions/message.html", heading=heading, text=text, again=again), status

