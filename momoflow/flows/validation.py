"""Checking an assignment request: ``{flowId, userEmail, dueDate?, priority?, notes?}``.

The shared fields (flow, due date, priority, notes) have their own parser, so the Assign
page and schedules check them without borrowing an address to get through
``parse_assignment``."""

from dataclasses import dataclass
from datetime import datetime

from momoflow import fields
from momoflow.errors import ValidationFailed
from momoflow.flows import rules
from momoflow.flows.models import Priority

MAX_FLOW_ID_LENGTH = 100
EMAIL_PROBLEM = "userEmail must be a valid email address"
DUE_DATE_PROBLEM = "dueDate must be ISO 8601, e.g. 2024-11-25T23:59:59Z or 2024-11-25"


@dataclass
class AssignSpec:
    flow_id: str
    user_email: str | None
    due_date: datetime | None
    priority: Priority
    notes: str | None


def parse_assignment(data, path=""):
    """An AssignSpec, or ValidationFailed naming every bad field (``path`` prefixes them)."""
    if not isinstance(data, dict):
        raise ValidationFailed([(path.rstrip(".") or "body", "Each assignment must be a JSON object")])
    problems = fields.Problems()
    email = fields.email(data.get("userEmail"), f"{path}userEmail", problems, EMAIL_PROBLEM)
    spec = parse_shared_fields(data, path, problems)
    problems.raise_if_any()
    spec.user_email = email
    return spec


def parse_shared_fields(data, path, problems):
    """The fields every person of one assignment shares (all but ``userEmail``)."""
    flow_id = fields.text(data.get("flowId"), f"{path}flowId", problems, label="flowId",
                          max_length=MAX_FLOW_ID_LENGTH, required="flowId is required",
                          wrong_type="flowId is required", nul="flowId is required")
    due_date = parse_due_date(data.get("dueDate"), f"{path}dueDate", problems)
    priority = fields.choice(data.get("priority"), Priority, f"{path}priority", problems,
                             "priority must be one of low, medium, high", default=Priority.MEDIUM)
    notes = fields.text(data.get("notes"), f"{path}notes", problems, label="notes",
                        max_length=rules.MAX_NOTES_LENGTH, nul="notes must be text")
    return AssignSpec(flow_id, None, due_date, priority, notes)


def parse_due_date(value, path, problems):
    """ISO 8601: a date-time with a zone, or a date (meaning the end of that day, UTC)."""
    return fields.iso_moment(value, path, problems, message=DUE_DATE_PROBLEM,
                             zone_message="dueDate needs a time zone, e.g. 2024-11-25T23:59:59Z")
