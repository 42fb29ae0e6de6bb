"""A generated request's approval levels and one task per approver, in the state its status leaves them.

A third of the levels have 2–5 approvers deciding under ANY, ALL or QUORUM (VETO or
UNREACHABLE); the rest have one. The tasks follow the app's rules (``momoflow.workflows.tasks``):
- a running level (IN_PROGRESS): undecided tasks PENDING with ``due_at`` = its deadline, and
  under ALL/QUORUM some approvals already in; once breached some levels escalate (ESCALATE),
  offering each undecided task to another person (``escalated_to_id``);
- a decided level: the decisions in an order the rule allows, the last one deciding it; the
  tasks nobody needed SUPERSEDED;
- a level not reached yet: PENDING tasks without ``due_at``; a skipped one: SUPERSEDED.
A few tasks are held by a stand-in for an approver who is out of office (``on_behalf_of_id``).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from momoflow.workflows.rules import approvals_needed, level_name_for

TAT_HOURS = (4.5, 8, 24, 24, 48, 48, 72, 120)
MULTI_SHARE = 1 / 3  # levels with several approvers
HELD_SHARE = 0.03  # tasks a stand-in holds for an approver out of office
NAMED_HOLDS_SHARE = 0.1  # a named person's waiting tasks they hold for an absent colleague
ESCALATE_SHARE = 0.1  # breached running levels set to ESCALATE
UNREACHABLE_SHARE = 0.3
REJECTION = "Rejected: the budget line is exhausted this quarter."
REMINDERS = (0.5, 0.75, 1.0)  # of the TAT: the 50 % and 75 % reminders, then the breach


@dataclass
class Cast:
    """Who takes part in one request, as person numbers, all distinct."""

    initiator: int
    levels: list  # each level's approvers, in position order
    spectators: list
    spare: list  # stand-ins and escalation targets, taken as needed
    position: int  # the level a pending, rejected or withdrawn request stopped at
    named: frozenset  # people whose tasks stay theirs (the benchmark's named people)
    escalate_to: int | None = None  # a named person offered a task of the running level
    extra: list = field(default_factory=list)  # spares that ended up holding a task

    def take_spare(self):
        person = self.spare.pop()
        self.extra.append(person)
        return person


@dataclass
class Level:
    id: str
    number: int
    approvers: list
    tat: float
    name: str
    organization_id: str
    mode: str = "ANY"
    min_approvals: int = 1
    policy: str = "VETO"
    on_breach: str = "NOTIFY"
    status: str = "SKIPPED"
    started: datetime | None = None
    deadline: datetime | None = None
    acted: datetime | None = None
    comments: str | None = None

    @property
    def needed(self):
        return approvals_needed(self.mode, self.min_approvals, len(self.approvers))


@dataclass
class Decision:
    """One approver's decision, for the activity log."""

    level: Level
    action: str  # level.approved / level.rejected when it decided the level, else task.*
    actor: int  # person number
    acted: datetime
    task_id: str


def approver_count(rng):
    return rng.randint(2, 5) if rng.random() < MULTI_SHARE else 1


def add_levels(tables, rng, org_id, request_id, people, cast, status, created, now):
    """Every level and task of the request; returns (decisions in order, the last moment)."""
    moment, decisions = created, []
    stop = len(cast.levels) if status == "APPROVED" else cast.position
    for offset, approvers in enumerate(cast.levels):
        level = Level(tables.new_id(), offset + 1, approvers, rng.choice(TAT_HOURS),
                      level_name_for([people[number] for number in approvers], offset + 1), org_id)
        _pick_rule(rng, level)
        reached = offset < stop or (offset == stop and status != "APPROVED")
        holders = list(_holders(rng, cast, people, approvers, reached))
        if offset < stop or (offset == stop and status == "REJECTED"):
            level.started = moment
            level.acted = min(moment + timedelta(hours=rng.uniform(0.2, level.tat * 1.3)), now)
            level.deadline, moment = moment + timedelta(hours=level.tat), level.acted
            level.status = "APPROVED" if offset < stop else "REJECTED"
            decisions += _decided_tasks(tables, rng, request_id, level, holders, created)
        elif offset == stop and status in ("PENDING", "CANCELLED"):
            level.started, level.deadline = moment, moment + timedelta(hours=level.tat)
            if status == "PENDING":
                level.status = "IN_PROGRESS"
                decisions += _running_tasks(tables, rng, request_id, level, holders, cast, people, created, now)
            else:
                _closed_tasks(tables, request_id, level, holders, "SUPERSEDED", created)
        elif status == "PENDING":
            level.status = "PENDING"
            _closed_tasks(tables, request_id, level, holders, "PENDING", created)
        else:
            _closed_tasks(tables, request_id, level, holders, "SUPERSEDED", created)
        _write_level(tables, request_id, level, offset + 1 == len(cast.levels), now)
    return decisions, moment


def _pick_rule(rng, level):
    count = len(level.approvers)
    if count == 1:
        return
    level.mode = rng.choice(("ANY", "ALL", "QUORUM"))
    level.min_approvals = rng.randint(2, count) if level.mode == "QUORUM" else 1
    level.policy = "UNREACHABLE" if rng.random() < UNREACHABLE_SHARE else "VETO"


