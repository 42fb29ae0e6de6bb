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
DUE_DATE_REQUIRED = "dueDate is required"
DUE_DATE_IN_THE_PAST = "dueDate cannot be in the past"
REASON_REQUIRED = "reason is required: say why the assignment is cancelled"
REASON_TOO_LONG = fields.too_long("reason", rules.MAX_REASON_LENGTH)


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


CHANGEABLE = ("dueDate",)


def cannot_change(name, changeable=CHANGEABLE):
    listed = " and ".join(filter(None, (", ".join(changeable[:-1]), changeable[-1])))
    return f"{name} cannot be changed: only {listed} can"


def refuse_other_fields(body, changeable, problems):
    """A PATCH body's fields besides ``changeable``, each refused by name, so a typo is
    never silently ignored."""
    for name in sorted(set(body) - set(changeable))[:10]:
        shown = name[:60]  # a hostile body's keys are echoed, but never at length
        problems.add(shown, cannot_change(shown, changeable))


def changed_due_date(body):
    """The ``dueDate`` of a PATCH body (checked by ``parse_new_due_date``)."""
    problems = fields.Problems()
    refuse_other_fields(body, CHANGEABLE, problems)
    if "dueDate" not in body:
        problems.add("dueDate", DUE_DATE_REQUIRED)
    problems.raise_if_any()
    return body["dueDate"]


def parse_new_due_date(value, now, path="dueDate"):
    """A changed due date: required, and not in the past (a date is the end of that day,
    so today is fine). ValidationFailed names ``path``."""
    problems = fields.Problems()
    due_date = parse_due_date(value, path, problems)
    if not problems and due_date is None:
        problems.add(path, DUE_DATE_REQUIRED)
    elif due_date is not None and due_date < now:
        problems.add(path, DUE_DATE_IN_THE_PAST)
    problems.raise_if_any()
    return due_date


def parse_cancel_reason(value, required, path="reason"):
    """Why an assignment is cancelled: text of at most ``rules.MAX_REASON_LENGTH``; None
    when blank and not ``required``."""
    problems = fields.Problems()
    reason = fields.text(value, path, problems, label="reason", max_length=rules.MAX_REASON_LENGTH,
                         required=REASON_REQUIRED if required else None)
    problems.raise_if_any()
    return reason
