"""What notifications about approval requests say, one composer per event type."""

from momoflow.notifications.wording import SOMEONE, Message, path_for, quoted


def _request(context, title, body, action="Open the request"):
    payload = context.payload
    return Message(f"{payload.get('requestNumber', 'A request')}: {title}", body,
                   path_for("workflows.request_page", request_id=payload.get("requestId")), action)


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
        comment = quoted(payload, "comments")
        return _request(context, f"level {payload.get('levelNumber')} {verb} by {context.actor_name}",
                        f"“{payload.get('title')}”" + (f" — {context.actor_name}:{comment}" if comment else "."))
    return compose_decision


def _task_decided(verb):
    def compose_task(context):
        payload = context.payload
        comment = quoted(payload, "comments")
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
    reason = quoted(payload, "comments")
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
    comment = quoted(payload, "comments")
    return _request(context, f"rejected by {context.actor_name}",
                    f"“{payload.get('title')}” is closed." + (f" {context.actor_name}:{comment}" if comment else ""))


def _workflow_returned(context):
    payload = context.payload
    comment = quoted(payload, "comments")
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
                    f"On “{payload.get('title')}”:{quoted(payload, 'preview')}", "Read the comment")


COMPOSERS = {
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
}
