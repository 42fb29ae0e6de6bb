"""The activity log, and the domain event that goes with each entry."""

from momoflow.events import EVENT_TYPES, record_event
from momoflow.extensions import db
from momoflow.workflows.models import Activity


def log_activity(request, actor, action, summary, **details):
    """Write one activity line; actions that are domain events are recorded as such too."""
    db.session.add(Activity(request_id=request.id, actor_id=actor.id if actor else None,
                            action=action, summary=summary, details=details, round=request.round))
    if action in EVENT_TYPES:
        payload = {"requestId": str(request.id), "requestNumber": request.request_number,
                   "title": request.title, "status": request.status.value, **details}
        record_event(action, organization_id=request.organization_id, subject_id=request.id,
                     actor=actor, payload=payload)
