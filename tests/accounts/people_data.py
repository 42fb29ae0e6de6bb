"""Data for the people tests: approval tasks held by someone, and absences."""

from datetime import timedelta

from momoflow.accounts.models import Absence
from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.workflows.models import (
    ApprovalLevel,
    ApprovalTask,
    LevelStatus,
    Priority,
    TaskStatus,
    TemplateType,
    WorkflowRequest,
)


def make_request(initiator, number, title="Laptop refresh"):
    request = WorkflowRequest(organization_id=initiator.organization_id, request_number=number,
                              template_type=TemplateType.CUSTOM, title=title, description="-",
                              priority=Priority.STANDARD, initiator_id=initiator.id, current_level=1, total_levels=1)
    db.session.add(request)
    db.session.flush()
    return request


def make_task(request, assignee, level_number=1, status=TaskStatus.PENDING, due_in_hours=24):
    """A task for ``assignee`` at level ``level_number`` of ``request`` (a level of its own)."""
    started = due_in_hours is not None
    level = ApprovalLevel(request_id=request.id, level_number=level_number, level_name=f"Level {level_number} Approval",
                          tat_hours=24,
                          status=LevelStatus.IN_PROGRESS if started else LevelStatus.PENDING)
    db.session.add(level)
    db.session.flush()
    task = ApprovalTask(request_id=request.id, level_id=level.id, position=1, assignee_id=assignee.id, status=status,
                        due_at=utcnow() + timedelta(hours=due_in_hours) if started else None)
    db.session.add(task)
    db.session.flush()
    return task


def make_absence(person, delegate, starts_in_days=-1, ends_in_days=3):
    now = utcnow()
    absence = Absence(organization_id=person.organization_id, user_id=person.id, delegate_id=delegate.id,
                      starts_at=now + timedelta(days=starts_in_days), ends_at=now + timedelta(days=ends_in_days))
    db.session.add(absence)
    db.session.flush()
    return absence
