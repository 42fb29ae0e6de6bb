"""Raising a request, and adding approvers and levels to one that runs."""

import uuid

from momoflow.accounts.services import provision_user
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError
from momoflow.extensions import db
from momoflow.request_templates import raising
from momoflow.workflows import continuity, rules, tasks, tat
from momoflow.workflows.activity import log_activity
from momoflow.workflows.access import find_level, load_access, require_pending
from momoflow.workflows.deciding import start_level
from momoflow.workflows.documents import store_upload
from momoflow.workflows.models import (
    ApprovalLevel,
    Document,
    LevelStatus,
    ParticipantType,
    RequestStatus,
    WorkflowRequest,
)
from momoflow.workflows.numbering import next_request_number
from momoflow.workflows.participants import add_participant, make_approver
from momoflow.workflows.refusals import ONLY_MANAGERS_ADD_APPROVERS, OWN_REQUEST, already_decided, unknown_person
from momoflow.workflows.validation import duplicate_approver_message, parse_email

SHIFT_OFFSET = 1000  # far above MAX_LEVELS


def create_request(initiator, spec, files=(), category=None, field_files=None):
    """A new PENDING request with its levels, tasks, participants and files; level 1 starts now.
    From a template, the levels are the template's rules read against the form
    (``request_templates``); ``field_files`` are the uploads of its file fields.

    The slow parts (directory lookups, storing files) come before the request number:
    taking it locks the organisation's counter until commit, and other creates wait.
    """
    now = utcnow()
    raised = raising.prepare(initiator, spec, field_files) if spec.template_id else None
    if raised:
        spec, approvers = raised.spec, raised.approvers
    tat.refuse_far_deadlines(initiator.organization, spec.priority, [
        (level.email_paths[0] if raised else f"approvalLevels.{index}.tatHours", level.tat_hours)
        for index, level in enumerate(spec.levels)], now)
    if not raised:
        approvers = [resolve_approvers(initiator, level) for level in spec.levels]
    everyone = [person for people in approvers for person in people]
    spectators = resolve_spectators(initiator, spec.spectators, everyone)
    stored_files = [store_upload(file, f"files.{index}") for index, file in enumerate(files)]
    stored_fields = {key: store_upload(file, f"fields.{key}") for key, file in (field_files or {}).items()
                     if raised}
    request = WorkflowRequest(
        id=uuid.uuid4(),  # now, not at flush: the tasks name it before anything is flushed
        organization_id=initiator.organization_id,
        request_number=next_request_number(initiator.organization_id, now),
        template_type=spec.template_type, title=spec.title, description=spec.description,
        priority=spec.priority, status=RequestStatus.PENDING, initiator=initiator,
        total_levels=len(spec.levels), created_at=now, updated_at=now, round=1,
    )
    if raised:
        request.template_id, request.template_version = raised.template.id, raised.template.version
    db.session.add(request)
    levels = [build_level(request, level, people, number, final=bool(level.is_final_approver)
                         or number == len(spec.levels))
              for number, (level, people) in enumerate(zip(spec.levels, approvers), start=1)]
    add_participant(request, initiator, ParticipantType.INITIATOR, initiator)
    for approver in everyone:
        add_participant(request, approver, ParticipantType.APPROVER, initiator)
    for spectator in spectators:
        add_participant(request, spectator, ParticipantType.SPECTATOR, initiator)
    db.session.flush()
    log_activity(request, initiator, "workflow.created",
                 f"{initiator.display_name} created the request with {len(levels)} approval "
                 f"level{'s' if len(levels) > 1 else ''}",
                 approvers=[a.email for a in everyone], spectators=[s.email for s in spectators])
    start_level(request, levels[0], now, initiator)
    attach_files(request, initiator, stored_files, category)
    if raised:
        request.field_values = _with_documents(raised.values, attach_files(
            request, initiator, list(stored_fields.values()), category), list(stored_fields))
    return request


def _with_documents(values, documents, keys):
    """The form's values with each file field naming the document its upload became."""
    values = dict(values)
    for key, document in zip(keys, documents):
        values[key] = {"documentId": str(document.id), "fileName": document.original_name}
    return values


def build_level(request, spec, approvers, number, *, final):
    level = ApprovalLevel(request=request, level_number=number, tat_hours=spec.tat_hours, status=LevelStatus.PENDING,
                          round=request.round,
                          is_final_approver=final,
                          level_name=spec.level_name or rules.level_name_for(approvers, number),
                          approval_mode=spec.approval_mode, min_approvals=spec.min_approvals,
                          rejection_policy=spec.rejection_policy, on_breach=spec.on_breach,
                          template_level=spec.template_level)
    db.session.add(level)
    for position, approver in enumerate(approvers):
        tasks.new_task(request, level, approver, position)
    return level


