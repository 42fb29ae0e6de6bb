"""Everything that changes a request. Both the JSON API and the pages call these.

Each function takes the acting user, checks the rules, changes state, writes the
activity log and the domain events, and flushes. None of them commits: the
caller (one request, one transaction) does, or rolls everything back.
"""

from momoflow.accounts.services import provision_user
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError, NotFound
from momoflow.extensions import db
from momoflow.workflows import rules, tat
from momoflow.workflows.access import load_access
from momoflow.workflows.activity import log_activity
from momoflow.workflows.documents import store_upload
from momoflow.workflows.models import (
    ApprovalLevel,
    Comment,
    Document,
    LevelStatus,
    Participant,
    ParticipantType,
    RequestStatus,
    WorkflowRequest,
)
from momoflow.workflows.numbering import next_request_number
from momoflow.workflows.refusals import (
    ALREADY_PARTICIPANT,
    EMPTY_COMMENT,
    LEVEL_NOT_FOUND,
    NO_COMMENTS,
    ONLY_INITIATOR_WITHDRAWS,
    ONLY_MANAGERS_ADD_APPROVERS,
    ONLY_PARTICIPANTS_ADD_SPECTATORS,
    OWN_REQUEST,
    REJECT_NEEDS_COMMENTS,
    already_decided,
    no_longer,
    not_current_yet,
    only_the_approver,
    unknown_person,
)
from momoflow.workflows.validation import (
    duplicate_approver_message,
    duplicate_approver_problems,
    parse_comment,
    parse_reason,
)

SHIFT_OFFSET = 1000  # far above MAX_LEVELS


# --- creating ----------------------------------------------------------------------


def create_request(initiator, spec, files=(), category=None):
    """A new PENDING request with its levels, participants and files; level 1 starts now.

    The slow parts (directory lookups, storing files) come before the request number:
    taking it locks the organisation's counter until commit, and other creates wait.
    """
    now = utcnow()
    tat.refuse_far_deadlines(initiator.organization, spec.priority, [
        (f"approvalLevels.{index}.tatHours", level.tat_hours) for index, level in enumerate(spec.levels)], now)
    approvers = _resolve_approvers(initiator, spec.levels)
    spectators = _resolve_spectators(initiator, spec.spectators, approvers)
    stored_files = [store_upload(file, f"files.{index}") for index, file in enumerate(files)]
    request = WorkflowRequest(
        organization_id=initiator.organization_id,
        request_number=next_request_number(initiator.organization_id, now),
        template_type=spec.template_type, title=spec.title, description=spec.description,
        priority=spec.priority, status=RequestStatus.PENDING, initiator=initiator,
        total_levels=len(spec.levels), created_at=now, updated_at=now,
    )
    db.session.add(request)
    levels = [
        ApprovalLevel(request=request, level_number=number, approver=approver, tat_hours=level.tat_hours,
                      level_name=level.level_name or rules.level_name_for(approver, number),
                      is_final_approver=bool(level.is_final_approver) or number == len(spec.levels))
        for number, (level, approver) in enumerate(zip(spec.levels, approvers), start=1)
    ]
    db.session.add_all(levels)
    _add_participant(request, initiator, ParticipantType.INITIATOR, initiator)
    for approver in approvers:
        _add_participant(request, approver, ParticipantType.APPROVER, initiator)
    for spectator in spectators:
        _add_participant(request, spectator, ParticipantType.SPECTATOR, initiator)
    _start_level(request, levels[0], now)
    db.session.flush()
    log_activity(request, initiator, "workflow.created",
                 f"{initiator.display_name} created the request with {len(levels)} approval "
                 f"level{'s' if len(levels) > 1 else ''}",
                 approvers=[a.email for a in approvers], spectators=[s.email for s in spectators])
    tat.log_started(request, levels[0], initiator)
    _attach(request, initiator, stored_files, category)
    return request


def _resolve_approvers(initiator, levels):
    for path, message in duplicate_approver_problems(level.email for level in levels)[:1]:
        raise DomainError(message, field=path)
    approvers = []
    for index, level in enumerate(levels):
        approver = provision_user(level.email, initiator.organization)
        if approver is None:
            error = unknown_person("Approver", level.email)
            error.field = f"approvalLevels.{index}.email"
            raise error
        if approver.id == initiator.id:
            raise DomainError(OWN_REQUEST, field=f"approvalLevels.{index}.email")
        approvers.append(approver)
    return approvers


def _resolve_spectators(initiator, emails, approvers):
    taken = {initiator.email, *(approver.email for approver in approvers)}
    spectators = []
    for index, email in enumerate(emails):
        path = f"spectators.{index}.email"
        if email in taken:
            raise DomainError(f"Spectator email '{email}' is already the initiator or an approver of "
                              "this request.", field=path)
        taken.add(email)
        spectator = provision_user(email, initiator.organization)
        if spectator is None:
            error = unknown_person("Spectator", email)
            error.field = path
            raise error
        spectators.append(spectator)
    return spectators


