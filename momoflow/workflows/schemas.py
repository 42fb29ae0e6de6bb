"""How requests and their parts appear in JSON (the seed's field names)."""

from flask import url_for

from momoflow.request_templates.schemas import form_json

from momoflow.workflows.rules import approvals_needed, tat_hours_json
from momoflow.workflows.tasks import counted, first_approver, in_order, who


def _time(value):
    return value.isoformat() if value else None


def person_json(user):
    if user is None:
        return None
    return {"userId": str(user.id), "email": user.email, "displayName": user.display_name}


def request_json(request, current_level=None):
    data = {
        "requestId": str(request.id),
        "requestNumber": request.request_number,
        "templateType": request.template_type.value,
        "title": request.title,
        "description": request.description,
        "priority": request.priority.value,
        "status": request.status.value,
        "currentLevel": request.current_level,
        "totalLevels": request.total_levels,
        "initiator": person_json(request.initiator),
        "createdAt": _time(request.created_at),
        "updatedAt": _time(request.updated_at),
        "closedAt": _time(request.closed_at),
        "round": request.round,
        "resumeLevel": request.resume_level,
        "returnedAt": _time(request.returned_at),
    }
    if current_level is not None:
        data["currentApproval"] = level_json(current_level)
    return data


def level_json(level):
    first = first_approver(level)
    return {
        "levelId": str(level.id),
        "levelNumber": level.level_number,
        "levelName": level.level_name,
        "approverId": str(first.id),
        "approverEmail": first.email,
        "approverName": first.display_name,
        "approvalMode": level.approval_mode.value,
        "minApprovals": approvals_needed(level.approval_mode, level.min_approvals, len(counted(level))),
        "rejectionPolicy": level.rejection_policy.value,
        "onBreach": level.on_breach.value,
        "approvers": [task_json(task) for task in in_order(level.tasks)],
        "round": level.round,
        "earlierRounds": [task_json(task) for task in level.earlier_tasks],
        "tatHours": tat_hours_json(level.tat_hours),
        "isFinalApprover": level.is_final_approver,
        "status": level.status.value,
        "startedAt": _time(level.started_at),
        "tatDeadline": _time(level.tat_deadline),
        "actedAt": _time(level.acted_at),
        "comments": level.comments,
    }


def task_json(task):
    """One approver's task: who holds it, what they decided, for whom and why."""
    acted_by = task.acted_by if task.status.is_decision else None
    return {
        "taskId": str(task.id),
        "email": task.assignee.email,
        "name": task.assignee.display_name,
        "status": task.status.value,
        "actedAt": _time(task.acted_at),
        "comments": task.comments,
        "actedBy": who(acted_by),
        "onBehalfOf": who(task.on_behalf_of),
        "reason": task.reason.value if task.reason else None,
        "escalatedTo": who(task.escalated_to),
        "round": task.round,
    }


def participant_json(participant):
    return {
        "participantId": str(participant.id),
        "userId": str(participant.user_id),
        "userEmail": participant.user.email,
        "userName": participant.user.display_name,
        "participantType": participant.participant_type.value,
        "canComment": participant.can_comment,
        "canViewDocuments": participant.can_view_documents,
        "canDownloadDocuments": participant.can_download_documents,
        "addedAt": _time(participant.created_at),
    }


def document_json(document, can_download):
    data = {
        "documentId": str(document.id),
        "fileName": document.original_name,
        "contentType": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "category": document.category.value,
        "uploadedBy": person_json(document.uploaded_by),
        "uploadedAt": _time(document.created_at),
        "downloadUrl": None,
    }
    if can_download:
        data["downloadUrl"] = url_for("api.download_document", request_id=document.request_id,
                                      document_id=document.id)
    return data


def comment_json(comment):
    return {"commentId": str(comment.id), "comment": comment.body, "author": person_json(comment.author),
            "createdAt": _time(comment.created_at)}


def activity_json(activity):
    return {"activityId": str(activity.id), "action": activity.action, "summary": activity.summary,
            "actor": person_json(activity.actor), "details": activity.details, "round": activity.round,
            "createdAt": _time(activity.created_at)}


def detail_json(detail):
    access = detail.access
    request = access.request
    current = next((level for level in request.levels if level.level_number == request.current_level), None)
    data = request_json(request, current)
    documents = request.documents if access.can_view_documents else []
    data.update({
        "approvalLevels": [level_json(level) for level in sorted(request.levels, key=lambda l: l.level_number)],
        "participants": [participant_json(participant) for participant in request.participants],
        "documents": [document_json(document, access.can_download_documents) for document in documents],
        "comments": [comment_json(comment) for comment in detail.comments],
        "activities": [activity_json(activity) for activity in detail.activities],
        **form_json(detail.form),
    })
    return data


def list_item_json(item):
    return request_json(item.request, item.current_level)


def bulk_outcome_json(outcome):
    """One item of a bulk decision: ``error`` only when it was not applied."""
    body = {"requestId": str(outcome.decision.request_id), "levelId": str(outcome.decision.level_id),
            "action": outcome.decision.action, "outcome": outcome.outcome,
            "status": outcome.status.value if outcome.status else None}
    if outcome.error:
        body["error"] = outcome.error
    return body
