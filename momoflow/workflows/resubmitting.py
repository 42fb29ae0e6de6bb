"""Resubmitting a returned request: the next round.

The initiator changes what was asked (title, description, priority, files, spectators
and the levels that run again) and the request runs as round N+1 from the level it was
returned to (``request.resume_level``). Levels before that keep their decisions; the
others get fresh tasks and, as each starts, a fresh deadline. The activity line of the
resubmission records every change, old and new value, for the request page's timeline.
"""

from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError
from momoflow.extensions import db
from momoflow.request_templates import raising
from momoflow.request_templates.reading import filled_form
from momoflow.workflows import rules, tasks
from momoflow.workflows.access import load_access
from momoflow.workflows.activity import log_activity
from momoflow.workflows.creating import attach_files, build_level, resolve_approvers, resolve_spectators
from momoflow.workflows.deciding import start_level
from momoflow.workflows.documents import store_upload
from momoflow.workflows.models import Activity, ParticipantType, RequestStatus
from momoflow.workflows.participants import add_participant, make_approver
from momoflow.workflows.validation import TEMPLATE_HAS_LEVELS, duplicate_approver_message

ONLY_INITIATOR_RESUBMITS = "Only the initiator can resubmit this request"
DOCUMENT_NOT_ON_REQUEST = "No such document on this request"
FIELDS_NEED_A_TEMPLATE = "fields are the form of a request raised from a template; this one was not"


def spectator_is_approver(email):
    return f"Spectator email '{email}' is already the initiator or an approver of this request."


def not_returned(status):
    return f"Only a returned request can be resubmitted: this one is {status.value.lower()}"


def left_the_organisation(name, level_number):
    return (f"{name} no longer works here: give level {level_number}'s approvers again in approvalLevels "
            "to choose someone else")


def resubmit_request(actor, request_id, changes, files=(), category=None):
    """Apply ``changes`` (a ``validation.Resubmission``) and start the next round."""
    access = load_access(actor, request_id)
    access.require(access.is_initiator, ONLY_INITIATOR_RESUBMITS)
    _require_returned(access.request)
    # The slow parts (directory lookups, storing files) before the lock, as in create_request.
    replanned = _replan(actor, access.request, changes)
    if replanned:
        changes.levels, approvers = replanned.levels, replanned.approvers
    else:
        approvers = ([resolve_approvers(actor, level) for level in changes.levels]
                     if changes.levels is not None else None)
    new_people = [person for people in approvers or () for person in people]
    spectators = (resolve_spectators(actor, changes.spectators, new_people)
                  if changes.spectators is not None else None)
    stored_files = [store_upload(file, f"files.{index}") for index, file in enumerate(files)]

    request = load_access(actor, request_id, for_change=True, with_details=True).request
    _require_returned(request)
    now, resume = utcnow(), request.resume_level
    diff = _change_fields(request, changes)
    if replanned:
        request.field_values = replanned.values
        diff += replanned.changes
    removed = _remove_documents(request, changes.remove_documents, now)
    request.round += 1
    if approvers is None:
        _rerun_levels(request, resume)
    else:
        diff += _replace_levels(request, resume, changes.levels, approvers, actor)
    if spectators is not None:
        diff += _replace_spectators(request, spectators, actor)
    request.status = RequestStatus.PENDING
    request.rework_seconds += round((now - request.returned_at).total_seconds()) if request.returned_at else 0
    request.resume_level = request.returned_at = None
    db.session.flush()
    added = attach_files(request, actor, stored_files, category)
    log_activity(request, actor, "workflow.resubmitted", _summary(actor, request, diff, added, removed, resume),
                 round=request.round, resumeLevel=resume, changes=diff,
                 filesAdded=[document.original_name for document in added],
                 filesRemoved=[document.original_name for document in removed],
                 comments=changes.comments, returnedById=_returned_by(request))
    start_level(request, _level(request, resume), now, actor)
    return request


def _replan(actor, request, changes):
    """For a request raised from a template: its levels come from the template, so changed
    form values plan them again and ``approvalLevels`` cannot be given."""
    if request.template_id is None:
        if changes.field_values is not None:
            raise DomainError(FIELDS_NEED_A_TEMPLATE, field="fields")
        return None
    if changes.levels is not None:
        raise DomainError(TEMPLATE_HAS_LEVELS, field="approvalLevels")
    if not changes.field_values:
        return None
    return raising.replan(actor, request, filled_form(request), changes.field_values, request.resume_level)


def _require_returned(request):
    if request.status != RequestStatus.RETURNED:
        raise Conflict(not_returned(request.status))


def _level(request, number):
    return next(level for level in request.levels if level.level_number == number)


# --- the request's own fields ------------------------------------------------------------


def _change_fields(request, changes):
    diff = []
    for name, label in (("title", "Title"), ("description", "Description"), ("priority", "Priority")):
        new = getattr(changes, name)
        old = getattr(request, name)
        if new is not None and new != old:
            diff.append(_change(name, label, _text(old), _text(new)))
            setattr(request, name, new)
    return diff


def _change(field, label, old, new):
    return {"field": field, "label": label, "old": old, "new": new}


def _text(value):
    return getattr(value, "value", value)


def _remove_documents(request, document_ids, now):
    removed = []
    for index, document_id in enumerate(document_ids):
        document = next((doc for doc in request.documents if str(doc.id) == document_id), None)
        if document is None:
            raise DomainError(DOCUMENT_NOT_ON_REQUEST, field=f"removeDocuments.{index}")
        if document not in removed:
            document.removed_at = now
            removed.append(document)
    return removed


# --- the levels that run again -------------------------------------------------------------


