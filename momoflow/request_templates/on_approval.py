"""What a template says happens on approval: flows assigned, by the outbox relay.

An outbox handler (``momoflow.outbox.HANDLERS``): on ``workflow.approved`` of a request
raised from a template, each of its version's ``onApproval`` entries assigns a flow to the
requester or to the person named in a person field, due N days after the approval. The
relay may hand the same event over again (a retried batch); the flows side refuses a
second assignment from the same request (``flows.from_requests``), so it is safe.
"""

from datetime import timedelta

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.extensions import db
from momoflow.request_templates.reading import filled_form
from momoflow.workflows.models import RequestStatus, WorkflowRequest


def handle(events):
    approved = {event.subject_id for event in events if event.type == "workflow.approved"}
    if not approved:
        return
    requests = db.session.scalars(sa.select(WorkflowRequest).where(
        WorkflowRequest.id.in_(approved), WorkflowRequest.template_id.is_not(None),
        WorkflowRequest.status == RequestStatus.APPROVED)).all()
    for request in requests:
        assign_flows(request)


def assign_flows(request):
    """Each ``onApproval`` entry of ``request``'s template version, assigned; the outcomes."""
    from momoflow.flows.from_requests import assign_on_approval  # flows is the lower layer

    form = filled_form(request)
    if form is None or not form.definition.on_approval:
        return []
    approved_at = request.closed_at or request.updated_at
    outcomes = []
    for action in form.definition.on_approval:
        person = _assignee(request, form, action)
        if person is None:
            continue  # the field was optional and left empty: nobody to assign
        due = approved_at + timedelta(days=action.due_in_days) if action.due_in_days else None
        outcomes.append(assign_on_approval(request, action.flow_id, person, due))
    return outcomes


def _assignee(request, form, action):
    """The requester, or the person named in the action's field (as they are now: one who
    left is refused by the flows side, in the request's activity log)."""
    if action.assign_to_field is None:
        return request.initiator
    email = form.values.get(action.assign_to_field)
    return db.session.scalar(sa.select(User).where(
        User.email == email, User.organization_id == request.organization_id)) if email else None
