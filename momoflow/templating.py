"""What every template may use, registered once by ``create_app``: how times, countdowns
and sizes read (``static/js/app.js`` words live countdowns the same way), and each
feature's labels."""

from momoflow.database import utcnow


def duration_text(seconds):
    """``12 days``, ``2d 5h``, ``5h 12m``, ``12m`` or ``less than a minute`` (app.js's
    ``durationText`` says the same as the page refreshes)."""
    minutes = int(abs(seconds) // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days >= 7:  # a week or more: the hours are noise
        return f"{days} days"
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else "less than a minute"


def rough_span(seconds):
    """``12 days``, ``1 hour``, ``3 minutes`` or ``less than a minute``: rounded in the largest
    unit it reaches, for "3 minutes ago" and "in 12 days" where the exact time is a hover away."""
    seconds = abs(seconds)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = round(seconds / size)
            return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
    return "less than a minute"


def countdown(deadline, now=None):
    """``(text, overdue)`` for a deadline: ("due in 5h 12m", False), ("overdue by 2h 0m", True)."""
    seconds = (deadline - (now or utcnow())).total_seconds()
    if seconds < 0:
        return f"overdue by {duration_text(seconds)}", True
    return f"due in {duration_text(seconds)}", False


def moment_text(value):
    """Server-side wording of a time; the browser rewrites it in the reader's zone."""
    return value.strftime("%d %b %Y, %H:%M UTC").lstrip("0") if value else ""


def today_iso():
    """Today's date (UTC) for a date input's ``min``."""
    return utcnow().date().isoformat()


def date_text(value):
    return value.strftime("%d %b %Y").lstrip("0") if value else ""


def file_size(size):
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


def excerpt(text, length=160):
    """The start of ``text`` on one line, at most ``length`` characters, cut at a word
    (with "…" when cut): what a card shows of a description."""
    flat = " ".join((text or "").split())
    if len(flat) <= length:
        return flat
    cut = flat[:length + 1].rsplit(" ", 1)[0] if " " in flat[:length + 1] else flat[:length]
    return cut[:length].rstrip(" ,.;:-") + "…"


def register(app):
    from momoflow.apikeys import labels as key_labels
    from momoflow.flows import content as module_content
    from momoflow.flows import forms as flow_forms
    from momoflow.flows import quizzes
    from momoflow.flows import labels as flow_labels
    from momoflow.flows.access import can_assign, may_manage
    from momoflow.flows import progress
    from momoflow.flows import rules as flow_rules
    from momoflow.flows.report import seconds_text
    from momoflow.flows.models import AssignmentStatus, Priority
    from momoflow.htmx import HTMX_VERSION
    from momoflow.workflows import labels
    from momoflow.forms import FormState
    from momoflow.workflows.rules import tat_hours_json

    app.jinja_env.filters.update(moment=moment_text, date=date_text, file_size=file_size, hours=tat_hours_json,
                                 excerpt=excerpt, markdown=module_content.render,
                                 duration=flow_rules.duration_text, seconds_text=seconds_text)
    app.jinja_env.globals.update(
        htmx_version=HTMX_VERSION, countdown=countdown, empty_form=FormState(), today_iso=today_iso,
        quiz_shown_token=flow_forms.quiz_shown_token, acknowledgement_statement=quizzes.statement_for,
        inbox_badge=labels.inbox_badge, status_label=labels.STATUS_LABELS.get,
        level_status_label=labels.LEVEL_STATUS_LABELS.get, task_status_label=labels.task_status_label,
        level_rule=labels.level_rule, reason_words=labels.reason_words, task_actor_text=labels.task_actor_text,
        waiting_on=labels.waiting_on, holder_text=labels.holder_text,
        needs_new_approver=labels.needs_new_approver, tasks_in_order=labels.tasks_in_order,
        assignment_status_label=flow_labels.STATUS_LABELS.get, schedule_every=flow_labels.schedule_every,
        percent_done=progress.percent_done, can_assign=can_assign, may_change_assignment=may_manage,
        assignment_statuses=list(AssignmentStatus), priorities=list(Priority), key_state=key_labels.state_text,
        key_expiry=key_labels.expiry_text, key_last_use=key_labels.last_use_text,
        key_scopes=key_labels.SCOPES)
