"""Who takes part in a request besides its levels: general approvers, spectators, comments."""

from momoflow.accounts.services import provision_user
from momoflow.errors import Conflict, DomainError
from momoflow.extensions import db
from momoflow.workflows import rules
from momoflow.workflows.access import load_access
from momoflow.workflows.activity import log_activity
from momoflow.workflows.models import Comment, Participant, ParticipantType
from momoflow.workflows.refusals import (
    ALREADY_PARTICIPANT,
    EMPTY_COMMENT,
    NO_COMMENTS,
    ONLY_MANAGERS_ADD_APPROVERS,
    ONLY_PARTICIPANTS_ADD_SPECTATORS,
    no_longer,
    unknown_person,
)
from momoflow.workflows.validation import parse_comment


def add_approver(actor, request_id, email):
    """Add a general approver: a participant who can see, comment and download, without a level."""
    access, approver = person_then_lock(actor, request_id, email, "Approver")
    if not access.request.is_pending:
        raise Conflict(no_longer(access.request.status, "changed"))
    return _add_new_participant(access, approver, ParticipantType.APPROVER, "approver.added",
                                f"{actor.display_name} added {approver.display_name} as an approver")


def add_spectator(actor, request_id, email):
    """Spectators may be added at any time, also to a closed request (to follow up on it)."""
    access, spectator = person_then_lock(actor, request_id, email, "Spectator")
    return _add_new_participant(access, spectator, ParticipantType.SPECTATOR, "spectator.added",
                                f"{actor.display_name} added {spectator.display_name} as a spectator")


def add_comment(actor, request_id, body):
    body = parse_comment(body, "comment", label="Comment", required_message=EMPTY_COMMENT)
    access = load_access(actor, request_id)
    access.require(access.can_comment, NO_COMMENTS)
    comment = Comment(request_id=access.request.id, author=actor, body=body)
    db.session.add(comment)
    db.session.flush()
    log_activity(access.request, actor, "comment.added", f"{actor.display_name} commented",
                 commentId=str(comment.id), preview=body[:200])
    return comment


def person_then_lock(actor, request_id, email, role):
    """Check the actor may add ``role``s, find the person, then lock the request.

    Finding the person may ask the directory (seconds, if it is slow): it happens before
    the lock, so decisions on the request never wait for it.
    """
    access = load_access(actor, request_id)
    if role == "Spectator":
        access.require(access.can_add_spectators, ONLY_PARTICIPANTS_ADD_SPECTATORS)
    else:
        access.require(access.can_manage_approvers, ONLY_MANAGERS_ADD_APPROVERS)
    person = provision_user(email, actor.organization)
    if person is None:
        raise unknown_person(role, email)
    if role == "Approver" and person.id == access.request.initiator_id:
        raise DomainError("The initiator cannot approve their own request", field="email")
    return load_access(actor, request_id, for_change=True), person


def _add_new_participant(access, user, kind, action, summary):
    if participant_of(access.request, user) is not None:
        raise DomainError(ALREADY_PARTICIPANT, field="email")
    taking_part = db.select(db.func.count(Participant.id)).where(Participant.request_id == access.request.id)
    if db.session.scalar(taking_part) >= rules.MAX_PARTICIPANTS:
        raise DomainError(f"A request can have at most {rules.MAX_PARTICIPANTS} participants", field="email")
    participant = add_participant(access.request, user, kind, access.user)
    db.session.flush()
    log_activity(access.request, access.user, action, summary, participantId=str(participant.id),
                 userEmail=user.email)
    return participant


def participant_of(request, user):
    return db.session.scalar(db.select(Participant).where(
        Participant.request_id == request.id, Participant.user_id == user.id))


def add_participant(request, user, kind, added_by):
    """A new participant row (unless ``user`` already takes part: then that one)."""
    pending = next((item for item in db.session.new if isinstance(item, Participant)
                    and item.request_id == request.id and item.user_id == user.id), None)
    if pending is not None:
        return pending
    participant = Participant(request=request, request_id=request.id, user=user, user_id=user.id,
                              added_by_id=added_by.id if added_by else None)
    grant(participant, kind)
    db.session.add(participant)
    return participant


def make_approver(request, person, actor):
    """``person`` now decides in ``request``: a participant who can download, if not already
    (``actor`` None: the system routed the task to them)."""
    participant = participant_of(request, person)
    if participant is None:
        add_participant(request, person, ParticipantType.APPROVER, actor)
    elif participant.participant_type == ParticipantType.SPECTATOR:  # a spectator now decides
        grant(participant, ParticipantType.APPROVER)


def grant(participant, kind):
    """Permissions follow the kind: spectators view and comment but do not download."""
    participant.participant_type = kind
    participant.can_comment = True
    participant.can_view_documents = True
    participant.can_download_documents = kind != ParticipantType.SPECTATOR
