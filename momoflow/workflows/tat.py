"""Turn-around time (TAT): a level's deadline and reminders, and the tick duty that
announces them.

The one place TAT times come from. ``start_clock`` stores a level's deadline when it
starts; pages, the API and the reminders all read that stored ``tat_deadline``, so
they agree to the microsecond. STANDARD requests count the organisation's working
hours, EXPRESS requests calendar hours (``momoflow.worktime``). A changed calendar
applies to levels started afterwards: running levels keep their deadline.

Stages: 0 running, 1 reminded at 50 %, 2 reminded at 75 %, 3 breached at 100 %.
``tat_next_check_at`` is when the next stage is due (None once breached), and the
partial index ``ix_approval_levels_tat_due`` holds only running levels that have one,
so each tick reads only the levels that are due.
"""

import logging
from decimal import Decimal

import sqlalchemy as sa

from momoflow import fields, worktime
from momoflow.accounts.models import Organization, User
from momoflow.errors import ValidationFailed
from momoflow.extensions import db
from momoflow.workflows import continuity
from momoflow.workflows.activity import log_activity
from momoflow.workflows.models import ApprovalLevel, ApprovalTask, BreachAction, TaskStatus, WorkflowRequest
from momoflow.workflows.rules import tat_hours_json

log = logging.getLogger(__name__)

BREACHED = 3
PERCENT = {1: 50, 2: 75, BREACHED: 100}  # how much of the TAT has passed at each stage
BATCH = 500
MAX_PER_TICK = 5000  # a backlog (after downtime) is worked off over a few ticks, each short


# --- the times --------------------------------------------------------------------


def calendar_for(organization):
    """The organisation's working-time calendar, or the default if its settings are
    unusable (the settings page refuses bad values: this is data changed behind its back)."""
    try:
        return worktime.WorkCalendar.from_settings(organization.timezone, organization.workdays,
                                                   organization.work_hours, organization.holidays)
    except ValueError:  # CalendarSettingsError included
        log.warning("organisation %s has an unusable working-time calendar; using the default",
                    organization.slug, exc_info=True)
        return worktime.DEFAULT_CALENDAR


def deadline_for(request, level, started_at, calendar=None):
    """When ``level`` of ``request`` runs out of TAT if it starts at ``started_at``."""
    return worktime.deadline(request.priority, calendar or _calendar_of(request), started_at, level.tat_hours)


def far_deadline_problem(path):
    years = worktime.MAX_HORIZON.days // 366
    return (path, f"TAT hours would end more than {years} years from now in this organisation's working time; "
                  "choose fewer hours")


def refuse_far_deadlines(organization, priority, tat_hours_by_path, now):
    """ValidationFailed naming each TAT (``[(path, hours)]``) that, started ``now``, would
    end beyond ``worktime.MAX_HORIZON``. Callers check before taking any lock: a sparse
    calendar must not make anyone wait for an answer that is a refusal anyway."""
    calendar = calendar_for(organization)
    problems = []
    for path, hours in tat_hours_by_path:
        try:
            worktime.deadline(priority, calendar, now, hours)
        except worktime.BeyondHorizon:
            problems.append(far_deadline_problem(path))
    if problems:
        raise ValidationFailed(problems)


def checkpoint_for(request, level, stage, calendar=None):
    """When a started ``level`` reaches ``stage``: its stored deadline for the breach,
    else the reminder's share of the TAT (never later than the deadline, should the
    calendar have changed since the level started)."""
    if stage >= BREACHED:
        return level.tat_deadline
    try:
        moment = worktime.checkpoint(request.priority, calendar or _calendar_of(request), level.started_at,
                                     level.tat_hours, Decimal(PERCENT[stage]) / 100)
    except worktime.BeyondHorizon:  # the calendar shrank since the level started
        return level.tat_deadline
    return min(moment, level.tat_deadline)


def waited(task, decided_at):
    """``(seconds, on time)`` for a task decided at ``decided_at``: how long it waited on its
    holder, counted as its level's TAT counts (working time for STANDARD, calendar time for
    EXPRESS) from the level's start in this round (or the task's creation, for one handed
    over later), and whether the decision came by the level's deadline."""
    level = task.level
    request = db.session.get(WorkflowRequest, task.request_id)
    if level.started_at is not None and level.started_at > decided_at:
        # Only when reading an old decision back (``reports.backfill``): the level has run
        # again since, and the start and deadline of that earlier round are gone. The task's
        # creation and its level's TAT are the closest we still know.
        hours = worktime.elapsed_hours(request.priority, _calendar_of(request), task.created_at, decided_at)
        return round(hours * 3600), hours <= float(level.tat_hours)
    began = max(moment for moment in (level.started_at, task.created_at) if moment is not None)
    hours = worktime.elapsed_hours(request.priority, _calendar_of(request), began, decided_at)
    return round(hours * 3600), level.tat_deadline is None or decided_at <= level.tat_deadline


