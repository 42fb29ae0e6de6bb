"""Recurring assignments: a flow assigned to the same people every N days or months.

Admins (the Schedules page) and integrators (``/v1/flows/schedules``) set them up; the
tick's ``run_due`` assigns each due schedule through ``services.assign_many``, the bulk
API's path, so one open assignment per person, provisioning from the directory and the
``flow.assigned`` events work as they do everywhere. Nothing here commits.

Months step by calendar month from the first run, clamped to the month's end: a
schedule starting Jan 31 runs Feb 28, Mar 31, Apr 30…
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from momoflow import fields
from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import Organization, User
from momoflow.accounts.services import provision_user
from momoflow.apikeys.models import ApiKey
from momoflow.database import utcnow
from momoflow.errors import Conflict, NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.flows import access, audiences, services
from momoflow.flows.assigning import MAX_PEOPLE
from momoflow.flows.models import FlowSchedule, FlowStatus, ScheduleUnit
from momoflow.flows.schemas import iso
from momoflow.flows.validation import parse_shared_fields
from momoflow.pagination import newest_first_page

log = logging.getLogger(__name__)

MAX_EVERY = {ScheduleUnit.DAYS: 3660, ScheduleUnit.MONTHS: 120}  # ten years
MAX_DUE_IN_DAYS = 3650
DEFAULT_DUE_IN_DAYS = 30
EARLIEST_START = datetime(2000, 1, 1, tzinfo=timezone.utc)
MAX_START_AHEAD = timedelta(days=5 * 365)
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
RUNS_PER_TICK = 50  # schedules assigned per tick; a backlog waits for the next ticks


UNIT_PROBLEM = "unit must be days or months"
NOT_ACTIVE = "This schedule was cancelled: set up a new one"


def not_an_email(shown):
    return f"'{shown}' is not a valid email address"


def schedule_not_found(schedule_id):
    return NotFound(f"Schedule with ID '{schedule_id.replace(access.NUL, '')}' does not exist")


# --- setting up -----------------------------------------------------------------------


def create_schedule(assigner, flow_id, emails, every, unit, due_in_days=DEFAULT_DUE_IN_DAYS, priority=None,
                    notes=None, first_run_at=None, audience=None):
    """A new active schedule, set up by ``assigner`` (its runs assign as them), whose first
    run is ``first_run_at`` (a datetime, an ISO 8601 text, or None: now). Problems are
    named as the API names them (flowId, userEmails.N, every, unit, dueInDays, priority,
    notes, startAt); an unknown flow is NotFound and an archived one Conflict, both with
    field flowId."""
    problems = fields.Problems()
    spec, addresses, unit, due_in_days, group = _settings(flow_id, emails, every, unit, due_in_days, priority, notes,
                                                          audience, problems)
    first_run_at = _start(first_run_at, problems) or utcnow()
    problems.raise_if_any()
    organization = assigner.organization
    flow = _schedulable_flow(organization, spec.flow_id)
    people = _people(organization, addresses)
    _check_audience(organization, group)
    schedule = FlowSchedule(organization_id=organization.id, flow_id=flow.id, user_emails=people, every=every,
                            audience_kind=group[0] if group else None, audience=group[1] if group else None,
                            unit=unit, due_in_days=due_in_days, priority=spec.priority, notes=spec.notes,
                            next_run_at=first_run_at, first_run_at=first_run_at, active=True,
                            created_by_user_id=assigner.person_id, created_by_api_key_id=assigner.api_key_id)
    schedule.flow = flow
    db.session.add(schedule)
    db.session.flush()
    return schedule


def update_schedule(organization, schedule_id, emails, every, unit, due_in_days, priority=None, notes=None,
                    audience=None):
    """Change an active schedule's people, rhythm, due-in, priority and notes. The run already
    planned keeps its moment; the new rhythm counts from it (so a change never runs at once
    or skips a run). Problems are named as for ``create_schedule``."""
    schedule = find_schedule(organization, schedule_id)
    if not schedule.active:
        raise Conflict(NOT_ACTIVE)
    problems = fields.Problems()
    spec, addresses, unit, due_in_days, group = _settings(schedule.flow.public_id, emails, every, unit, due_in_days,
                                                          priority, notes, audience, problems)
    problems.raise_if_any()
    people = _people(organization, addresses)
    _check_audience(organization, group)
    schedule.audience_kind, schedule.audience = group if group else (None, None)
    if (every, unit) != (schedule.every, schedule.unit):
        schedule.first_run_at = schedule.next_run_at  # months count from the planned run on
    schedule.user_emails, schedule.every, schedule.unit, schedule.due_in_days = people, every, unit, due_in_days
    schedule.priority, schedule.notes = spec.priority, spec.notes
    return schedule


def run_now(organization, schedule_id, now=None):
    """Run an active schedule once, now, besides its rhythm (the planned run stays):
    ``(schedule, results)``, a result per person as the bulk assign gives them."""
    schedule = find_schedule(organization, schedule_id)
    if not schedule.active:
        raise Conflict(NOT_ACTIVE)
    if schedule.flow.status != FlowStatus.ACTIVE:
        raise Conflict(services.archived(schedule.flow.public_id, "assigned"))
    now = now or utcnow()
    results = _assign(schedule, now)
    schedule.last_run_at = now
    return schedule, results


def _settings(flow_id, emails, every, unit, due_in_days, priority, notes, audience, problems):
    """What creating and changing a schedule both check: ``(shared spec, addresses, unit,
    due in days, (audience kind, name) or None)``, each problem added to ``problems``. With
    a group or department the listed people may be none."""
    due_in_days = DEFAULT_DUE_IN_DAYS if due_in_days in (None, "") else due_in_days
    shared = {"flowId": flow_id, "priority": None if priority == "" else priority, "notes": notes}
    spec = parse_shared_fields(shared, "", problems)
    group = audiences.parse(audience) if audience else None
    if audience and group is None:
        problems.append(("audience", audiences.NO_SUCH_AUDIENCE))
    addresses = _addresses(emails, problems) if emails or not audience else []
    unit = fields.choice(unit, ScheduleUnit, "unit", problems, UNIT_PROBLEM)
    fields.whole_number(every, "every", problems, low=1, high=MAX_EVERY.get(unit, max(MAX_EVERY.values())))
    fields.whole_number(due_in_days, "dueInDays", problems, low=0, high=MAX_DUE_IN_DAYS)
    return spec, addresses, unit, due_in_days, group


def _check_audience(organization, group):
    """The group or department must exist now (a typo would make every run assign nobody)."""
    if group is not None:
        try:
            audiences.people_in(organization, *group)
        except NotFound:
            raise ValidationFailed([("audience", audiences.NO_SUCH_AUDIENCE)]) from None


def _addresses(emails, problems):
    """The addresses, normalised, each once, in order."""
    if not isinstance(emails, list) or not 1 <= len(emails) <= MAX_PEOPLE:
        problems.append(("userEmails", f"userEmails must list 1 to {MAX_PEOPLE} email addresses"))
        return []
    addresses = []
    for index, entry in enumerate(emails):
        address = normalize_email(entry) if isinstance(entry, str) else None
        if address is None:
            shown = entry if isinstance(entry, str) and len(entry) < 100 else "this entry"
            problems.append((f"userEmails.{index}", not_an_email(shown)))
        elif address not in addresses:
            addresses.append(address)
    return addresses


def _start(value, problems):
    """ISO 8601: a date-time with a zone, or a date (meaning midnight UTC). A start in the
    past sets the rhythm (the first run is then at once); one years away is a typo."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime) else fields.iso_moment(
        value, "startAt", problems, date_means=time(0),
        message="startAt must be ISO 8601, e.g. 2025-01-01T09:00:00Z or 2025-01-01",
        zone_message="startAt needs a time zone, e.g. 2025-01-01T09:00:00Z")
    if moment is not None and not EARLIEST_START <= moment <= utcnow() + MAX_START_AHEAD:
        problems.append(("startAt", f"startAt must be from {EARLIEST_START:%Y-%m-%d} to at most "
                                    f"{MAX_START_AHEAD.days // 365} years from now"))
        return None
    return moment


