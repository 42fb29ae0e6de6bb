"""Changing an assignment after it was assigned: a new due date, a reminder now, another
person. Cancelling is ``services.cancel_assignment`` (the integrator API's since the start).

Like every flow service: who acts is an ``Assigner`` (a person, or an integrator's API
key), ``access.check_may_manage`` says whether they may, the assignment is locked for
the change, each change writes a history line and an event in the caller's
transaction, and nothing here commits.
"""

import math

from momoflow import fields
from momoflow.accounts.models import User
from momoflow.accounts.services import provision_user
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError, ValidationFailed
from momoflow.events import record_event
from momoflow.extensions import db
from momoflow.flows import history, rules
from momoflow.flows.access import check_may_manage, find_assignment
from momoflow.flows.models import AssignmentReminder, Flow
from momoflow.flows.schemas import assignment_event_payload, iso
from momoflow.flows.services import acted_by, assign_to, close_as_cancelled
from momoflow.flows.validation import AssignSpec, parse_new_due_date
from momoflow.templating import date_text

NEW_PERSON_PROBLEM = "userEmail must be the email address of the person to reassign it to"


class RemindedRecently(DomainError):
    """A reminder by hand within ``rules.REMIND_EVERY`` of the last reminder."""

    status = 429
    code = "reminded_recently"
    title = "Reminded recently"

    def __init__(self, email, since, wait):
        super().__init__(f"A reminder was sent to {email} {ago_text(since)}; another can be sent in "
                         f"{minutes_text(math.ceil(wait.total_seconds() / 60))}.")
        self.extra = {"retry_after": max(1, math.ceil(wait.total_seconds()))}


def ago_text(span):
    """``less than a minute ago``, ``12 minutes ago``: whole minutes, rounded down."""
    minutes = int(span.total_seconds() // 60)
    return f"{minutes_text(minutes)} ago" if minutes else "less than a minute ago"


def minutes_text(minutes):
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


CANNOT_REDATE, CANNOT_REMIND, CANNOT_REASSIGN = ("its due date cannot be changed", "no reminder can be sent",
                                                 "it cannot be reassigned")


def closed(assignment_id, status, cannot):
    """Why a closed (completed or cancelled) assignment cannot be changed."""
    return f"Assignment {assignment_id} is {status.value}: {cannot}"


def _open_for_change(assigner, assignment_id, cannot):
    """The organisation's assignment, locked, if ``assigner`` may change it and it is open."""
    assignment = find_assignment(assigner.organization, assignment_id, for_update=True)
    check_may_manage(assigner, assignment)
    if not assignment.is_open:
        raise Conflict(closed(assignment.public_id, assignment.status, cannot))
    return assignment


def _payload(assignment, **extra):
    flow, user = db.session.get(Flow, assignment.flow_id), db.session.get(User, assignment.user_id)
    return {**assignment_event_payload(assignment, flow, user), **extra}


def _record(event_type, assigner, assignment, payload):
    record_event(event_type, organization_id=assignment.organization_id, subject_id=assignment.id,
                 actor=assigner.person, payload=payload)


# --- the due date ---------------------------------------------------------------------


def change_due_date(assigner, assignment_id, due_date):
    """Move an open assignment's due date (``due_date`` as the API or a form sends it: not
    in the past). Overdue is announced again if the new date passes, and the automatic
    reminders count from the new date. The same date again changes nothing."""
    now = utcnow()
    new_date = parse_new_due_date(due_date, now)
    assignment = _open_for_change(assigner, assignment_id, CANNOT_REDATE)
    previous = assignment.due_date
    if previous == new_date:
        return assignment
    assignment.due_date, assignment.redated_at, assignment.overdue_notified_at = new_date, now, None
    db.session.execute(db.delete(AssignmentReminder).where(AssignmentReminder.assignment_id == assignment.id))
    history.add_line(assigner, assignment, "due_date_changed",
                     f"Due date changed from {date_text(previous) or 'none'} to {date_text(new_date)}",
                     previous=iso(previous), due=iso(new_date))
    _record("flow.due_date_changed", assigner, assignment,
            _payload(assignment, previousDueDate=iso(previous), changedBy=acted_by(assigner)))
    return assignment


# --- reminding ------------------------------------------------------------------------


def remind_assignment(assigner, assignment_id):
    """Remind the assignee now (``flow.reminded``: a notification and an email), at most
    once per ``rules.REMIND_EVERY`` (an automatic reminder counts too): RemindedRecently
    (429) says how long to wait."""
    assignment = _open_for_change(assigner, assignment_id, CANNOT_REMIND)
    now = utcnow()
    last = assignment.last_reminded_at
    if last is not None and now < last + rules.REMIND_EVERY:
        email = db.session.get(User, assignment.user_id).email
        raise RemindedRecently(email, now - last, last + rules.REMIND_EVERY - now)
    assignment.last_reminded_at = now
    history.add_line(assigner, assignment, "reminded", "Reminder sent")
    _record("flow.reminded", assigner, assignment,
            _payload(assignment, reminderType="manual", daysBefore=None, remindedBy=acted_by(assigner)))
    return assignment


# --- reassigning ----------------------------------------------------------------------


def reassign_assignment(assigner, assignment_id, email):
    """Give an open assignment to someone else: a new assignment of the same flow, due
    date, priority and notes for them (progress does not move), and the old one
    cancelled "Reassigned to <name>". Returns the new ``services.Assigned``. All or
    nothing: a refusal undoes both halves, even for a caller that carries on."""
    problems = fields.Problems()
    address = fields.email(email, "userEmail", problems, NEW_PERSON_PROBLEM)
    problems.raise_if_any()
    with db.session.begin_nested():
        old = _open_for_change(assigner, assignment_id, CANNOT_REASSIGN)
        person = _new_person(assigner, old, address)
        flow, former = db.session.get(Flow, old.flow_id), db.session.get(User, old.user_id)
        spec = AssignSpec(flow.public_id, person.email, old.due_date, old.priority, old.notes)
        assigned = assign_to(assigner, flow, person, spec)
        new = assigned.assignment
        close_as_cancelled(assigner, old, f"Reassigned to {person.display_name}",
                           reassignedTo={"assignmentId": new.public_id, "userEmail": person.email,
                                         "name": person.display_name})
        history.add_line(assigner, new, "reassigned", f"Reassigned from {former.display_name} ({former.email})",
                         fromAssignmentId=old.public_id, fromEmail=former.email)
    return assigned


def _new_person(assigner, assignment, address):
    person = provision_user(address, assigner.organization)
    if person is None:
        raise ValidationFailed([("userEmail", f"No one with the email {address} can be assigned in your "
                                              "organisation")])
    if person.id == assignment.user_id:
        raise ValidationFailed([("userEmail", f"{person.display_name} already has this assignment: choose someone "
                                              "else")])
    return person

