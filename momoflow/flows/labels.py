"""How assignments and schedules read on the pages."""

from momoflow.flows.models import AssignmentStatus

STATUS_LABELS = {
    AssignmentStatus.ASSIGNED: "Not started",
    AssignmentStatus.IN_PROGRESS: "In progress",
    AssignmentStatus.COMPLETED: "Completed",
    AssignmentStatus.CANCELLED: "Cancelled",
    AssignmentStatus.OVERDUE: "Overdue",
}


def schedule_every(schedule):
    """``month``, ``12 months``, ``7 days``: reads after "every"."""
    unit = schedule.unit.value.removesuffix("s")
    return unit if schedule.every == 1 else f"{schedule.every} {unit}s"