def _rerun_levels(request, resume):
    """The same approvers again, each named person with a fresh task."""
    for level in request.levels:
        if level.level_number >= resume:
            people = [_named(task, level) for task in tasks.in_order(tasks.counted(level))]
            _fresh_tasks(request, level, people)


def _named(task, level):
    person = tasks.named(task)
    if not person.active:
        raise DomainError(left_the_organisation(person.display_name, level.level_number), field="approvalLevels")
    return person


def _fresh_tasks(request, level, people):
    for task in tasks.undecided(level):  # a level the last round never reached: nothing happened to keep
        level.all_tasks.remove(task)
        db.session.delete(task)
    level.round = request.round
    for position, person in enumerate(people):
        tasks.new_task(request, level, person, position)


def _replace_levels(request, resume, specs, approvers, actor):
    """Levels ``resume``… become ``specs`` (updated in place where a level exists, so its
    history stays with it; added or removed at the end)."""
    kept = [level for level in request.levels if level.level_number < resume]
    if len(kept) + len(specs) > rules.MAX_LEVELS:
        raise DomainError(f"A request can have at most {rules.MAX_LEVELS} approval levels: {len(kept)} "
                          f"are decided, so at most {rules.MAX_LEVELS - len(kept)} can follow",
                          field="approvalLevels")
    _refuse_kept_approvers(request, kept, specs, approvers)
    diff, last = [], len(kept) + len(specs)
    old_levels = {level.level_number: level for level in request.levels if level.level_number >= resume}
    for offset, (spec, people) in enumerate(zip(specs, approvers)):
        number = resume + offset
        final = bool(spec.is_final_approver) or number == last
        level = old_levels.pop(number, None)
        before = _level_text(level) if level else None
        if level is None:
            level = build_level(request, spec, people, number, final=final)
        else:
            _update_level(request, level, spec, people, number, final)
        for person in people:
            make_approver(request, person, actor)
        db.session.flush()
        after = _level_text(level)
        if before != after:
            diff.append(_change(f"approvalLevels.{number}", f"Level {number}", before, after))
    for number, level in sorted(old_levels.items()):
        diff.append(_change(f"approvalLevels.{number}", f"Level {number}", _level_text(level), None))
        _delete_level(request, level)
    request.total_levels = last
    return diff


def _refuse_kept_approvers(request, kept, specs, approvers):
    taken = {task.assignee_id for level in kept for task in tasks.counted(level)}
    for spec, people in zip(specs, approvers):
        for person, path in zip(people, spec.email_paths):
            if person.id in taken:
                raise DomainError(duplicate_approver_message(person.email), field=path)


def _update_level(request, level, spec, people, number, final):
    level.tat_hours = spec.tat_hours
    level.level_name = spec.level_name or rules.level_name_for(people, number)
    level.approval_mode, level.min_approvals = spec.approval_mode, spec.min_approvals
    level.rejection_policy, level.on_breach = spec.rejection_policy, spec.on_breach
    level.is_final_approver = final
    level.template_level = spec.template_level
    _fresh_tasks(request, level, people)


def _delete_level(request, level):
    for task in level.all_tasks:
        task.replaces_id = None  # tasks point at the ones they replaced: unlink before deleting
    db.session.flush()
    for task in list(level.all_tasks):
        db.session.delete(task)
    request.levels.remove(level)
    db.session.delete(level)


def _level_text(level):
    """``Finance: Ann Lee, Bo Chen (all must approve), 24 h``: a level as the diff shows it."""
    names = ", ".join(task.assignee.display_name for task in tasks.in_order(tasks.counted(level)))
    rule = rules.rule_text(level)
    return f"{level.level_name}: {names}{f' ({rule.lower()})' if rule else ''}, " \
           f"{rules.tat_hours_json(level.tat_hours)} h"


# --- spectators ---------------------------------------------------------------------------


def _replace_spectators(request, spectators, actor):
    approvers = {task.assignee_id for level in request.levels for task in tasks.counted(level)}
    for index, person in enumerate(spectators):
        if person.id in approvers:
            raise DomainError(spectator_is_approver(person.email), field=f"spectators.{index}.email")
    current = [p for p in request.participants if p.participant_type == ParticipantType.SPECTATOR]
    before = sorted(p.user.email for p in current)
    wanted = {person.id for person in spectators}
    for participant in current:
        if participant.user_id not in wanted:
            request.participants.remove(participant)
            db.session.delete(participant)
    present = {p.user_id for p in current}
    for person in spectators:
        if person.id not in present:
            add_participant(request, person, ParticipantType.SPECTATOR, actor)
    after = sorted(person.email for person in spectators)
    if before == after:
        return []
    return [_change("spectators", "Spectators", ", ".join(before) or None, ", ".join(after) or None)]


# --- the activity line ------------------------------------------------------------------------


def _returned_by(request):
    """Who sent it back (the last ``workflow.returned`` line): they hear of the resubmission."""
    actor_id = db.session.scalar(
        db.select(Activity.actor_id).where(Activity.request_id == request.id, Activity.action == "workflow.returned")
        .order_by(Activity.created_at.desc()).limit(1))
    return str(actor_id) if actor_id else None


def _summary(actor, request, diff, added, removed, resume):
    changed = [change["label"].lower() for change in diff]
    if added:
        changed.append(f"{len(added)} file{'s' if len(added) > 1 else ''} added")
    if removed:
        changed.append(f"{len(removed)} file{'s' if len(removed) > 1 else ''} removed")
    what = f"changed {', '.join(changed)}" if changed else "made no changes"
    return (f"{actor.display_name} resubmitted the request ({what}): round {request.round} starts at "
            f"level {resume}")
