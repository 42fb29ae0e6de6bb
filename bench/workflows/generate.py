"""Fill the benchmark database: one organisation, 100k people, 100k requests, 500k levels and
one approval task per approver of each level (a third of the levels have several approvers).

Run ``python -m bench.workflows.generate``. The database is emptied first and the same seed gives
the same rows every time. Rows are built as COPY text in Python and loaded with
``cursor.copy`` into tables whose keys and indexes are rebuilt afterwards (``bench.common.load``),
so PostgreSQL checks every constraint over the whole load at once. ``BENCH_SCALE`` (default 1)
shrinks everything for a quick try (the named people's counts of 10 or fewer stay as they are).

Besides the crowd there are three named people (see ``bench.workflows.config``): a heavy approver
with 3,000 tasks waiting on them (100 of them escalated to them, one in a level of 20
approvers) and thousands decided, a typical approver with a handful, and an admin for the
"all" view. The levels and tasks themselves are made in ``bench.workflows.levels``.
"""

import json
import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bench.common.config import database_url
from bench.common.load import generate
from bench.common.rows import COLUMNS, FIRST_NAMES, JOBS, LAST_NAMES, Person, comment_text, title_text
from bench.workflows.config import ADMIN_EMAIL, EMAIL_DOMAIN, HEAVY_EMAIL, ORG_SLUG, TYPICAL_EMAIL
from bench.workflows.levels import Cast, add_levels, approver_count

SEED = 20261122
PEOPLE = 100_000
REQUESTS = 100_000
LEVELS = 500_000
PENDING_SHARE = 0.15
HEAVY, TYPICAL, ADMIN = 0, 1, 2  # person numbers; everyone from 3 up is the crowd
NAMED = frozenset((HEAVY, TYPICAL, ADMIN))
ANCHOR = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)  # "now" for the generated history
CLOSED_STATUSES, CLOSED_WEIGHTS = ("APPROVED", "REJECTED", "CANCELLED"), (65, 20, 15)
WIDE_LEVEL = 20  # approvers in the "wide" request's running level (the most a level may have)
SPARE_PEOPLE = 3  # per request, for stand-ins and escalations
BREACHED_AGE = timedelta(days=6)  # a first level started this long ago is past any TAT

# Which requests the named people take part in, and how: (role, person, pending count, closed count).
# "inbox": holds a task of the running level; "wide": the same in a level of WIDE_LEVEL approvers;
# "escalated": a breached task of someone else is offered to them.
SPECIAL_ROLES = (
    ("inbox", HEAVY, 2_899, 0), ("wide", HEAVY, 1, 0), ("escalated", HEAVY, 100, 0),
    ("inbox", TYPICAL, 5, 0),
    ("decided", HEAVY, 0, 8_000), ("decided", TYPICAL, 0, 40),
    ("initiator", HEAVY, 100, 1_400), ("initiator", TYPICAL, 2, 10),
    ("spectator", HEAVY, 200, 1_300), ("spectator", TYPICAL, 2, 4),
)


@dataclass(frozen=True)
class Sizes:
    people: int
    requests: int
    levels: int
    scale: float

    def count(self, number):
        return number if number <= 10 else max(1, round(number * self.scale))


def sizes(scale):
    return Sizes(max(1_000, round(PEOPLE * scale)), round(REQUESTS * scale), round(LEVELS * scale), scale)


def main():
    size = sizes(float(os.environ.get("BENCH_SCALE", "1")))
    generate(database_url(), SEED, lambda tables, rng: _build(tables, rng, size), COLUMNS)


def _build(tables, rng, size):
    org_id = tables.new_id()
    people = _add_people(tables, rng, org_id, size)
    _add_requests(tables, rng, org_id, people, size)


# --- people ------------------------------------------------------------------------