def next_check(request, level, calendar=None):
    """When ``level``'s next stage is due; None once it is breached."""
    if level.tat_stage >= BREACHED:
        return None
    return checkpoint_for(request, level, level.tat_stage + 1, calendar)


def start_clock(request, level, started_at):
    """Start ``level``'s TAT: its deadline, and the first reminder to look for."""
    calendar = _calendar_of(request)
    level.started_at = started_at
    try:
        level.tat_deadline = deadline_for(request, level, started_at, calendar)
    except worktime.BeyondHorizon:  # only if the calendar shrank after the request was created
        raise ValidationFailed([far_deadline_problem("tatHours")]) from None
    level.tat_stage = 0
    level.tat_next_check_at = next_check(request, level, calendar)


def stop_clock(level):
    """A level that goes back to waiting (an approver was inserted before it)."""
    level.started_at = level.tat_deadline = level.tat_next_check_at = None
    level.tat_stage = 0


def _calendar_of(request):
    # Usually in the identity map already (the acting user's organisation): no query.
    return calendar_for(db.session.get(Organization, request.organization_id))


# --- the organisation's calendar (Settings → Working time) -------------------------

MAX_HOLIDAYS_LENGTH = 20_000  # characters: decades of holidays, with their names
MAX_TIMEZONE_LENGTH = 64  # the longest IANA name is about 30


def save_calendar(organization, timezone, workdays, day_start, day_end, holidays):
    """Check an admin's working-time settings and store them on ``organization``;
    ValidationFailed names every field that is wrong. Levels that start from now on
    count in the new calendar; running levels keep their deadlines."""
    problems, parsed = [], {}
    checks = {
        "timezone": lambda: _parse_timezone(timezone),
        "workdays": lambda: worktime.parse_workdays(list(workdays)),
        "hours": lambda: _parse_hours(day_start, day_end),
        "holidays": lambda: _parse_holidays(holidays),
    }
    for field, parse in checks.items():
        try:
            parsed[field] = parse()
        except worktime.CalendarSettingsError as error:
            problems.append((error.field, error.message))
    if problems:
        raise ValidationFailed(problems)
    start, end = parsed["hours"]
    organization.timezone = parsed["timezone"]
    organization.workdays = ",".join(worktime.WEEKDAY_NAMES[day - 1][:3] for day in sorted(parsed["workdays"]))
    organization.work_hours = f"{start:%H:%M}-{end:%H:%M}"
    organization.holidays = "\n".join(line.strip() for line in (holidays or "").strip().splitlines())
    db.session.flush()
    return calendar_for(organization)


def sample_deadlines(organization, hours, now):
    """``{priority: "Mon 24 Nov 17:00 UTC"}``: when a ``hours`` TAT started at ``now``
    would end (the settings page's example)."""
    calendar = calendar_for(organization)
    return {priority: local_text(worktime.deadline(priority, calendar, now, hours), calendar)
            for priority in ("STANDARD", "EXPRESS")}


def _parse_timezone(text):
    problems = fields.Problems()
    name = fields.text(text, "timezone", problems, label="Time zone", max_length=MAX_TIMEZONE_LENGTH,
                       required="Time zone: enter a time zone name like Europe/London.")
    if problems:
        raise worktime.CalendarSettingsError(*problems[0])
    return worktime.WorkCalendar(timezone=name).timezone


def _parse_hours(day_start, day_end):
    if not (day_start or "").strip() or not (day_end or "").strip():
        raise worktime.CalendarSettingsError(
            "hours", "Working hours: enter both the time the working day starts and the time it ends.")
    return worktime.parse_hours(f"{day_start.strip()}-{day_end.strip()}")


def _parse_holidays(text):
    if len(text or "") > MAX_HOLIDAYS_LENGTH:
        raise worktime.CalendarSettingsError(
            "holidays", f"Holidays: the list can be at most {MAX_HOLIDAYS_LENGTH:,} characters long.")
    return worktime.parse_holidays(text or "")


# --- the activity lines and events ------------------------------------------------


def log_started(request, level, actor):
    """The ``level.started`` activity line and event; ``actor`` is who caused the start.
    Call once the level and request have ids (after a flush)."""
    holders, calendar = _holders(level), _calendar_of(request)
    log_activity(request, actor, "level.started",
                 f"Level {level.level_number} ({level.level_name}) started: waiting on "
                 f"{_names(holders)} until {local_text(level.tat_deadline, calendar)}",
                 **_details(level, holders))


