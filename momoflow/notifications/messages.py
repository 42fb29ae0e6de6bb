"""What each notification says: a title, a sentence and a link per event type, and the
kinds of email people can turn off in their preferences.

Everything here is built from the event's payload (written when the change happened)
and the people the handler already loaded, so composing costs no query. Links are
paths in the app; emails put ``BASE_URL`` in front of them.
"""

from dataclasses import dataclass

from momoflow.accounts.models import Role
from momoflow.flows.access import ASSIGNERS
from momoflow.notifications import request_messages
from momoflow.notifications.wording import (
    QUOTE_LENGTH,
    SOMEONE,
    Context,
    Message,
    absolute_url,
    clip,
    local_time,
    one_line,
    path_for,
    quoted,
    zone_of,
)

__all__ = ["BODY_LENGTH", "KINDS", "QUOTE_LENGTH", "SOMEONE", "TITLE_LENGTH", "absolute_url", "compose", "kinds_for",
           "local_time", "path_for", "zone_of"]

TITLE_LENGTH = 300  # Notification.title
BODY_LENGTH = 1000


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
    "flow.due_date_changed": Kind("The due date of a flow assigned to me changes", FLOWS),
    "flow.reminded": Kind("Reminders to complete a flow assigned to me", FLOWS),
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


def compose(event, recipient, actor_name):
    """The message ``recipient`` gets for ``event`` (None if the type tells nobody anything)."""
    composer = _COMPOSERS.get(event.type)
    if composer is None:
        return None
    message = composer(Context(event, recipient, actor_name))
    return Message(one_line(message.title, TITLE_LENGTH), clip(message.body, BODY_LENGTH), message.link,
                   message.action)


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
    notes = f" Notes:{quoted(payload, 'notes')}" if payload.get("notes") else ""
    flow = f"“{payload.get('flowName')}”"
    if payload.get("sourceRequestNumber"):  # an approved request assigned it (flows.from_requests)
        said = f"You were assigned {flow}{due} because {payload['sourceRequestNumber']} was approved.{notes}"
    else:
        said = f"{by} assigned you {flow}{due}.{notes}"
    return Message(f"New flow to complete: {payload.get('flowName')}", said, _assignee_link(payload),
                   "Start the flow")


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
    reason = f" Reason:{quoted(payload, 'reason')}" if payload.get("reason") else ""
    return Message(f"{payload.get('flowName')} was cancelled",
                   f"{by} cancelled “{payload.get('flowName')}”: you no longer need to complete it.{reason}",
                   _assignee_link(payload), "See the flow")


def _flow_due_date_changed(context):
    payload = context.payload
    by = (payload.get("changedBy") or {}).get("name") or context.actor_name
    before = f" (it was {context.when(payload.get('previousDueDate'))})" if payload.get("previousDueDate") else ""
    return Message(f"New due date for {payload.get('flowName')}",
                   f"{by} moved the due date of “{payload.get('flowName')}” to "
                   f"{context.when(payload.get('dueDate'))}{before}.", _assignee_link(payload), "Open the flow")


def _flow_reminded(context):
    payload = context.payload
    flow, kind = payload.get("flowName"), payload.get("reminderType")
    progress = payload.get("progress") or {}
    done = f" {progress.get('completedModules', 0)} of {progress.get('totalModules', 0)} modules are done."
    due = f", due {context.when(payload.get('dueDate'))}" if payload.get("dueDate") else ""
    if kind == "overdue":
        title, said = f"Reminder: {flow} is overdue", f"“{flow}” was due {context.when(payload.get('dueDate'))}."
    elif kind == "before_due":
        days = payload.get("daysBefore")
        title = f"Reminder: {flow} is due in {days} day{'s' if days != 1 else ''}"
        said = f"“{flow}” is due {context.when(payload.get('dueDate'))}."
    else:
        by = (payload.get("remindedBy") or {}).get("name") or context.actor_name
        title, said = f"Reminder: please complete {flow}", f"{by} reminds you to complete “{flow}”{due}."
    return Message(title, said + done, _assignee_link(payload), "Continue the flow")


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
    note = f" Their note:{quoted(payload, 'message')}" if payload.get("message") else ""
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
    **request_messages.COMPOSERS,
    "flow.assigned": _flow_assigned,
    "flow.completed": _flow_completed,
    "flow.overdue": _flow_overdue,
    "flow.cancelled": _flow_cancelled,
    "flow.due_date_changed": _flow_due_date_changed,
    "flow.reminded": _flow_reminded,
    "webhook.disabled": _webhook_disabled,
    "absence.set": _absence_set,
    "person.deactivated": _person_deactivated,
    "person.reactivated": _person_reactivated,
}
assert set(_COMPOSERS) == set(KINDS), "every kind people can choose has a message, and the reverse"