def _holders(rng, cast, people, approvers, reached):
    """(holder number, holder id, for whom id) per approver: the approver, or a stand-in while
    they are away (a named person stands in for others, never the other way round). Only a
    level that was reached can have stand-ins: tasks move when they become actionable."""
    for person in approvers:
        holder, behalf = person, None
        if reached and person in cast.named:
            if cast.spare and rng.random() < NAMED_HOLDS_SHARE:
                behalf = cast.take_spare()
        elif reached and cast.spare and rng.random() < HELD_SHARE:
            holder, behalf = cast.take_spare(), person
        yield holder, people[holder].id, people[behalf].id if behalf is not None else None


def _decided_tasks(tables, rng, request_id, level, holders, created):
    """Decisions in an order the level's rule allows, the last one deciding it."""
    count, needed = len(holders), level.needed
    if level.status == "APPROVED":
        rejections = rng.randint(0, count - needed) if level.policy == "UNREACHABLE" else 0
        earlier, last = ["APPROVED"] * (needed - 1) + ["REJECTED"] * rejections, "APPROVED"
    else:
        rejections = 1 if level.policy == "VETO" else count - needed + 1
        earlier, last = ["APPROVED"] * rng.randint(0, needed - 1) + ["REJECTED"] * (rejections - 1), "REJECTED"
    rng.shuffle(earlier)
    outcomes = earlier + [last]
    deciders = rng.sample(range(count), len(outcomes))
    span = (level.acted - level.started).total_seconds()
    moments = sorted(level.started + timedelta(seconds=rng.uniform(0, span)) for _ in earlier) + [level.acted]
    decided = dict(zip(deciders, zip(outcomes, moments)))
    decisions = []
    for position, (number, holder, behalf) in enumerate(holders):
        if position not in decided:
            _add_task(tables, request_id, level, position, holder, behalf, "SUPERSEDED", created)
            continue
        outcome, acted = decided[position]
        comments = REJECTION if outcome == "REJECTED" else None
        task_id = _add_task(tables, request_id, level, position, holder, behalf, outcome, created,
                            acted=acted, comments=comments)
        decides = position == deciders[-1]
        if decides:
            level.comments = comments
        action = f"{'level' if decides else 'task'}.{outcome.lower()}"
        decisions.append(Decision(level, action, number, acted, task_id))
    return sorted(decisions, key=lambda decision: decision.acted)


def _running_tasks(tables, rng, request_id, level, holders, cast, people, created, now):
    """PENDING tasks due at the deadline; some approvals in already; escalated once breached."""
    others = [position for position, (holder, _, _) in enumerate(holders) if holder not in cast.named]
    approved = set(rng.sample(others, min(len(others), rng.randint(0, level.needed - 1))))
    breached = level.deadline < now
    if breached and (cast.escalate_to is not None or rng.random() < ESCALATE_SHARE):
        level.on_breach = "ESCALATE"
    offered = [cast.escalate_to] if cast.escalate_to is not None else []
    decisions = []
    for position, (number, holder, behalf) in enumerate(holders):
        if position in approved:
            acted = level.started + timedelta(seconds=rng.uniform(0, (now - level.started).total_seconds()))
            task_id = _add_task(tables, request_id, level, position, holder, behalf, "APPROVED", created,
                                acted=acted)
            decisions.append(Decision(level, "task.approved", number, acted, task_id))
            continue
        escalated_to = None
        if level.on_breach == "ESCALATE":
            escalated_to = offered.pop() if offered else (cast.take_spare() if cast.spare else None)
            escalated_to = people[escalated_to].id if escalated_to is not None else None
        _add_task(tables, request_id, level, position, holder, behalf, "PENDING", created, due=level.deadline,
                  escalated_to=escalated_to, escalated_at=level.deadline if level.on_breach == "ESCALATE" else None)
    return sorted(decisions, key=lambda decision: decision.acted)


def _closed_tasks(tables, request_id, level, holders, status, created):
    for position, (_, holder, behalf) in enumerate(holders):
        _add_task(tables, request_id, level, position, holder, behalf, status, created)


def _add_task(tables, request_id, level, position, holder, behalf, status, created, *, due=None, acted=None,
              comments=None, escalated_to=None, escalated_at=None):
    task_id = tables.new_id()
    tables.add("approval_tasks", task_id, request_id, level.id, position, holder, behalf,
               "out_of_office" if behalf is not None else None, escalated_to, escalated_at, status, due, acted,
               holder if acted else None, comments, created)
    if acted is not None and status in ("APPROVED", "REJECTED"):
        # What approval analytics keep of a decision: calendar seconds from the level's start
        # stand in for the TAT clock's working time here; on time is by the level's deadline.
        tables.add("approval_decisions", task_id, level.organization_id, request_id, acted, holder,
                   behalf is not None, level.name.lower(), level.name, level.tat,
                   round((acted - level.started).total_seconds()), acted <= level.deadline)
    return task_id


def _write_level(tables, request_id, level, is_final, now):
    stage, next_check = _tat_progress(level, now)
    tables.add("approval_levels", level.id, request_id, level.number, level.name,
               level.tat, is_final, level.status, level.started, level.deadline, stage, next_check, level.acted,
               level.comments, level.mode, level.min_approvals, level.policy, level.on_breach)


def _tat_progress(level, now):
    """(tat_stage, tat_next_check_at) of a running level: reminders sent so far, the next one due."""
    if level.status != "IN_PROGRESS":
        return 0, None
    elapsed = (now - level.started) / timedelta(hours=level.tat)
    stage = sum(1 for share in REMINDERS if elapsed >= share)
    if stage == len(REMINDERS):
        return stage, None
    return stage, level.started + timedelta(hours=level.tat * REMINDERS[stage])