def _attach(request, uploader, stored_files, category):
    documents = []
    for stored in stored_files:
        document = Document(request_id=request.id, uploaded_by=uploader, category=category,
                            original_name=stored.original_name, stored_name=stored.stored_name,
                            content_type=stored.content_type, size=stored.size, sha256=stored.sha256)
        db.session.add(document)
        documents.append(document)
        log_activity(request, uploader, "document.uploaded", f"{uploader.display_name} attached {stored.original_name}",
                     fileName=stored.original_name, size=stored.size)
    db.session.flush()
    return documents


# --- deciding ----------------------------------------------------------------------


def approve_level(actor, request_id, level_id, comments=None):
    comments = parse_comment(comments)
    access, level = _level_to_decide(actor, request_id, level_id, "approve")
    request, now = access.request, utcnow()
    _finish_level(level, LevelStatus.APPROVED, comments, now)
    log_activity(request, actor, "level.approved",
                 f"{actor.display_name} approved level {level.level_number} ({level.level_name})",
                 levelId=str(level.id), levelNumber=level.level_number, comments=comments)
    later = [other for other in request.levels if other.level_number > level.level_number]
    if level.is_final_approver or not later:
        _close(request, RequestStatus.APPROVED, now)
        log_activity(request, actor, "workflow.approved", f"Request approved by {actor.display_name}")
    else:
        _start_level(request, later[0], now)
        tat.log_started(request, later[0], actor)
    db.session.flush()
    return level


def reject_level(actor, request_id, level_id, comments):
    comments = parse_comment(comments, required_message=REJECT_NEEDS_COMMENTS)
    access, level = _level_to_decide(actor, request_id, level_id, "reject")
    request, now = access.request, utcnow()
    _finish_level(level, LevelStatus.REJECTED, comments, now)
    log_activity(request, actor, "level.rejected",
                 f"{actor.display_name} rejected level {level.level_number} ({level.level_name})",
                 levelId=str(level.id), levelNumber=level.level_number, comments=comments)
    _close(request, RequestStatus.REJECTED, now)
    log_activity(request, actor, "workflow.rejected", f"Request rejected by {actor.display_name}",
                 comments=comments)
    db.session.flush()
    return level


def withdraw_request(actor, request_id, reason=None):
    reason = parse_reason(reason)
    access = load_access(actor, request_id, for_change=True)
    access.require(access.is_initiator, ONLY_INITIATOR_WITHDRAWS)
    _require_pending(access.request, "withdrawn")
    _close(access.request, RequestStatus.CANCELLED, utcnow())
    log_activity(access.request, actor, "workflow.withdrawn", f"{actor.display_name} withdrew the request",
                 reason=reason)
    db.session.flush()
    return access.request


def _level_to_decide(actor, request_id, level_id, verb):
    access = load_access(actor, request_id, for_change=True)
    level = next((level for level in access.request.levels if str(level.id) == str(level_id).lower()), None)
    if level is None:
        raise NotFound(LEVEL_NOT_FOUND)
    access.require(level.approver_id == actor.id, only_the_approver(level.level_number, verb))
    if level.status != LevelStatus.IN_PROGRESS:
        raise Conflict(_not_current_message(access.request, level))
    return access, level


def _not_current_message(request, level):
    if level.status.is_done:
        return already_decided(level.level_number, level.status)
    if not request.is_pending:
        return f"The request is already {request.status.value.lower()}"
    return not_current_yet(level.level_number)


def _require_pending(request, verb):
    if not request.is_pending:
        raise Conflict(no_longer(request.status, verb))


def _start_level(request, level, now):
    """Make ``level`` the current one and start its TAT; the caller logs it with
    ``tat.log_started`` once the rows have ids."""
    level.status = LevelStatus.IN_PROGRESS
    tat.start_clock(request, level, now)
    request.current_level = level.level_number


def _finish_level(level, status, comments, now):
    level.status = status
    level.acted_at = now
    level.comments = comments


def _close(request, status, now):
    """End the request; levels it never reached are SKIPPED."""
    for level in request.levels:
        if not level.status.is_done:
            level.status = LevelStatus.SKIPPED
    request.status = status
    request.current_level = None
    request.closed_at = now


# --- people ------------------------------------------------------------------------