def _schedulable_flow(organization, flow_id):
    try:
        flow = access.find_flow(organization, flow_id)
    except NotFound as error:
        error.field = "flowId"
        raise
    if flow.status != FlowStatus.ACTIVE:
        raise Conflict(services.archived(flow_id, "scheduled"), field="flowId")
    return flow


def _people(organization, addresses):
    """Refuse addresses that name nobody now (a typo would otherwise fail every run)."""
    known = set(db.session.scalars(sa.select(User.email).where(
        User.organization_id == organization.id, User.active, User.email.in_(addresses))))
    problems = [(f"userEmails.{index}", services.user_not_found(address).message)
                for index, address in enumerate(addresses)
                if address not in known and provision_user(address, organization) is None]
    if problems:
        raise ValidationFailed(problems)
    return addresses


# --- reading and cancelling --------------------------------------------------------------


@dataclass
class SchedulePage:
    schedules: list
    next_cursor: str | None


def parse_list_args(args):
    """``(cursor, limit)`` from a list request's query, or ValidationFailed."""
    problems = fields.Problems()
    cursor = fields.cursor(args.get("cursor"), problems,
                           message="cursor is not valid (use nextCursor from the previous page)")
    limit = fields.page_limit(args.get("limit"), problems, default=DEFAULT_LIMIT, maximum=MAX_LIMIT,
                              message=fields.not_a_whole_number("limit", 1, MAX_LIMIT))
    problems.raise_if_any()
    return cursor, limit


