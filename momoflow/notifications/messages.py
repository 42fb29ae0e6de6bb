"""What each notification says: a title, a sentence and a link per event type, and the
kinds of email people can turn off in their preferences.

Everything here is built from the event's payload (written when the change happened)
and the people the handler already loaded, so composing costs no query. Links are
paths in the app; emails put ``BASE_URL`` in front of them.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from werkzeug.routing import BuildError

from momoflow.accounts.models import Role
from momoflow.flows.access import ASSIGNERS

TITLE_LENGTH = 300  # Notification.title
BODY_LENGTH = 1000
QUOTE_LENGTH = 200  # comments and reasons quoted in a body
SOMEONE = "Someone"  # the actor's name when there is no person (a timer, an API key)


@dataclass(frozen=True)
class Kind:
    """A kind of notification as the preferences page offers it."""

    label: str
    group: str
    for_roles: tuple = ()  # empty: everyone; else only people with one of these Roles


APPROVALS, FLOWS, ADMINISTRATION = "Approval requests", "Flows", "Administration"

# Every event type someone hears about, in the order the preferences page lists them.
KINDS = {
    "level.started": Kind("A request is waiting for my approval", APPROVALS),
    "level.tat_reminder": Kind("Reminders when half and three quarters of my time to decide have passed", APPROVALS),
    "level.tat_breached": Kind("A decision deadline passed (as approver, or on a request I raised)", APPROVALS),
    "approver.added": Kind("Someone adds me as an approver", APPROVALS),
    "spectator.added": Kind("Someone adds me as a spectator", APPROVALS),
    "workflow.created": Kind("A new request names me as a spectator", APPROVALS),
    "level.approved": Kind("A level is approved on a request I raised or watch", APPROVALS),
    "level.rejected": Kind("A level is rejected on a request I raised or watch", APPROVALS),
    "level.superseded": Kind("A level I could decide was decided by the other approvers", APPROVALS),
    "task.approved": Kind("One approver of a level on my request decides while the level waits for others",
                          APPROVALS),
    "task.rejected": Kind("One approver of a level on my request rejects while the level can still pass",
                          APPROVALS),
    "task.delegated": Kind("I stand in for someone who is out of office", APPROVALS),
    "task.delegation_ended": Kind("My tasks come back after my out of office", APPROVALS),
    "task.reassigned": Kind("A task is reassigned to me, or mine to someone else", APPROVALS),
    "task.escalated": Kind("A decision of someone I manage is overdue and offered to me", APPROVALS),
    "workflow.approved": Kind("A request I raised or watch is fully approved", APPROVALS),
    "workflow.rejected": Kind("A request I raised or watch is rejected", APPROVALS),
    "workflow.returned": Kind("A request I raised or watch is sent back for changes", APPROVALS),
    "workflow.resubmitted": Kind("A request I watch or sent back is resubmitted", APPROVALS),
    "comment.added": Kind("New comments on requests I take part in", APPROVALS),
    "flow.assigned": Kind("A flow is assigned to me", FLOWS),
    "flow.overdue": Kind("A flow is overdue (mine, or one I assigned)", FLOWS),
    "flow.completed": Kind("Someone completes a flow I assigned", FLOWS, for_roles=ASSIGNERS),
    "flow.cancelled": Kind("A flow assigned to me is cancelled", FLOWS),
    "absence.set": Kind("Someone out of office names me as their stand-in", APPROVALS),
    "webhook.disabled": Kind("A webhook endpoint was disabled", ADMINISTRATION, for_roles=(Role.ADMIN,)),
    "task.needs_approver": Kind("A request needs a new approver because someone left", ADMINISTRATION,
                                for_roles=(Role.ADMIN,)),
    "person.deactivated": Kind("Someone's account was deactivated", ADMINISTRATION, for_roles=(Role.ADMIN,)),
    "person.reactivated": Kind("Someone's account was reactivated", ADMINISTRATION, for_roles=(Role.ADMIN,)),
}


def kinds_for(user):
    """The kinds ``user`` can receive, ``{type: Kind}`` in display order."""
    return {name: kind for name, kind in KINDS.items() if not kind.for_roles or user.role in kind.for_roles}


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str | None  # a path in the app
    action: str  # the email's button, e.g. "Review the request"


@dataclass(frozen=True)
class Context:
    """What a message is composed from."""

    event: object  # momoflow.events.Event
    recipient: object  # the User it is for
    actor_name: str  # who did it (SOMEONE when no person did)

    @property
    def payload(self):
        return self.event.payload or {}

    def when(self, value):
        """An ISO moment from a payload in the reader's organisation's time zone."""
        return local_time(value, zone_of(self.recipient))


def compose(event, recipient, actor_name):
    """The message ``recipient`` gets for ``event`` (None if the type tells nobody anything)."""
    composer = _COMPOSERS.get(event.type)
    if composer is None:
        return None
    message = composer(Context(event, recipient, actor_name))
    return Message(_one_line(message.title, TITLE_LENGTH), _clip(message.body, BODY_LENGTH), message.link,
                   message.action)


# --- approval requests -----------------------------------------------------------------


def _request(context, title, body, action="Open the request"):
    payload = context.payload
    return Message(f"{payload.get('requestNumber', 'A request')}: {title}", body,
                   path_for("workflows.request_page", request_id=payload.get("requestId")), action)


def _quoted(payload, key):
    """A comment or reason quoted on one line (the full text is one click away)."""
    text = " ".join(str(payload.get(key) or "").split())
    return f" “{_clip(text, QUOTE_LENGTH)}”" if text else ""


def _level_started(context):
    payload = context.payload
    due = f" Please decide by {context.when(payload.get('tatDeadline'))}." if payload.get("tatDeadline") else ""
    return _request(context, "waiting for your approval",
                    f"“{payload.get('title')}” is at level {payload.get('levelNumber')} "
                    f"({payload.get('levelName') or 'your level'}) and needs your decision.{due}",
                    "Review the request")


def _tat_reminder(context):
    payload = context.payload
    return _request(context, f"{payload.get('percent')}% of your time to decide has passed",
                    f"“{payload.get('title')}” (level {payload.get('levelNumber')}) is due for your decision "
                    f"by {context.when(payload.get('tatDeadline'))}.", "Review the request")


def _tat_breached(context):
    payload = context.payload
    if str(context.recipient.id) == str(payload.get("approverId")):
        return _request(context, "your decision is overdue",
                        f"Your decision on “{payload.get('title')}” (level {payload.get('levelNumber')}) was due "
                        f"{context.when(payload.get('tatDeadline'))}.", "Review the request")
    return _request(context, f"level {payload.get('levelNumber')} is past its deadline",
                    f"The decision on “{payload.get('title')}” at level {payload.get('levelNumber')} was due "
                    f"{context.when(payload.get('tatDeadline'))} and has not been taken yet.")


def _level_decided(verb):
    def compose_decision(context):
        payload = context.payload
        comment = _quoted(payload, "comments")
        return _request(context, f"level {payload.get('levelNumber')} {verb} by {context.actor_name}",
                        f"“{payload.get('title')}”" + (f" — {context.actor_name}:{comment}" if comment else "."))
    return compose_decision


def _task_decided(verb):
    def compose_task(context):
        payload = context.payload
        comment = _quoted(payload, "comments")
        return _request(context, f"{_acted_by(context)} {verb} level {payload.get('levelNumber')}",
                        f"“{payload.get('title')}” has {payload.get('approvals')} of {payload.get('approvalsNeeded')} "
                        f"approvals it needs at level {payload.get('levelNumber')}." + (f" Comment:{comment}" if comment else ""))
    return compose_task


def _acted_by(context):
    """``Jane Doe for John Doe``: who decided, and for whom, from the payload."""
    payload = context.payload
    name = (payload.get("actedBy") or {}).get("name") or context.actor_name
    behalf = (payload.get("onBehalfOf") or {}).get("name")
    return f"{name} for {behalf}" if behalf else name


def _level_superseded(context):
    payload = context.payload
    outcome = "approved" if payload.get("levelStatus") == "APPROVED" else "rejected"
    return _request(context, f"level {payload.get('levelNumber')} was decided without you",
                    f"Level {payload.get('levelNumber')} of “{payload.get('title')}” was {outcome} by the other "
                    "approvers: there is nothing more for you to do.")


def _task_delegated(context):
    payload = context.payload
    behalf = (payload.get("onBehalfOf") or {}).get("name") or "a colleague"
    return _request(context, f"you decide for {behalf}",
                    f"{behalf} is out of office: level {payload.get('levelNumber')} of “{payload.get('title')}” "
                    "waits for your decision on their behalf.", "Review the request")


def _task_delegation_ended(context):
    payload = context.payload
    return _request(context, "your task is back with you",
                    f"Your out of office ended: level {payload.get('levelNumber')} of “{payload.get('title')}” "
                    "waits for your decision again.", "Review the request")


def _task_reassigned(context):
    payload = context.payload
    reason = _quoted(payload, "comments")
    if str(context.recipient.id) == str(payload.get("assigneeId")):
        return _request(context, f"{context.actor_name if context.actor_name != SOMEONE else 'MomoFlow'} "
                                 "handed you a decision",
                        f"Level {payload.get('levelNumber')} of “{payload.get('title')}” is now yours to decide."
                        + (f" Reason:{reason}" if reason else ""), "Review the request")
    return _request(context, f"your task at level {payload.get('levelNumber')} was reassigned",
                    f"{context.actor_name} gave your decision on “{payload.get('title')}” to "
                    f"{payload.get('assigneeEmail')}." + (f" Reason:{reason}" if reason else ""))


def _task_escalated(context):
    payload = context.payload
    behalf = (payload.get("onBehalfOf") or {}).get("name") or "someone you manage"
    return _request(context, f"overdue: you may decide for {behalf}",
                    f"{behalf}'s decision on “{payload.get('title')}” (level {payload.get('levelNumber')}) is past "
                    "its deadline. You may approve or reject it in their place.", "Review the request")


def _task_needs_approver(context):
    payload = context.payload
    return _request(context, "needs a new approver",
                    f"{payload.get('formerName') or payload.get('formerEmail')} left and nobody stands in for them: "
                    f"level {payload.get('levelNumber')} of “{payload.get('title')}” waits until you reassign "
                    "their task.", "Reassign the task")


def _workflow_approved(context):
    return _request(context, "approved", f"“{context.payload.get('title')}” passed every approval level.")


def _workflow_rejected(context):
    payload = context.payload
    comment = _quoted(payload, "comments")
    return _request(context, f"rejected by {context.actor_name}",
                    f"“{payload.get('title')}” is closed." + (f" {context.actor_name}:{comment}" if comment else ""))


def _workflow_returned(context):
    payload = context.payload
    comment = _quoted(payload, "comments")
    said = f" {context.actor_name}:{comment}" if comment else ""
    if str(context.recipient.id) in (payload.get("supersededIds") or ()):
        return _request(context, "sent back for changes",
                        f"{context.actor_name} returned “{payload.get('title')}” to its initiator, so your decision "
                        f"at level {payload.get('levelNumber')} is no longer needed for now.{said}")
    if str(context.recipient.id) == payload.get("initiatorId"):
        return _request(context, f"{context.actor_name} asks for changes",
                        f"“{payload.get('title')}” came back to you.{said} Change it and resubmit it, "
                        "or withdraw it.", "Change and resubmit")
    return _request(context, "sent back for changes",
                    f"{context.actor_name} returned “{payload.get('title')}” to its initiator.{said}")


def _workflow_resubmitted(context):
    payload = context.payload
    labels = [str(change.get("label", "")).lower() for change in payload.get("changes") or () if isinstance(change, dict)]
    what = f"Changed: {', '.join(labels)}." if labels else "Nothing was changed."
    return _request(context, f"resubmitted (round {payload.get('round')})",
                    f"{context.actor_name} resubmitted “{payload.get('title')}”. {what} It runs again from level "
                    f"{payload.get('resumeLevel')}.")


def _workflow_created(context):
    return _request(context, "you are watching a new request",
                    f"{context.actor_name} raised “{context.payload.get('title')}” and added you as a spectator: "
                    "you can follow it and comment.")


def _approver_added(context):
    payload = context.payload
    if payload.get("levelNumber"):
        return _request(context, f"you approve level {payload['levelNumber']}",
                        f"{context.actor_name} made you the approver of level {payload['levelNumber']} of "
                        f"“{payload.get('title')}”. You will hear from us when it is your turn.")
    return _request(context, "you were added as an approver",
                    f"{context.actor_name} added you as an approver of “{payload.get('title')}”: you can follow "
                    "it, comment and download its documents.")


def _spectator_added(context):
    return _request(context, "you were added as a spectator",
                    f"{context.actor_name} added you to follow “{context.payload.get('title')}”: you can see "
                    "its progress and comment.")


def _comment_added(context):
    payload = context.payload
    return _request(context, f"{context.actor_name} commented",
                    f"On “{payload.get('title')}”:{_quoted(payload, 'preview')}", "Read the comment")


# --- flows -----------------------------------------------------------------------------


def _assignee_link(payload):
    return path_for("flows.my_flow", assignment_id=payload.get("assignmentId"))


def _overview_link(payload):
    return path_for("flows.assignments", email=payload.get("userEmail"))


def _flow_assigned(context):
    payload = context.payload
    by = context.actor_name
    if by == SOMEONE and (payload.get("assignedBy") or {}).get("name"):
        by = payload["assignedBy"]["name"]
    due = f", due {context.when(payload.get('dueDate'))}" if payload.get("dueDate") else ""
    notes = f" Notes:{_quoted(payload, 'notes')}" if payload.get("notes") else ""
    return Message(f"New flow to complete: {payload.get('flowName')}",
                   f"{by} assigned you “{payload.get('flowName')}”{due}.{notes}",
                   _assignee_link(payload), "Start the flow")


def _flow_completed(context):
    payload = context.payload
    return Message(f"{context.actor_name} completed {payload.get('flowName')}",
                   f"{context.actor_name} ({payload.get('userEmail')}) finished every module of "
                   f"“{payload.get('flowName')}”.", _overview_link(payload), "See the assignment")


def _flow_overdue(context):
    payload = context.payload
    due = context.when(payload.get("dueDate"))
    progress = payload.get("progress") or {}
    done = f" {progress.get('completedModules', 0)} of {progress.get('totalModules', 0)} modules are done."
    if context.recipient.email == payload.get("userEmail"):
        return Message(f"{payload.get('flowName')} is overdue", f"“{payload.get('flowName')}” was due {due}.{done}",
                       _assignee_link(payload), "Continue the flow")
    return Message(f"{payload.get('flowName')} is overdue for {payload.get('userEmail')}",
                   f"{payload.get('userEmail')} has not finished “{payload.get('flowName')}”, due {due}.{done}",
                   _overview_link(payload), "See the assignment")


def _flow_cancelled(context):
    payload = context.payload
    by = (payload.get("cancelledBy") or {}).get("name") or context.actor_name
    return Message(f"{payload.get('flowName')} was cancelled",
                   f"{by} cancelled “{payload.get('flowName')}”: you no longer need to complete it.",
                   _assignee_link(payload), "See the flow")


# --- administration --------------------------------------------------------------------


def _webhook_disabled(context):
    payload = context.payload
    return Message(f"Webhook disabled: {payload.get('url')}",
                   f"MomoFlow stopped sending events to {payload.get('url')}: {payload.get('reason') or 'it failed'}. "
                   "Enable it again once the endpoint works.",
                   path_for("settings.webhook", endpoint_id=payload.get("endpointId")) or path_for("settings.webhooks"),
                   "Open the webhook")


# --- out of office ---------------------------------------------------------------------


def _absence_set(context):
    payload = context.payload
    name = payload.get("userName") or SOMEONE
    note = f" Their note:{_quoted(payload, 'message')}" if payload.get("message") else ""
    return Message(f"{name} is out of office: you stand in",
                   f"{name} is out of office from {context.when(payload.get('start'))} to "
                   f"{context.when(payload.get('end'))}: you stand in for them. Requests waiting for their "
                   f"decision come to you meanwhile.{note}",
                   path_for("workflows.inbox"), "Open your approvals")


def _people_link(payload):
    return path_for("settings.people_page", q=payload.get("email")) or path_for("settings.people_page")


def _person_deactivated(context):
    payload = context.payload
    name, email = payload.get("name") or payload.get("email"), payload.get("email")
    if (payload.get("deactivatedBy") or {}).get("email"):
        how = f"{context.actor_name} deactivated {name}'s account ({email})"
    else:
        how = f"{name} ({email}) left the company directory, so their account was deactivated"
    return Message(f"{name}'s account was deactivated",
                   f"{how}. Their sign-ins are ended and their undecided approvals go to whoever stands in.",
                   _people_link(payload), "Open People")


def _person_reactivated(context):
    payload = context.payload
    name = payload.get("name") or payload.get("email")
    return Message(f"{name}'s account was reactivated",
                   f"{context.actor_name} reactivated {name}'s account ({payload.get('email')}): they can sign in "
                   "again.", _people_link(payload), "Open People")


_COMPOSERS = {
    "level.started": _level_started,
    "level.tat_reminder": _tat_reminder,
    "level.tat_breached": _tat_breached,
    "level.approved": _level_decided("approved"),
    "level.rejected": _level_decided("rejected"),
    "level.superseded": _level_superseded,
    "task.approved": _task_decided("approved"),
    "task.rejected": _task_decided("rejected"),
    "task.delegated": _task_delegated,
    "task.delegation_ended": _task_delegation_ended,
    "task.reassigned": _task_reassigned,
    "task.escalated": _task_escalated,
    "task.needs_approver": _task_needs_approver,
    "workflow.approved": _workflow_approved,
    "workflow.rejected": _workflow_rejected,
    "workflow.created": _workflow_created,
    "workflow.returned": _workflow_returned,
    "workflow.resubmitted": _workflow_resubmitted,
    "approver.added": _approver_added,
    "spectator.added": _spectator_added,
    "comment.added": _comment_added,
    "flow.assigned": _flow_assigned,
    "flow.completed": _flow_completed,
    "flow.overdue": _flow_overdue,
    "flow.cancelled": _flow_cancelled,
    "webhook.disabled": _webhook_disabled,
    "absence.set": _absence_set,
    "person.deactivated": _person_deactivated,
    "person.reactivated": _person_reactivated,
}
assert set(_COMPOSERS) == set(KINDS), "every kind people can choose has a message, and the reverse"


# --- helpers ---------------------------------------------------------------------------


def path_for(endpoint, **values):
    """A path in the app, built without a request (handlers run in workers); None if the
    page does not exist (yet) or a value is missing."""
    if any(value is None for value in values.values()):
        return None
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    try:
        return adapter.build(endpoint, values)
    except BuildError:
        return None


def absolute_url(path):
    return current_app.config["BASE_URL"].rstrip("/") + path if path else current_app.config["BASE_URL"]


def local_time(value, zone):
    """``25 Nov 2024, 17:00 IST`` for an ISO string or aware datetime; the text as given if unreadable."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def zone_of(user):
    """The time zone ``user``'s organisation works in (UTC if it names none we know)."""
    try:
        return ZoneInfo(user.organization.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _one_line(text, length):
    """Titles become email subjects: one line (a newline there would be header injection)."""
    return _clip(" ".join(str(text).split()), length)


def _clip(text, length):
    text = str(text)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
