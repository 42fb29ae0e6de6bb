"""Out of office: while someone is away, a delegate stands in for them.

One absence per person (setting one replaces it). The services here validate, save and
record ``absence.set``; moving tasks to the stand-in and back is
``momoflow.workflows.continuity``'s, called when an absence covers now (on saving, or by
the tick when it begins) and when it ends (by the tick, on "I'm back", or on replacing
one that had begun). Nothing here commits. All moments are aware UTC datetimes.
"""

from datetime import datetime, time, timezone

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from momoflow import fields
from momoflow.accounts.models import Absence
from momoflow.accounts.services import find_user, provision_user
from momoflow.database import utcnow
from momoflow.errors import Forbidden, NotFound
from momoflow.events import record_event
from momoflow.extensions import db
from momoflow.workflows import continuity

MAX_MESSAGE_LENGTH = 1000
MAX_HOPS = 10  # a delegation chain longer than this is cut (chains are short in practice)
KEPT_FOR_DAYS = 30  # ended absences are purged this long after they ended (momoflow.maintenance)
BATCH = 200

START_INVALID = "Start must be a date and time like 2026-12-07T09:00:00+05:30"
END_INVALID = "End must be a date and time like 2026-12-11T18:00:00+05:30"
START_NEEDS_ZONE = "Start must include a time zone offset, e.g. +05:30"
END_NEEDS_ZONE = "End must include a time zone offset, e.g. +05:30"
START_REQUIRED, END_REQUIRED = "Start is required", "End is required"
END_BEFORE_START = "End must be after the start"
END_IN_PAST = "End must be in the future"
DELEGATE_UNKNOWN = "No active person with this email in your organisation"
DELEGATE_IS_SELF = "You cannot stand in for yourself: choose someone else"
NOT_ALLOWED = "Only the person themself or an administrator can change their out of office."
NO_ABSENCE = "No out of office is set."
PERSON_NOT_FOUND = "No such person in your organisation."


def cycle_message(delegate, via):
    """Why ``delegate`` cannot stand in: their absence hands the work back (through ``via``)."""
    if not via:
        return f"{delegate.display_name} is away then and hands their work to you: choose someone else"
    names = ", ".join(person.display_name for person in via)
    return (f"{delegate.display_name} is away then and their work comes back to you through {names}: "
            "choose someone else")


# --- reading -------------------------------------------------------------------------


def absence_of(person, now=None):
    """``person``'s current or upcoming absence (delegate loaded), or None once it ended."""
    now = now or utcnow()
    return db.session.scalar(
        sa.select(Absence).options(joinedload(Absence.delegate))
        .where(Absence.user_id == person.id, Absence.ends_at > now, Absence.returned_at.is_(None)))


def is_absent(person, moment):
    return _covering(person.id, moment) is not None


def delegation_chain(person, moment):
    """Who ``person``'s work passes to at ``moment``: their delegate, then (while that one is
    away too) theirs, and so on, ending at the first who is not away, or before anyone
    would come round again. Empty when ``person`` is not away. One query per hop."""
    chain, seen, current = [], {person.id}, person
    for _ in range(MAX_HOPS):
        absence = _covering(current.id, moment)
        if absence is None or absence.delegate_id in seen:
            break
        current = absence.delegate
        chain.append(current)
        seen.add(current.id)
    return chain


def absent_among(user_ids, moment):
    """Which of ``user_ids`` are away at ``moment``: one query for a level's approvers."""
    if not user_ids:
        return set()
    return set(db.session.scalars(sa.select(Absence.user_id).where(Absence.user_id.in_(user_ids),
                                                                   Absence.covers(moment))))


def _covering(user_id, moment):
    return db.session.scalar(
        sa.select(Absence).options(joinedload(Absence.delegate))
        .where(Absence.user_id == user_id, Absence.covers(moment)))


def person_for(actor, email):
    """The person of ``actor``'s organisation whose out of office an admin opens by email."""
    if not actor.is_admin:
        raise Forbidden(NOT_ALLOWED)
    person = find_user(email) if isinstance(email, str) and fields.is_valid_text(email) else None
    if person is None or person.organization_id != actor.organization_id:
        raise NotFound(PERSON_NOT_FOUND)
    return person


# --- changing ------------------------------------------------------------------------


def set_absence(actor, person, start, end, delegate_email, message=None, now=None):
    """Save ``person``'s out of office (ISO 8601 text or aware datetimes), replacing theirs."""
    _check_allowed(actor, person)
    now = now or utcnow()
    starts_at, ends_at, delegate, message = _parse(person, start, end, delegate_email, message, now)
    absence = db.session.scalar(sa.select(Absence).where(Absence.user_id == person.id))
    if absence is None:
        absence = Absence(organization_id=person.organization_id, user_id=person.id)
        db.session.add(absence)
    elif absence.moved_at is not None and absence.returned_at is None:
        continuity.absence_ended(absence, now)  # the old period's tasks go back first
    absence.delegate_id, absence.delegate = delegate.id, delegate
    absence.starts_at, absence.ends_at, absence.message = starts_at, ends_at, message
    absence.set_by_id, absence.moved_at, absence.returned_at = actor.id, None, None
    db.session.flush()
    if absence.covers(now):
        continuity.absence_began(absence, now)
    _record_set(actor, person, absence)
    return absence


