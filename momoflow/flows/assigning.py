"""Assigning one flow to many people from the Assign page. Callers own the transaction.

The people go through ``services.assign_many``, the bulk API's path (the same rules,
a handful of queries for any number of people), so one unknown address or an
existing assignment does not stop the rest; every person gets an outcome to show.
"""

import enum
from dataclasses import dataclass

from momoflow import fields
from momoflow.accounts.emails import normalize_email
from momoflow.errors import NotFound, ValidationFailed
from momoflow.flows import access, audiences, services
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
    audience: str | None = None  # "group:<name>" or "department:<name>": everyone in it too
    keep_assigning: bool = False  # and whoever joins it later (an AssignmentRule)
    join_due_days: str | None = None  # their due date, in days after they are assigned


@dataclass
class PersonResult:
    entry: str
    outcome: Outcome
    email: str | None = None
    name: str | None = None
    assignment_id: str | None = None
    message: str | None = None
    assignment_db_id: object = None  # the new assignment's row id (a rule remembers it)


@dataclass
class AssignReport:
    flow: object
    results: list[PersonResult]
    audience: str | None = None  # "the Engineering group", when one was chosen
    rule: object = None  # the AssignmentRule made for people who join later

    def count(self, outcome):
        return sum(1 for result in self.results if result.outcome == outcome)


def assign_to_people(assigner, plan):
    """An AssignReport (with the rule made, when ``plan.keep_assigning``); ValidationFailed
    (paths flowId, dueDate, priority, notes, people, audience, joinDueDays) when the request as
    a whole cannot go ahead."""
    spec, flow, audience, join_due_days = _check(assigner.organization, plan)
    members = audiences.people_in(assigner.organization, *audience) if audience else []
    if len(members) > audiences.MAX_AUDIENCE:
        raise ValidationFailed([("audience", audiences.TOO_BIG)])
    emails = {entry: normalize_email(entry) for entry in plan.people}
    typed = set(emails.values())
    emails.update((person.email, person.email) for person in members if person.email not in typed)
    items = [{"flowId": flow.public_id, "userEmail": email, "dueDate": plan.due_date, "priority": spec.priority.value,
              "notes": spec.notes} for email in emails.values() if email]
    outcomes = iter(services.assign_many(assigner, items))
    report = AssignReport(flow, [_result(entry, email, next(outcomes) if email else None)
                                 for entry, email in emails.items()],
                          audiences.describe(*audience) if audience else None)
    if plan.keep_assigning:
        report.rule = audiences.create_rule(assigner, flow, *audience, join_due_days, spec.priority, spec.notes,
                                            _handled(members, report))
    return report


def _handled(members, report):
    """``{user id: assignment id or None}``: the members assigned now or who had it open."""
    by_email = {result.email: result for result in report.results}
    handled = {}
    for person in members:
        result = by_email.get(person.email)
        if result is not None and result.outcome in (Outcome.ASSIGNED, Outcome.ALREADY_ASSIGNED):
            handled[person.id] = result.assignment_db_id if result.outcome == Outcome.ASSIGNED else None
    return handled


def _check(organization, plan):
    problems = fields.Problems()
    audience = audiences.parse(plan.audience) if plan.audience else None
    if plan.audience and audience is None:
        problems.append(("audience", audiences.NO_SUCH_AUDIENCE))
    if plan.keep_assigning and not plan.audience:
        problems.append(("audience", "Choose a group or department to keep assigning the flow to people who join it"))
    join_due_days = _join_due_days(plan, problems)
    if not plan.people and not plan.audience:
        problems.append(("people", "Add at least one person, or choose a group or department"))
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
    return spec, flow, audience, join_due_days


def _join_due_days(plan, problems):
    """Days after joining that a rule's assignments are due: blank for none."""
    if not plan.keep_assigning or not (plan.join_due_days or "").strip():
        return None
    return fields.whole_number(plan.join_due_days.strip(), "joinDueDays", problems, low=0,
                               high=audiences.MAX_JOIN_DUE_DAYS, from_text=True,
                               message=f"Enter whole days from 0 to {audiences.MAX_JOIN_DUE_DAYS}, or leave it empty")


def _in_words(path, message):
    if path == "flowId":
        return path, "Choose a flow"
    if path == "dueDate":
        return path, "Enter the due date as a date, e.g. 2024-11-25"
    return path, message


def _assignable_flow(organization, flow_id, problems):
    if not access.can_name_a_row(flow_id):
        problems.append(("flowId", "Choose a flow"))
        return None
    try:
        flow = access.find_flow(organization, flow_id)
    except NotFound as error:
        problems.append(("flowId", error.message))
        return None
    if flow.status != FlowStatus.ACTIVE:
        problems.append(("flowId", f"{flow.name} is archived and cannot be assigned"))
    return flow


def _result(entry, email, outcome):
    """What the page says of one person (``outcome`` is their ``services.ItemResult``)."""
    if outcome is None:
        return PersonResult(entry, Outcome.INVALID_EMAIL, message="Not a valid email address")
    error = outcome.error
    if isinstance(error, AlreadyAssigned):
        return PersonResult(entry, Outcome.ALREADY_ASSIGNED, email, assignment_id=error.extra["assignmentId"],
                            message=error.message)
    if isinstance(error, NotFound):
        return PersonResult(entry, Outcome.NOT_FOUND, email, message=error.message)
    if error is not None:  # e.g. the directory did not answer
        return PersonResult(entry, Outcome.FAILED, email, message=error.message)
    assignment, _, user = outcome.assigned
    return PersonResult(entry, Outcome.ASSIGNED, email, user.display_name, assignment.public_id,
                        assignment_db_id=assignment.id)