def _add_people(tables, rng, org_id, size):
    joined = ANCHOR - timedelta(days=730)
    tables.add("organizations", org_id, ORG_SLUG, "Bench Corporation", "enterprise", joined)
    named = {HEAVY: (HEAVY_EMAIL, "manager"), TYPICAL: (TYPICAL_EMAIL, "employee"), ADMIN: (ADMIN_EMAIL, "admin")}
    people = []
    for number in range(size.people):
        email, role = named.get(number) or (f"person{number:06d}@{EMAIL_DOMAIN}",
                                            "manager" if rng.random() < 0.1 else "employee")
        designation, department = rng.choice(JOBS)
        person = Person(tables.new_id(), email, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        designation if rng.random() < 0.9 else None, department)
        tables.add("users", person.id, org_id, email, person.display_name, person.designation, department,
                   role, None, "local", True, None, None, joined, joined)
        people.append(person)
    return people


# --- requests ----------------------------------------------------------------------


def _add_requests(tables, rng, org_id, people, size):
    statuses = _statuses(rng, size)
    created = [_created_at(rng, status) for status in statuses]
    roles = _special_roles(rng, statuses, created, size)
    level_counts = _level_counts(rng, size)
    numbers = _request_numbers(tables, org_id, created)
    for index in range(size.requests):
        cast = _cast(rng, size, level_counts[index], roles.get(index))
        _add_request(tables, rng, org_id, people, statuses[index], created[index], numbers[index], cast)


def _statuses(rng, size):
    pending = int(size.requests * PENDING_SHARE)
    closed = rng.choices(CLOSED_STATUSES, CLOSED_WEIGHTS, k=size.requests - pending)
    statuses = ["PENDING"] * pending + closed
    rng.shuffle(statuses)
    return statuses


def _special_roles(rng, statuses, created, size):
    """request index -> (role, person) for the named people; each request gets at most one.
    Escalated tasks are in requests old enough for their first level to be breached."""
    old = ANCHOR - BREACHED_AGE
    pending = [i for i, status in enumerate(statuses) if status == "PENDING"]
    closed = [i for i, status in enumerate(statuses) if status != "PENDING"]
    rng.shuffle(pending)
    rng.shuffle(closed)
    roles = {}
    for role, person, pending_count, closed_count in SPECIAL_ROLES:
        pending_count, closed_count = size.count(pending_count), size.count(closed_count)
        chosen = [i for i in pending if created[i] < old][:pending_count] if role == "escalated" \
            else pending[:pending_count]
        for index in chosen + closed[:closed_count]:
            roles[index] = (role, person)
        taken = set(chosen)
        pending = [i for i in pending if i not in taken]
        del closed[:closed_count]
    return roles


def _level_counts(rng, size):
    """1–10 levels each, trimmed at random until they add up to exactly ``size.levels``."""
    counts = [rng.randint(1, 10) for _ in range(size.requests)]
    excess = sum(counts) - size.levels
    while excess > 0:
        index = rng.randrange(size.requests)
        if counts[index] > 1:
            counts[index] -= 1
            excess -= 1
    return counts


def _created_at(rng, status):
    days = rng.uniform(0.05, 30) if status == "PENDING" else rng.uniform(2, 365)
    return ANCHOR - timedelta(days=days)


def _request_numbers(tables, org_id, created):
    """REQ-YYYY-MM-NNNN in creation order, and the monthly counters that continue them."""
    numbers, per_month = [None] * len(created), Counter()
    for index in sorted(range(len(created)), key=created.__getitem__):
        period = created[index].strftime("%Y-%m")
        per_month[period] += 1
        numbers[index] = f"REQ-{period}-{per_month[period]:04d}"
    for period, last_value in sorted(per_month.items()):
        tables.add("request_number_counters", org_id, period, last_value)
    return numbers


def _cast(rng, size, level_count, special):
    """Everyone in one request, as person numbers, all distinct."""
    role, person = special or (None, None)
    approver_counts = [approver_count(rng) for _ in range(level_count)]
    position = 0 if role == "escalated" else rng.randrange(level_count)
    if role == "wide":
        approver_counts[position] = WIDE_LEVEL
    spectator_count = rng.choice((0, 0, 1, 1, 2, 3))
    total = sum(approver_counts)
    crowd = rng.sample(range(ADMIN + 1, size.people), 1 + total + spectator_count + SPARE_PEOPLE)
    cast = Cast(crowd[0], [], crowd[1 + total:1 + total + spectator_count], crowd[1 + total + spectator_count:],
                position, NAMED)
    start = 1
    for count in approver_counts:
        cast.levels.append(crowd[start:start + count])
        start += count
    if role in ("inbox", "wide"):
        _take_place(rng, cast.levels[position], person)
    elif role == "decided":
        _take_place(rng, rng.choice(cast.levels), person)
    elif role == "escalated":
        cast.escalate_to = person
    elif role == "initiator":
        cast.initiator = person
    elif role == "spectator":
        cast.spectators.append(person)
    return cast