def _with_flow():
    return sa.select(FlowSchedule).options(sa.orm.joinedload(FlowSchedule.flow, innerjoin=True))


def list_schedules(organization, cursor=None, limit=DEFAULT_LIMIT):
    """Newest first, one query (``ix_flow_schedules_organization``)."""
    statement = _with_flow().where(FlowSchedule.organization_id == organization.id)
    return SchedulePage(*newest_first_page(statement, FlowSchedule, cursor, limit))


def find_schedule(organization, schedule_id):
    """The organisation's schedule (with its flow); other organisations' do not exist."""
    schedule = None
    if access.can_name_a_row(schedule_id):
        schedule = db.session.scalar(_with_flow().where(FlowSchedule.public_id == schedule_id,
                                                        FlowSchedule.organization_id == organization.id))
    if schedule is None:
        raise schedule_not_found(schedule_id)
    return schedule


def cancel_schedule(organization, schedule_id):
    """No more runs; what it already assigned stays. Cancelling twice is harmless."""
    schedule = find_schedule(organization, schedule_id)
    schedule.active = False
    return schedule


# --- running (the tick) ---------------------------------------------------------------------


def run_due(now):
    """Assign every active schedule due by ``now``, then move it to its next run."""
    schedules = db.session.scalars(
        _with_flow().where(FlowSchedule.active, FlowSchedule.next_run_at <= now)
        .order_by(FlowSchedule.next_run_at, FlowSchedule.id).limit(RUNS_PER_TICK)
        .with_for_update(of=FlowSchedule, skip_locked=True)).all()
    for schedule in schedules:
        _run(schedule, now)
    return len(schedules)


def _run(schedule, now):
    if schedule.flow.status != FlowStatus.ACTIVE:
        schedule.active = False
        log.info("schedule %s stopped: flow %s is archived", schedule.public_id, schedule.flow.public_id)
        return
    try:
        with db.session.begin_nested():
            results = _assign(schedule, now)
    except Exception:  # one broken schedule must not hold up the others; it is tried next tick
        log.exception("schedule %s failed to run; it is tried again next tick", schedule.public_id)
        return
    schedule.last_run_at = now
    schedule.next_run_at = next_run_after(schedule.next_run_at, schedule.every, schedule.unit, now,
                                          first=schedule.first_run_at)
    outcomes = [result.error.code if result.error else "assigned" for result in results]
    log.info("schedule %s ran: %d assigned, %d still open, %d failed", schedule.public_id,
             outcomes.count("assigned"), outcomes.count("already_assigned"),
             len(outcomes) - outcomes.count("assigned") - outcomes.count("already_assigned"))


def _assign(schedule, now):
    """Through the bulk path; people who still have the flow open come back as
    ``already_assigned`` and are skipped."""
    due = iso(now + timedelta(days=schedule.due_in_days))
    emails = list(schedule.user_emails)
    if schedule.audience_kind is not None:  # everyone in it at this run, besides the people listed
        organization = db.session.get(Organization, schedule.organization_id)
        members = audiences.people_in(organization, schedule.audience_kind, schedule.audience)
        emails += [person.email for person in members if person.email not in emails]
    items = [{"flowId": schedule.flow.public_id, "userEmail": email, "dueDate": due,
              "priority": schedule.priority.value, "notes": schedule.notes} for email in emails]
    api_key = db.session.get(ApiKey, schedule.created_by_api_key_id) if schedule.created_by_api_key_id else None
    person = db.session.get(User, schedule.created_by_user_id) if schedule.created_by_user_id else None
    return services.assign_many(services.Assigner(schedule.organization_id, api_key, person), items)


def next_run_after(run, every, unit, now, first=None):
    """The first of ``run``, ``run`` + every, ``run`` + 2 × every… after ``now``: after
    downtime a schedule runs once, not once per missed period. Months count from
    ``first`` (the schedule's first run) when it is known, so clamping never drifts."""
    if run > now:
        return run
    if unit == ScheduleUnit.DAYS:
        step = timedelta(days=every)
        return run + ((now - run) // step + 1) * step
    start = first or run
    periods = 1
    while start + relativedelta(months=every * periods) <= now:
        periods += 1
    return start + relativedelta(months=every * periods)
