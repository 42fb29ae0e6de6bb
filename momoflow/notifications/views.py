"""The notification pages: the list, the bell in the top bar and marking read (email
preferences are at Settings → Email preferences, ``settings.notifications``).

Thin callers of ``services``. The bell is a fragment htmx loads after the page and
polls every 30 seconds, so no page pays for the count while rendering; marking read
answers htmx with the changed item (or list), the bell out of band and a toast, and
a plain post with a redirect.
"""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from momoflow.errors import ValidationFailed
from momoflow.htmx import is_htmx_request, toast
from momoflow.notifications import bp, services


LIST_ID = "notification-list"


@bp.get("/notifications")
@login_required
def index():
    cursor = request.args.get("cursor")
    try:
        page = services.list_notifications(current_user, cursor)
    except ValidationFailed as error:
        return _page(services.Page([], None), problems=[message for _, message in error.problems]), 400
    more_url = url_for(".index", cursor=page.next_cursor) if page.next_cursor else None
    if is_htmx_request() and cursor:
        return render_template("workflows/_more_items.html", page=page, more_url=more_url, list_id=LIST_ID,
                               item_template="notifications/_item.html", oob=False)
    return _page(page, more_url)


def _page(page, more_url=None, problems=()):
    return render_template("notifications/index.html", page=page, more_url=more_url, problems=problems,
                           unread=services.badge_text(services.unread_count(current_user)), list_id=LIST_ID)


@bp.get("/notifications/bell")
def bell():
    """The bell's fragment. Signed out (a session that ended while the page was open), the
    poll gets an empty answer that htmx leaves alone, not a redirect to the sign-in page."""
    if not current_user.is_authenticated:
        return "", 204
    response = make_response(render_template("notifications/_bell.html", bell=_bell()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/notifications/<uuid:notification_id>/read")
@login_required
def mark_read(notification_id):
    notification = services.mark_read(current_user, notification_id)
    if is_htmx_request():
        return (render_template("notifications/_item.html", item=notification, focus=True)
                + _bell_oob() + toast("Marked as read."))
    flash("Marked as read.", "success")
    return redirect(url_for(".index"), 303)


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():
    count = services.mark_all_read(current_user)
    message = f"{count} notification{'s' if count != 1 else ''} marked as read." if count else "Nothing was unread."
    if is_htmx_request():
        page = services.list_notifications(current_user)
        more_url = url_for(".index", cursor=page.next_cursor) if page.next_cursor else None
        return (render_template("notifications/_panel.html", page=page, more_url=more_url, unread="", focus=True,
                                list_id=LIST_ID)
                + _bell_oob() + toast(message))
    flash(message, "success")
    return redirect(url_for(".index"), 303)


def _bell():
    count = services.unread_count(current_user)
    return {"count": count, "badge": services.badge_text(count)}


def _bell_oob():
    return render_template("notifications/_bell_oob.html", bell=_bell())
