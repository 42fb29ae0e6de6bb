"""Checking an assignment request: ``{flowId, userEmail, dueDate?, priority?, notes?}``."""

from dataclasses import dataclass
from datetime import datetime, time, timezone

from momoflow.accounts.emails import normalize_email
from momoflow.errors import ValidationFailed
from momoflow.flows import rules
from momoflow.flows.models import Priority

EMAIL_PROBLEM = "userEmail must be a valid email address"
DUE_DATE_PROBLEM = "dueDate must be ISO 8601, e.g. 2024-11-25T23:59:59Z or 2024-11-25"


@dataclass
class AssignSpec:
    flow_id: str
    user_email: str
    due_date: datetime | None
    priority: Priority
    notes: str | None


def parse_assignment(data, path=""):
    """An AssignSpec, or ValidationFailed naming every bad field (``path`` prefixes them)."""
    problems = []
    flow_id = data.get("flowId")
    if not isinstance(flow_id, str) or not flow_id.strip() or len(flow_id) > 100 or "\x00" in flow_id:
        problems.append((f"{path}flowId", "flowId is required"))
    email = normalize_email(data.get("userEmail"))
    if not email:
        problems.append((f"{path}userEmail", EMAIL_PROBLEM))
    due_date = parse_due_date(data.get("dueDate"), f"{path}dueDate", problems)
    priority = data.get("priority", Priority.MEDIUM.value)
    if priority not in {p.value for p in Priority}:
        problems.append((f"{path}priority", "priority must be one of low, medium, high"))
    notes = data.get("notes")
    if notes is not None and (not isinstance(notes, str) or "\x00" in notes):
        problems.append((f"{path}notes", "notes must be text"))
    elif notes and len(notes) > rules.MAX_NOTES_LENGTH:
        problems.append((f"{path}notes", f"notes must be at most {rules.MAX_NOTES_LENGTH} characters"))
    if problems:
        raise ValidationFailed(problems)
    return AssignSpec(flow_id.strip(), email, due_date, Priority(priority), (notes or "").strip() or None)


def parse_due_date(value, path, problems):
    """ISO 8601: a date-time with a zone, or a date (meaning the end of that day, UTC)."""
    if value in (None, ""):
        return None
    message = DUE_DATE_PROBLEM
    if not isinstance(value, str) or len(value) > 40:
        problems.append((path, message))
        return None
    try:
        if len(value) == 10:
            return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(23, 59, 59), timezone.utc)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            problems.append((path, "dueDate needs a time zone, e.g. 2024-11-25T23:59:59Z"))
            return None
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        problems.append((path, message))
        return None