def clear_absence(actor, person, now=None):
    """"I'm back": end ``person``'s out of office now (NotFound if none is set)."""
    _check_allowed(actor, person)
    now = now or utcnow()
    absence = absence_of(person, now)
    if absence is None:
        raise NotFound(NO_ABSENCE)
    if absence.moved_at is not None and absence.returned_at is None:
        continuity.absence_ended(absence, now)
    db.session.delete(absence)
    db.session.flush()


def _check_allowed(actor, person):
    if actor.id != person.id and not (actor.is_admin and actor.organization_id == person.organization_id):
        raise Forbidden(NOT_ALLOWED)


def _parse(person, start, end, delegate_email, message, now):
    problems = fields.Problems()
    starts_at = _moment(start, "start", problems, START_INVALID, START_NEEDS_ZONE, START_REQUIRED, time(0, 0))
    ends_at = _moment(end, "end", problems, END_INVALID, END_NEEDS_ZONE, END_REQUIRED, time(23, 59, 59))
    if starts_at and ends_at and ends_at <= starts_at:
        problems.add("end", END_BEFORE_START)
    elif ends_at and ends_at <= now:
        problems.add("end", END_IN_PAST)
    email = fields.email(delegate_email, "delegateEmail", problems)
    message = fields.text(message, "message", problems, label="Message", max_length=MAX_MESSAGE_LENGTH)
    problems.raise_if_any()
    delegate = _delegate(person, email, starts_at, ends_at, problems)
    problems.raise_if_any()
    return starts_at, ends_at, delegate, message


def _moment(value, path, problems, message, zone_message, required, date_means):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            problems.add(path, zone_message)
            return None
        return value.astimezone(timezone.utc)
    moment = fields.iso_moment(value, path, problems, message=message, zone_message=zone_message,
                               date_means=date_means)
    if moment is None and value in (None, ""):
        problems.add(path, required)
    return moment


def _delegate(person, email, starts_at, ends_at, problems):
    if email == person.email:
        problems.add("delegateEmail", DELEGATE_IS_SELF)
        return None
    delegate = provision_user(email, person.organization)
    if delegate is None:
        problems.add("delegateEmail", DELEGATE_UNKNOWN)
        return None
    via = _path_back(person, delegate, starts_at, ends_at)
    if via is not None:
        problems.add("delegateEmail", cycle_message(delegate, via))
    return delegate


def _path_back(person, delegate, starts_at, ends_at):
    """The people between ``delegate`` and ``person`` if, during the new absence, the
    delegate's own absence (and their delegate's, …) hands the work back to ``person``;
    else None. One query per hop."""
    via, seen, current = [], {delegate.id}, delegate
    for _ in range(MAX_HOPS):
        absence = db.session.scalar(
            sa.select(Absence).options(joinedload(Absence.delegate))
            .where(Absence.user_id == current.id, Absence.returned_at.is_(None),
                   Absence.starts_at < ends_at, Absence.ends_at > starts_at))
        if absence is None or absence.delegate_id in seen:
            return None
        if absence.delegate_id == person.id:
            return via
        current = absence.delegate
        via.append(current)
        seen.add(current.id)
    return None


def _record_set(actor, person, absence):
    delegate = absence.delegate
    record_event("absence.set", organization_id=person.organization_id, subject_id=absence.id, actor=actor,
                 payload={"absenceId": str(absence.id), "userId": str(person.id), "userEmail": person.email,
                          "userName": person.display_name, "delegateId": str(delegate.id),
                          "delegateEmail": delegate.email, "delegateName": delegate.display_name,
                          "start": absence.starts_at.isoformat(), "end": absence.ends_at.isoformat(),
                          "message": absence.message})


# --- the tick ------------------------------------------------------------------------


def tick(now):
    """The tick's duty: absences that have begun hand their tasks over, those that ended
    take them back; each once (``moved_at`` / ``returned_at``). Returns how many of each."""
    began = _each_claimed(_to_move(now), lambda absence: continuity.absence_began(absence, now))
    ended = _each_claimed(_to_return(now), lambda absence: _end(absence, now))
    return {"began": began, "ended": ended}


def _end(absence, now):
    if absence.moved_at is not None:
        continuity.absence_ended(absence, now)
    else:  # it never began as far as its tasks know (it fell between two ticks)
        absence.returned_at = now


def _to_move(now):
    # The partial index ix_absences_to_move (moved_at IS NULL) answers this.
    return (sa.select(Absence).where(Absence.moved_at.is_(None), Absence.starts_at <= now, Absence.ends_at > now)
            .order_by(Absence.starts_at))


def _to_return(now):
    # The partial index ix_absences_to_return (returned_at IS NULL) answers this.
    return (sa.select(Absence).where(Absence.returned_at.is_(None), Absence.ends_at <= now)
            .order_by(Absence.ends_at))


def _each_claimed(query, act, max_batches=50):
    """``act`` on every row of ``query``, a locked batch at a time: two ticks side by side
    never act on one absence twice, and neither waits for the other."""
    done = 0
    for _ in range(max_batches):
        batch = db.session.scalars(query.limit(BATCH).with_for_update(skip_locked=True)).all()
        for absence in batch:
            act(absence)
        db.session.flush()
        done += len(batch)
        if len(batch) < BATCH:
            break
    return done