def add_approver_at_level(actor, request_id, new_level):
    """Insert an approver at ``new_level.level_number``, moving that level and later ones down."""
    access, approver = _person_then_lock(actor, request_id, new_level.email, "Approver", tat_hours=new_level.tat_hours)
    request = access.request
    _require_pending(request, "changed")
    number = new_level.level_number
    existing = next((level for level in request.levels if level.level_number == number), None)
    if existing is not None and existing.status.is_done:
        raise Conflict(f"Cannot add approver at level {number} - level has already been completed", field="level")
    if request.total_levels >= rules.MAX_LEVELS:
        raise DomainError(f"A request can have at most {rules.MAX_LEVELS} approval levels", field="level")
    if number > request.total_levels + 1:
        raise DomainError(f"Level must be from 1 to {request.total_levels + 1}: this request has "
                          f"{request.total_levels} level{'s' if request.total_levels != 1 else ''}", field="level")
    participant = _participant_of(request, approver)
    if any(level.approver_id == approver.id for level in request.levels):
        raise DomainError(duplicate_approver_message(approver.email), field="email")
    appended = number == request.total_levels + 1
    deciding = next((level for level in request.levels if level.is_final_approver and level.level_number < number
                     and not (appended and level is request.levels[-1])), None)
    if deciding is not None:  # the request would close before reaching the new level
        raise Conflict(f"Cannot add approver at level {number} - level {deciding.level_number} "
                       "is the final approver", field="level")

    _shift_levels(request, number)
    if appended:
        request.levels[-1].is_final_approver = False  # the new last level decides now
    level = ApprovalLevel(request=request, level_number=number, approver=approver,
                          tat_hours=new_level.tat_hours, status=LevelStatus.PENDING, is_final_approver=appended,
                          level_name=new_level.level_name or rules.level_name_for(approver, number))
    db.session.add(level)
    request.total_levels += 1
    takes_over = existing is not None and existing.status == LevelStatus.IN_PROGRESS
    if takes_over:
        existing.status = LevelStatus.PENDING
        tat.stop_clock(existing)
        _start_level(request, level, utcnow())
    if participant is None:
        _add_participant(request, approver, ParticipantType.APPROVER, actor)
    else:  # a spectator or general approver now decides a level
        _grant(participant, ParticipantType.APPROVER)
    db.session.flush()
    log_activity(request, actor, "approver.added",
                 f"{actor.display_name} added {approver.display_name} as approver at level {number}",
                 levelId=str(level.id), levelNumber=number, approverEmail=approver.email)
    if takes_over:
        tat.log_started(request, level, actor)
    return level


def add_approver(actor, request_id, email):
    """Add a general approver: a participant who can see, comment and download, without a level."""
    access, approver = _person_then_lock(actor, request_id, email, "Approver")
    _require_pending(access.request, "changed")
    return _add_new_participant(access, approver, ParticipantType.APPROVER, "approver.added",
                                f"{actor.display_name} added {approver.display_name} as an approver")


def add_spectator(actor, request_id, email):
    """Spectators may be added at any time, also to a closed request (to follow up on it)."""
    access, spectator = _person_then_lock(actor, request_id, email, "Spectator")
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


def _person_then_lock(actor, request_id, email, role, tat_hours=None):
    """Check the actor may add ``role``s, find the person, then lock the request.

    Finding the person may ask the directory (seconds, if it is slow) and checking a
    new level's ``tat_hours`` counts the calendar: both happen before the lock, so
    decisions on the request never wait for them.
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
    if tat_hours is not None:
        tat.refuse_far_deadlines(actor.organization, access.request.priority, [("tatHours", tat_hours)], utcnow())
    return load_access(actor, request_id, for_change=True), person


def _add_new_participant(access, user, kind, action, summary):
    if _participant_of(access.request, user) is not None:
        raise DomainError(ALREADY_PARTICIPANT, field="email")
    taking_part = db.select(db.func.count(Participant.id)).where(Participant.request_id == access.request.id)
    if db.session.scalar(taking_part) >= rules.MAX_PARTICIPANTS:
        raise DomainError(f"A request can have at most {rules.MAX_PARTICIPANTS} participants", field="email")
    participant = _add_participant(access.request, user, kind, access.user)
    db.session.flush()
    log_activity(access.request, access.user, action, summary, participantId=str(participant.id),
                 userEmail=user.email)
    return participant


def _participant_of(request, user):
    return db.session.scalar(db.select(Participant).where(
        Participant.request_id == request.id, Participant.user_id == user.id))


def _add_participant(request, user, kind, added_by):
    participant = Participant(request=request, user=user, added_by_id=added_by.id)
    _grant(participant, kind)
    db.session.add(participant)
    return participant


def _grant(participant, kind):
    """Permissions follow the kind: spectators view and comment but do not download."""
    participant.participant_type = kind
    participant.can_comment = True
    participant.can_view_documents = True
    participant.can_download_documents = kind != ParticipantType.SPECTATOR


def _shift_levels(request, from_number):
    """Move levels ``from_number`` and later one down, keeping (request, number) unique.

    Two steps through numbers no level uses, because a unique index is checked row by row.
    """
    moving = [level for level in request.levels if level.level_number >= from_number]
    for level in moving:
        level.level_number += SHIFT_OFFSET
    db.session.flush()
    for level in moving:
        old_number = level.level_number - SHIFT_OFFSET
        level.level_number = old_number + 1
        if level.level_name == rules.generic_level_name(old_number):
            level.level_name = rules.generic_level_name(level.level_number)
    if request.current_level and request.current_level >= from_number:
        request.current_level += 1
    db.session.flush()
