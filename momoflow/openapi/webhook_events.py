"""``webhooks``: what MomoFlow POSTs to a subscribed endpoint, one entry per event type.

Every delivery is ``{"type", "timestamp", "data"}`` signed the Standard Webhooks way
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature``); ``data`` is the event's
payload. Request events carry ``requestId``, ``requestNumber``, ``title`` and ``status``
besides what is listed here.
"""

from momoflow.openapi.common import obj, schema, text
from momoflow.webhooks.services import SUBSCRIBABLE_EVENTS, TEST_EVENT

# What an endpoint can receive: what it subscribes to, and a test event an admin sends it.
DELIVERED = frozenset({*SUBSCRIBABLE_EVENTS, TEST_EVENT})

ACTING = "`actedBy` and `onBehalfOf` (`{email, name}` or null) and `reason` say who decided and for whom."

# What each event means and the payload fields that matter; a new event type must be added.
EVENTS = {
    "workflow.created": "A request was raised. `approvers`, `spectators`: their emails.",
    "workflow.approved": "Every level needed approved the request.",
    "workflow.rejected": "A level was rejected, and with it the request. `comments`.",
    "workflow.withdrawn": "The initiator or an administrator withdrew the request. `reason`.",
    "workflow.returned": "An approver sent the request back for changes instead of deciding (status RETURNED). "
                         "`comments`, `to` (`INITIATOR` or the earlier level that looks again), `resumeLevel`, "
                         f"`round`, `returnsLeft`, `levelNumber`. {ACTING}",
    "workflow.resubmitted": "The initiator changed a returned request and the next round started. `round`, "
                            "`resumeLevel`, `changes` (`[{field, label, old, new}]`), `filesAdded`, `filesRemoved`, "
                            "`comments`.",
    "level.started": "A level waits for its approvers. `approverIds`/`approverEmails` (whoever may decide "
                     "now, stand-ins included), `approverId` (the first), `tatDeadline`.",
    "level.tat_reminder": "50 % or 75 % of a level's TAT has passed (`percent`).",
    "level.tat_breached": "A level's TAT passed without a decision.",
    "level.approved": f"A level was approved (its rule was met). `comments`, `taskId`. {ACTING}",
    "level.rejected": f"A level was rejected. `comments`, `taskId`. {ACTING}",
    "level.superseded": "A level was decided; these approvers had not acted and no longer can "
                        "(`supersededIds`, `supersededEmails`, `levelStatus`).",
    "task.approved": f"One approver approved; the level waits for more (`approvals` of `approvalsNeeded`). {ACTING}",
    "task.rejected": f"One approver rejected; the level can still be approved (UNREACHABLE). {ACTING}",
    "task.delegated": "An approver is out of office: their task went to a stand-in (`assigneeEmail`, `onBehalfOf`).",
    "task.delegation_ended": "An absence ended: the untouched task came back to `assigneeEmail`.",
    "task.reassigned": "A task was handed on by its holder or an administrator (`reason: reassigned`, "
                       "`comments`) or because its holder left (`reason: deactivated`): `fromEmail` → `toEmail`.",
    "task.escalated": "A breached ESCALATE level: the holder's manager (`assigneeEmail`) may decide for them.",
    "task.needs_approver": "A task's holder left and nobody stands in: an administrator must reassign it "
                           "(`formerEmail`).",
    "approver.added": "Approvers were added (`approverEmail`, `approverEmails`; `levelNumber` unless general).",
    "spectator.added": "A spectator was added (`userEmail`).",
    "comment.added": "A comment was written (`preview`).",
    "absence.set": "Someone set an out of office and named a stand-in.",
    "person.deactivated": "An administrator deactivated someone, or they left the directory (`deactivatedBy` "
                          "null); their undecided tasks moved in the same transaction.",
    "person.reactivated": "An administrator reactivated someone.",
    "flow.assigned": "A flow was assigned: by an integrator (`assignedBy.type` `api_key`), a person, or an approved "
                     "request (`assignedBy.type` `request`; `sourceRequestId` and `sourceRequestNumber` name it).",
    "flow.started": "The assignee opened their first module.",
    "flow.completed": "The assignee completed every module.",
    "flow.overdue": "The due date passed before completion.",
    "flow.cancelled": "An open assignment was cancelled (`cancelledBy`: a person or an API key; `reason`). A "
                      "reassignment cancels the old one with `reason` \"Reassigned to <name>\" and `reassignedTo` "
                      "(the new `assignmentId`, `userEmail`, `name`), and assigns the new one (`flow.assigned`).",
    "flow.due_date_changed": "An open assignment's due date moved (`dueDate`, `previousDueDate`, `changedBy`).",
    "flow.reminded": "The assignee was reminded: by hand (`reminderType` `manual`, `remindedBy`), before the due "
                     "date (`before_due`, `daysBefore`) or after it passed (`overdue`), as the organisation's "
                     "reminder settings say.",
    "webhook.test": "Sent to one endpoint when an administrator presses Send test event on its page "
                    "(Settings → Webhooks), whatever it subscribes to; it cannot be subscribed to. `endpointId`, "
                    "`organization` (`{id, name}`), `timestamp` and `message` (\"This is a test event from "
                    "MomoFlow\").",
}


# Events whose ``data`` is an assignment (``flows.schemas.assignment_event_payload``).
ASSIGNMENT_EVENTS = {"flow.assigned", "flow.started", "flow.completed", "flow.overdue", "flow.cancelled",
                     "flow.due_date_changed", "flow.reminded"}


def _body(event_type):
    properties = {"type": {"const": event_type}}
    if event_type in ASSIGNMENT_EVENTS:
        properties["data"] = schema("AssignmentEvent")
    return {"allOf": [schema("WebhookEvent"), {"properties": properties}]}


def webhook_schemas():
    return {"WebhookEvent": obj({
        "type": text("The event type, e.g. `level.approved`."),
        "timestamp": {"type": "string", "format": "date-time", "description": "When it happened (UTC)."},
        "data": {"type": "object", "description": "The event's payload."},
    }, ["type", "timestamp", "data"])}


def webhooks():
    missing = DELIVERED - set(EVENTS)
    if missing:
        raise LookupError(f"undocumented webhook events: {sorted(missing)}")
    return {event_type: {"post": {
        "operationId": "webhook_" + event_type.replace(".", "_"),
        "summary": event_type,
        "description": description,
        "requestBody": {"required": True, "content": {"application/json": {"schema": _body(event_type)}}},
        "responses": {"2XX": {"description": "Received. Anything else is retried with backoff."}},
    }} for event_type, description in EVENTS.items() if event_type in DELIVERED}
