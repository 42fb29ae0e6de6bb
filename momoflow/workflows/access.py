"""Who may see and do what on a request: the one place for every permission rule.

A request is visible to its participants and to its organisation's admins; to
anyone else it does not exist (404, never 403, so ids reveal nothing). Visible
but not allowed is 403.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import joinedload, selectinload

from momoflow import fields
from momoflow.errors import Conflict, Forbidden, NotFound
from momoflow.extensions import db
from momoflow.workflows.refusals import LEVEL_NOT_FOUND, no_longer
from momoflow.accounts.models import User
from momoflow.workflows.models import (
    ApprovalLevel,
    ApprovalTask,
    LevelStatus,
    Participant,
    ParticipantType,
    TaskStatus,
    WorkflowRequest,
)

REQUEST_NOT_FOUND = "Request not found"


@dataclass
class Access:
    user: object
    request: WorkflowRequest
    participant: Participant | None  # None for an admin who is not taking part

    @property
    def is_initiator(self):
        return self.request.initiator_id == self.user.id

    @property
    def is_admin(self):
        return self.user.is_admin

    @property
    def can_comment(self):
        return self.is_admin or bool(self.participant and self.participant.can_comment)

    @property
    def can_view_documents(self):
        return self.is_admin or bool(self.participant and self.participant.can_view_documents)

    @property
    def can_download_documents(self):
        return self.is_admin or bool(self.participant and self.participant.can_download_documents)

    @property
    def can_manage_approvers(self):
        return self.is_initiator or self.is_admin

    @property
    def can_add_spectators(self):
        taking_part = self.participant and self.participant.participant_type != ParticipantType.SPECTATOR
        return self.is_admin or bool(taking_part)

    @property
    def may_withdraw_any(self):
        """The initiator, and admins (a request whose initiator left must not be stuck)."""
        return self.is_initiator or self.is_admin

    @property
    def can_withdraw(self):
        return self.may_withdraw_any and self.request.is_open

    @property
    def can_resubmit(self):
        return self.is_initiator and self.request.is_returned

    def my_open_task(self, level):
        """The undecided task this person may act on in ``level`` now, if any."""
        if level.status != LevelStatus.IN_PROGRESS:
            return None
        return next((task for task in level.tasks if task.status == TaskStatus.PENDING
                     and self.user.id in (task.assignee_id, task.escalated_to_id)), None)

    def current_task_for_me(self, levels):
        """The task this person must act on now, if any."""
        return next((task for level in levels if (task := self.my_open_task(level)) is not None), None)

    def require(self, allowed, message):
        if not allowed:
            raise Forbidden(message)


def load_access(user, request_id, *, for_change=False, with_details=False):
    """The request ``user`` may see, with their participation; NotFound otherwise.

    ``for_change`` locks the request row until commit, so concurrent decisions on one
    request queue up and each sees the previous one's result; levels come fresh.
    """
    request_uuid = _parse_uuid(request_id)
    statement = db.select(WorkflowRequest).where(
        WorkflowRequest.id == request_uuid, WorkflowRequest.organization_id == user.organization_id)
    if for_change:
        statement = statement.with_for_update(of=WorkflowRequest).execution_options(populate_existing=True)
        statement = statement.options(levels_with_tasks())
    if with_details:
        statement = statement.options(*detail_options())
    request = db.session.scalar(statement)
    if request is None:
        raise NotFound(REQUEST_NOT_FOUND)
    participant = db.session.scalar(
        db.select(Participant).where(Participant.request_id == request.id, Participant.user_id == user.id))
    if participant is None and not user.is_admin:
        raise NotFound(REQUEST_NOT_FOUND)
    return Access(user, request, participant)


def visible_request_ids(user, request_ids):
    """Those of ``request_ids`` (requests of ``user``'s organisation) that ``user`` may
    open, by ``load_access``'s rule: all for an admin, else the ones they take part in.
    One query for any number, none for an admin."""
    wanted = {request_id for request_id in request_ids if request_id is not None}
    if not wanted or user.is_admin:
        return wanted
    return set(db.session.scalars(db.select(Participant.request_id).where(
        Participant.user_id == user.id, Participant.request_id.in_(wanted))))


def detail_options():
    """Eager loads for the request page and its JSON twin: one query per collection."""
    from momoflow.workflows.models import Document

    return (
        levels_with_tasks(),
        selectinload(WorkflowRequest.participants).joinedload(Participant.user),
        selectinload(WorkflowRequest.documents).joinedload(Document.uploaded_by),
    )


def find_level(user, request_id, level_id, *, for_change=False):
    """``(access, level)`` for one of the request's levels; NotFound if it has no such level."""
    access = load_access(user, request_id, for_change=for_change)
    level = next((level for level in access.request.levels if str(level.id) == str(level_id).lower()), None)
    if level is None:
        raise NotFound(LEVEL_NOT_FOUND)
    return access, level


PERSON_NOT_FOUND = "Person not found"


def person_of_my_organization(caller, email):
    """The person ``email`` names in ``caller``'s organisation; NotFound otherwise (another
    organisation's people do not exist here, and neither does a malformed address)."""
    address = fields.email(email, "email", fields.Problems())
    person = address and db.session.scalar(db.select(User).where(
        User.email == address, User.organization_id == caller.organization_id))
    if person is None:
        raise NotFound(PERSON_NOT_FOUND)
    return person


RETURNED_NOT_CHANGED = ("The request was returned for changes: its levels change when the initiator resubmits it, "
                        "and its tasks start afresh then")


def require_pending(request, verb):
    if request.is_returned:
        raise Conflict(RETURNED_NOT_CHANGED)
    if not request.is_pending:
        raise Conflict(no_longer(request.status, verb))


def levels_with_tasks():
    """The levels, each with its tasks and every person a task names: two queries."""
    people = (ApprovalTask.assignee, ApprovalTask.on_behalf_of, ApprovalTask.escalated_to, ApprovalTask.acted_by)
    tasks = selectinload(WorkflowRequest.levels).selectinload(ApprovalLevel.all_tasks)
    return tasks.options(*(joinedload(person).lazyload(User.organization) for person in people))


def _parse_uuid(value):
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(REQUEST_NOT_FOUND) from None