def _take_place(rng, approvers, person):
    approvers[rng.randrange(len(approvers))] = person


def _add_request(tables, rng, org_id, people, status, created, number, cast):
    initiator = people[cast.initiator]
    request_id = tables.new_id()
    decisions, moment = add_levels(tables, rng, org_id, request_id, people, cast, status, created, ANCHOR)
    if status == "CANCELLED":
        moment = min(moment + timedelta(hours=rng.uniform(0.5, 48)), ANCHOR)
    closed_at = None if status == "PENDING" else moment
    tables.add("workflow_requests", request_id, org_id, number, rng.choice(("CUSTOM", "CUSTOM", "TEMPLATE")),
               title_text(rng, initiator), f"Raised by {initiator.display_name} ({initiator.department}); "
               "details and quotations attached to the request.",
               "EXPRESS" if rng.random() < 0.15 else "STANDARD", status, initiator.id,
               cast.position + 1 if status == "PENDING" else None, len(cast.levels), created,
               max(moment, *(decision.acted for decision in decisions)) if decisions else moment, closed_at)
    _add_participants(tables, request_id, people, cast, created)
    _add_activities(tables, request_id, people, cast, status, decisions, created, moment)
    _add_comments(tables, rng, request_id, people, cast, created, moment)


def _approvers(cast):
    return [person for level in cast.levels for person in level]


def _add_participants(tables, request_id, people, cast, created):
    """Whoever holds or held a task is an approver (stand-ins and escalation targets too)."""
    initiator = people[cast.initiator]
    taking_part = _approvers(cast) + cast.extra + ([cast.escalate_to] if cast.escalate_to is not None else [])
    groups = (("INITIATOR", [cast.initiator]), ("APPROVER", taking_part), ("SPECTATOR", cast.spectators))
    for kind, numbers in groups:
        for number in numbers:
            tables.add("participants", tables.new_id(), request_id, people[number].id, kind, True, True,
                       kind != "SPECTATOR", initiator.id, created)


def _add_activities(tables, request_id, people, cast, status, decisions, created, moment):
    initiator = people[cast.initiator]
    tables.add("activities", tables.new_id(), request_id, initiator.id, "workflow.created",
               f"{initiator.display_name} created the request with {len(cast.levels)} approval levels",
               json.dumps({"approvers": [people[number].email for number in _approvers(cast)]}), created)
    for decision in decisions:
        actor, verb = people[decision.actor], decision.action.split(".")[1]
        details = json.dumps({"levelId": decision.level.id, "levelNumber": decision.level.number,
                              "taskId": decision.task_id})
        tables.add("activities", tables.new_id(), request_id, actor.id, decision.action,
                   f"{actor.display_name} {verb} level {decision.level.number}", details, decision.acted)
    if status != "PENDING":
        action = {"APPROVED": "workflow.approved", "REJECTED": "workflow.rejected",
                  "CANCELLED": "workflow.withdrawn"}[status]
        actor = initiator if status == "CANCELLED" else people[decisions[-1].actor]
        tables.add("activities", tables.new_id(), request_id, actor.id, action,
                   f"Request {status.lower()} by {actor.display_name}", "{}", moment)


def _add_comments(tables, rng, request_id, people, cast, created, moment):
    if rng.random() > 0.25:
        return
    span = max((moment - created).total_seconds(), 60.0)
    authors = [cast.initiator, *_approvers(cast)]
    for _ in range(rng.randint(1, 3)):
        author = people[rng.choice(authors)]
        tables.add("comments", tables.new_id(), request_id, author.id, comment_text(rng),
                   created + timedelta(seconds=rng.uniform(0, span)))


if __name__ == "__main__":
    main()