def _log_stage(request, level, holders, calendar):
    hours, until = tat_hours_json(level.tat_hours), local_text(level.tat_deadline, calendar)
    if level.tat_stage >= BREACHED:
        log_activity(request, None, "level.tat_breached",
                     f"Level {level.level_number} breached its {hours}-hour TAT: {_names(holders)} "
                     f"had until {until}", **_details(level, holders))
        return
    percent = PERCENT[level.tat_stage]
    log_activity(request, None, "level.tat_reminder",
                 f"Level {level.level_number} is {percent}% through its {hours}-hour TAT: "
                 f"{_names(holders)} {'has' if len(holders) == 1 else 'have'} until {until}", percent=percent,
                 **_details(level, holders))


def _holders(level):
    """Whoever may act on the level now (undecided tasks' holders, and escalation managers)."""
    return [task.assignee for task in level.tasks if task.status == TaskStatus.PENDING]


def _names(people):
    names = [person.display_name for person in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}" if names else "nobody"


def _details(level, holders):
    """Payload of the level's TAT events. ``approverId``/``approverEmail``: the first
    holder (the seed's one approver); ``approverIds``: everyone who hears of it."""
    first = holders[0] if holders else None
    escalated = [str(task.escalated_to_id) for task in level.tasks
                 if task.status == TaskStatus.PENDING and task.escalated_to_id]
    return {"levelId": str(level.id), "levelNumber": level.level_number, "levelName": level.level_name,
            "approverId": str(first.id) if first else None, "approverEmail": first.email if first else None,
            "approverIds": [str(holder.id) for holder in holders] + escalated,
            "approverEmails": [holder.email for holder in holders],
            "tatHours": tat_hours_json(level.tat_hours), "tatDeadline": level.tat_deadline.isoformat()}


def local_text(moment, calendar):
    """``Mon 24 Nov 17:00 UTC``: a time as the organisation's clocks show it."""
    local = moment.astimezone(calendar.zone)
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname()}"


# --- the tick's duty --------------------------------------------------------------


def check(now):
    """Advance every running level whose next stage is due by ``now``, recording its
    reminder or breach; returns how many levels were looked at. The caller commits.

    A level that passed several stages at once (the tick was down) gets only the
    latest: never a 50 % reminder after its breach.
    """
    calendars, seen = {}, 0
    while seen < MAX_PER_TICK:
        rows = _claim(now)
        _load_tasks([level for level, _, _ in rows])
        for level, request, organization in rows:
            if organization.id not in calendars:
                calendars[organization.id] = calendar_for(organization)
            _advance(request, level, calendars[organization.id], now)
        db.session.flush()
        seen += len(rows)
        if len(rows) < BATCH:
            break
    return seen


def _claim(now):
    """The next batch of due levels, locked: two ticks side by side never announce a
    stage twice, and neither waits for the other."""
    return db.session.execute(
        sa.select(ApprovalLevel, WorkflowRequest, Organization)
        .join(WorkflowRequest, WorkflowRequest.id == ApprovalLevel.request_id)
        .join(Organization, Organization.id == WorkflowRequest.organization_id)
        .options(sa.orm.lazyload(WorkflowRequest.initiator))
        # A literal, not a parameter: a generic plan must see it implies the partial index's predicate.
        .where(ApprovalLevel.status == sa.literal_column("'IN_PROGRESS'"), ApprovalLevel.tat_next_check_at.is_not(None),
               ApprovalLevel.tat_next_check_at <= now)
        .order_by(ApprovalLevel.tat_next_check_at)
        .limit(BATCH)
        .with_for_update(of=ApprovalLevel, skip_locked=True)).all()


def _load_tasks(levels):
    """The claimed levels' tasks with their holders: one query for the batch."""
    if not levels:
        return
    found = {level.id: [] for level in levels}
    rows = db.session.execute(
        sa.select(ApprovalTask, User).join(User, User.id == ApprovalTask.assignee_id)
        .options(sa.orm.lazyload(User.organization))
        .where(ApprovalTask.level_id.in_(found)).order_by(ApprovalTask.position, ApprovalTask.created_at)).all()
    for task, holder in rows:
        sa.orm.attributes.set_committed_value(task, "assignee", holder)
        found[task.level_id].append(task)
    for level in levels:
        sa.orm.attributes.set_committed_value(level, "all_tasks", found[level.id])


def _advance(request, level, calendar, now):
    if level.started_at is None or level.tat_deadline is None:  # no clock to follow
        level.tat_next_check_at = None
        return
    reached = level.tat_stage
    while reached < BREACHED and checkpoint_for(request, level, reached + 1, calendar) <= now:
        reached += 1
    moved = reached > level.tat_stage
    level.tat_stage = reached
    level.tat_next_check_at = next_check(request, level, calendar)
    if moved:
        _log_stage(request, level, _holders(level), calendar)
    if moved and reached >= BREACHED and level.on_breach == BreachAction.ESCALATE:
        continuity.escalate(request, level, now)
