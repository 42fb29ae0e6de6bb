"""Assigning one flow to many people from the Assign page. Callers own the transaction.

Each person is assigned on their own (a savepoint each, through ``services.assign_flow``,
the same rules as the API), so one unknown address or an existing assignment does
not stop the rest; every person gets an outcome to show.
"""

import enum
from dataclasses import dataclass, replace

from momoflow import fields
from momoflow.accounts.emails import normalize_email
from momoflow.errors import DomainError, NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.flows import services
from momoflow.flows.models import FlowStatus
from momoflow.flows.services import AlreadyAssigned
from momoflow.flows.validation import parse_shared_fields

MAX_PEOPLE = 500


class Outcome(enum.StrEnum):
    ASSIGNED = "assigned"
    ALREADY_ASSIGNED = "already_assigned"
    NOT_FOUND = "not_found"
    INVALID_EMAIL = "invalid_email"
    FAILED = "failed"


@dataclass
class AssignPlan:
    flow_id: str
    people: list[str]  # addresses as entered, each once
    due_date: str | None = None
    priority: str | None = None
    notes: str | None = None


@dataclass
class PersonResult:
    entry: str
    outcome: Outcome
    email: str | None = None
    name: str | None = None
    assignment_id: str | None = None
    message: str | None = None


@dataclass
class AssignReport:
    flow: object
    results: list[PersonResult]

    def count(self, outcome):
        return sum(1 for result in self.results if result.outcome == outcome)


def assign_to_people(organization, plan, assigned_by):
    """An AssignReport; ValidationFailed (paths flowId, dueDate, priority, notes, people)
    when the request as a whole cannot go ahead."""
    spec, flow = _check(organization, plan)
    results = [_assign_person(organization, flow, spec, entry, assigned_by) for entry in plan.people]
    return AssignReport(flow, results)


def _check(organization, plan):
    problems = []
    if not plan.people:
        problems.append(("people", "Add at least one person"))
    elif len(plan.people) > MAX_PEOPLE:
        problems.append(("people", f"Assign at most {MAX_PEOPLE} people at a time"))
    data = {"flowId": plan.flow_id, "dueDate": plan.due_date, "priority": plan.priority or None, "notes": plan.notes}
    shared = fields.Problems()
    spec = parse_shared_fields(data, "", shared)
    if shared:
        raise ValidationFailed(problems + [_in_words(path, message) for path, message in shared])
    flow = _assignable_flow(organization, spec.flow_id, problems)
    if problems:
        raise ValidationFailed(problems)
    return spec, flow


def _in_words(path, message):
    if path == "flowId":
        return path, "Choose a flow"
    if path == "dueDate":
        return path, "Enter the due date as a date, e.g. 2024-11-25"
    return path, message


def _assignable_flow(organization, flow_id, problems):
    if not services.can_name_a_row(flow_id):
        problems.append(("flowId", "Choose a flow"))
        return None
    try:
        flow = services.find_flow(organization, flow_id)
    except NotFound as error:
        problems.append(("flowId", error.message))
        return None
    if flow.status != FlowStatus.ACTIVE:
        problems.append(("flowId", f"{flow.name} is archived and cannot be assigned"))
    return flow


def _assign_person(organization, flow, spec, entry, assigned_by):
    email = normalize_email(entry)
    if email is None:
        return PersonResult(entry, Outcome.INVALID_EMAIL, message="Not a valid email address")
    try:
        with db.session.begin_nested():
            assigned = services.assign_flow(organization.id, replace(spec, flow_id=flow.public_id, user_email=email),
                                            assigned_by=assigned_by)
    except AlreadyAssigned as error:
        return PersonResult(entry, Outcome.ALREADY_ASSIGNED, email, assignment_id=error.extra["assignmentId"],
                            message=error.message)
    except NotFound as error:
        return PersonResult(entry, Outcome.NOT_FOUND, email, message=error.message)
    except DomainError as error:  # e.g. the directory did not answer
        return PersonResult(entry, Outcome.FAILED, email, message=error.message)
    return PersonResult(entry, Outcome.ASSIGNED, email, assigned.user.display_name, assigned.assignment.public_id)
