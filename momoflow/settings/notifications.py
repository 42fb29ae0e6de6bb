"""Settings → Email preferences: which kinds of event each person hears about by email
(everyone's own page, not an admin setting; in-app notifications always arrive)."""

from itertools import groupby
from operator import attrgetter

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from momoflow.notifications import services
from momoflow.settings import bp


@bp.get("/notifications")
def notifications():
    preferences = services.email_preferences(current_user)
    groups = [(group, list(items)) for group, items in groupby(preferences, key=attrgetter("group"))]
    return render_template("settings/notifications.html", groups=groups)


@bp.post("/notifications")
def save_notifications():
    services.set_email_preferences(current_user, request.form.getlist("email"))
    flash("Email preferences saved.", "success")
    return redirect(url_for(".notifications"), 303)