def resolve_approvers(initiator, level, paths=None):
    """The level's approvers, found in the directory; the initiator is never one."""
    people = []
    for email, path in zip(level.emails, paths or level.email_paths):
        person = provision_user(email, initiator.organization)
        if person is None:
            error = unknown_person("Approver", email)
            error.field = path
            raise error
        if person.id == initiator.id:
            raise DomainError(OWN_REQUEST, field=path)
        people.append(person)
    return people


def resolve_spectators(initiator, emails, approvers):
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


def attach_files(request, uploader, stored_files, category):
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


# --- a running request ----------------------------------------------------------------


def add_approver_at_level(actor, request_id, new_level):
    """Insert a level (one approver or several) at ``new_level.level_number``, moving that
    level and later ones down."""
    spec, number = new_level.spec, new_level.level_number
    access = load_access(actor, request_id)
    access.require(access.can_manage_approvers, ONLY_MANAGERS_ADD_APPROVERS)
    approvers = resolve_approvers(access.request.initiator, spec)
    tat.refuse_far_deadlines(actor.organization, access.request.priority, [("tatHours", spec.tat_hours)], utcnow())
    request = load_access(actor, request_id, for_change=True).request
    require_pending(request, "changed")
    existing = next((level for level in request.levels if level.level_number == number), None)
    if existing is not None and existing.status.is_done:
        raise Conflict(f"Cannot add approver at level {number} - level has already been completed", field="level")
    if request.total_levels >= rules.MAX_LEVELS:
        raise DomainError(f"A request can have at most {rules.MAX_LEVELS} approval levels", field="level")
    if number > request.total_levels + 1:
        raise DomainError(f"Level must be from 1 to {request.total_levels + 1}: this request has "
                          f"{request.total_levels} level{'s' if request.total_levels != 1 else ''}", field="level")
    _refuse_approvers_already_in(request, approvers, spec.email_paths)
    appended = number == request.total_levels + 1
    deciding = next((level for level in request.levels if level.is_final_approver and level.level_number < number
                     and not (appended and level is request.levels[-1])), None)
    if deciding is not None:  # the request would close before reaching the new level
        raise Conflict(f"Cannot add approver at level {number} - level {deciding.level_number} "
                       "is the final approver", field="level")

    _shift_levels(request, number)
    if appended:
        request.levels[-1].is_final_approver = False  # the new last level decides now
    level = build_level(request, spec, approvers, number, final=appended)
    request.total_levels += 1
    takes_over = existing is not None and existing.status == LevelStatus.IN_PROGRESS
    for approver in approvers:
        make_approver(request, approver, actor)
    db.session.flush()
    log_activity(request, actor, "approver.added",
                 f"{actor.display_name} added {_names(approvers)} as approver{'s' if len(approvers) > 1 else ''} "
                 f"at level {number}",
                 levelId=str(level.id), levelNumber=number, approverEmail=approvers[0].email,
                 approverEmails=[approver.email for approver in approvers])
    if takes_over:
        existing.status = LevelStatus.PENDING
        tat.stop_clock(existing)
        tasks.pause(existing)
        start_level(request, level, utcnow(), actor)
    return level


def add_to_level(actor, request_id, level_id, email):
    """Add one more approver to an undecided level (the initiator or an admin)."""
    email = parse_email({"email": email})
    access = load_access(actor, request_id)
    access.require(access.can_manage_approvers, ONLY_MANAGERS_ADD_APPROVERS)
    person = provision_user(email, actor.organization)
    if person is None:
        raise unknown_person("Approver", email)
    access, level = find_level(actor, request_id, level_id, for_change=True)
    request = access.request
    require_pending(request, "changed")
    if level.status.is_done:
        raise Conflict(already_decided(level.level_number, level.status), field="email")
    if len(tasks.counted(level)) >= rules.MAX_APPROVERS_PER_LEVEL:
        raise DomainError(f"A level can have at most {rules.MAX_APPROVERS_PER_LEVEL} approvers", field="email")
    _refuse_approvers_already_in(request, [person], ["email"])
    task = tasks.new_task(request, level, person, max(task.position for task in level.tasks) + 1)
    make_approver(request, person, actor)
    db.session.flush()
    if level.status == LevelStatus.IN_PROGRESS:
        continuity.route_task(request, level, task, utcnow())
    log_activity(request, actor, "approver.added",
                 f"{actor.display_name} added {person.display_name} as an approver of level {level.level_number}",
                 levelId=str(level.id), levelNumber=level.level_number, approverEmail=person.email,
                 approverEmails=[person.email], taskId=str(task.id))
    return task


def _refuse_approvers_already_in(request, people, paths):
    """Each person approves once per request, and the initiator never (the seed's rule)."""
    taken = {task.assignee_id for level in request.levels for task in tasks.counted(level)}
    for person, path in zip(people, paths):
        if person.id == request.initiator_id:
            raise DomainError(OWN_REQUEST, field=path)
        if person.id in taken:
            raise DomainError(duplicate_approver_message(person.email), field=path)


def _names(people):
    return ", ".join(person.display_name for person in people)


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

