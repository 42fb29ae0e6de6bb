"""Fill the benchmark database: one organisation, 100k people, 100k requests, 500k levels.

Run ``python -m bench.workflows.generate``. The database is emptied first and the same seed gives
the same rows every time. Rows are built as COPY text in Python and loaded with
``cursor.copy`` into tables whose keys and indexes are rebuilt afterwards (``bench.common.load``),
so PostgreSQL checks every constraint over the whole load at once.

Besides the crowd there are three named people (see ``bench.workflows.config``): a heavy approver
with 3,000 levels waiting on them and thousands decided, a typical approver with a
handful, and an admin for the "all" view.
"""

import json
from collections import Counter
from datetime import datetime, timedelta, timezone


from bench.common.config import database_url
from bench.workflows.config import ADMIN_EMAIL, EMAIL_DOMAIN, HEAVY_EMAIL, ORG_SLUG, TYPICAL_EMAIL
from bench.common.load import generate
from bench.common.rows import COLUMNS, FIRST_NAMES, LAST_NAMES, JOBS, Person, comment_text, title_text
from momoflow.workflows.rules import level_name_for

SEED = 20261122
PEOPLE = 100_000
REQUESTS = 100_000
LEVELS = 500_000
PENDING_SHARE = 0.15
HEAVY_INBOX, TYPICAL_INBOX = 3_000, 5
HEAVY, TYPICAL, ADMIN = 0, 1, 2  # person numbers; everyone from 3 up is the crowd
ANCHOR = datetime(2026, 11, 21, 9, 0, tzinfo=timezone.utc)  # "now" for the generated history
TAT_HOURS = (4.5, 8, 24, 24, 48, 48, 72, 120)
CLOSED_STATUSES, CLOSED_WEIGHTS = ("APPROVED", "REJECTED", "CANCELLED"), (65, 20, 15)

# Which requests the named people take part in, and how: (role, person, pending count, closed count).
SPECIAL_ROLES = (
    ("inbox", HEAVY, HEAVY_INBOX, 0), ("inbox", TYPICAL, TYPICAL_INBOX, 0),
    ("decided", HEAVY, 0, 8_000), ("decided", TYPICAL, 0, 40),
    ("initiator", HEAVY, 100, 1_400), ("initiator", TYPICAL, 2, 10),
    ("spectator", HEAVY, 200, 1_300), ("spectator", TYPICAL, 2, 4),
)


def main():
    generate(database_url(), SEED, _build, COLUMNS)


def _build(tables, rng):
    org_id = tables.new_id()
    people = _add_people(tables, rng, org_id)
    _add_requests(tables, rng, org_id, people)


# --- people ------------------------------------------------------------------------


def _add_people(tables, rng, org_id):
    joined = ANCHOR - timedelta(days=730)
    tables.add("organizations", org_id, ORG_SLUG, "Bench Corporation", "enterprise", joined)
    named = {HEAVY: (HEAVY_EMAIL, "manager"), TYPICAL: (TYPICAL_EMAIL, "employee"), ADMIN: (ADMIN_EMAIL, "admin")}
    people = []
    for number in range(PEOPLE):
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


def _add_requests(tables, rng, org_id, people):
    statuses = _statuses(rng)
    roles = _special_roles(rng, statuses)
    level_counts = _level_counts(rng)
    created = [_created_at(rng, status) for status in statuses]
    numbers = _request_numbers(tables, org_id, created)
    for index in range(REQUESTS):
        cast = _cast(rng, level_counts[index], roles.get(index))
        _add_request(tables, rng, org_id, people, statuses[index], created[index], numbers[index], cast)


def _statuses(rng):
    pending = int(REQUESTS * PENDING_SHARE)
    closed = rng.choices(CLOSED_STATUSES, CLOSED_WEIGHTS, k=REQUESTS - pending)
    statuses = ["PENDING"] * pending + closed
    rng.shuffle(statuses)
    return statuses


def _special_roles(rng, statuses):
    """request index -> (role, person) for the named people; each request gets at most one."""
    pending = [i for i, status in enumerate(statuses) if status == "PENDING"]
    closed = [i for i, status in enumerate(statuses) if status != "PENDING"]
    rng.shuffle(pending)
    rng.shuffle(closed)
    roles = {}
    for role, person, pending_count, closed_count in SPECIAL_ROLES:
        for index in pending[:pending_count] + closed[:closed_count]:
            roles[index] = (role, person)
        del pending[:pending_count], closed[:closed_count]
    return roles


def _level_counts(rng):
    """1–10 levels each, trimmed at random until they add up to exactly LEVELS."""
    counts = [rng.randint(1, 10) for _ in range(REQUESTS)]
    excess = sum(counts) - LEVELS
    while excess > 0:
        index = rng.randrange(REQUESTS)
        if counts[index] > 1:
            counts[index] -= 1
            excess -= 1
    return counts


def _created_at(rng, status):
    days = rng.uniform(0.05, 30) if status == "PENDING" else rng.uniform(2, 365)
    return ANCHOR - timedelta(days=days)


def _request_numbers(tables, org_id, created):
    """REQ-YYYY-MM-NNNN in creation order, and the monthly counters that continue them."""
    numbers, per_month = [None] * REQUESTS, Counter()
    for index in sorted(range(REQUESTS), key=created.__getitem__):
        period = created[index].strftime("%Y-%m")
        per_month[period] += 1
        numbers[index] = f"REQ-{period}-{per_month[period]:04d}"
    for period, last_value in sorted(per_month.items()):
        tables.add("request_number_counters", org_id, period, last_value)
    return numbers


def _cast(rng, level_count, special):
    """(initiator, approvers, spectators, current position) as person numbers, all distinct."""
    spectator_count = rng.choice((0, 0, 1, 1, 2, 3))
    crowd = rng.sample(range(ADMIN + 1, PEOPLE), level_count + spectator_count + 1)
    initiator, approvers, spectators = crowd[0], crowd[1:level_count + 1], crowd[level_count + 1:]
    position = rng.randrange(level_count)  # the level a pending/rejected/withdrawn request stopped at
    role, person = special or (None, None)
    if role == "inbox":
        approvers[position] = person
    elif role == "decided":
        approvers[rng.randrange(level_count)] = person
    elif role == "initiator":
        initiator = person
    elif role == "spectator":
        spectators.append(person)
    return initiator, approvers, spectators, position


def _add_request(tables, rng, org_id, people, status, created, number, cast):
    initiator_number, approver_numbers, spectator_numbers, position = cast
    initiator = people[initiator_number]
    request_id = tables.new_id()
    levels, moment = _add_levels(tables, rng, request_id, people, approver_numbers, status, position, created)
    closed_at = None if status == "PENDING" else moment
    tables.add("workflow_requests", request_id, org_id, number, rng.choice(("CUSTOM", "CUSTOM", "TEMPLATE")),
               title_text(rng, initiator), f"Raised by {initiator.display_name} ({initiator.department}); "
               "details and quotations attached to the request.",
               "EXPRESS" if rng.random() < 0.15 else "STANDARD", status, initiator.id,
               position + 1 if status == "PENDING" else None, len(approver_numbers), created, moment, closed_at)
    _add_participants(tables, request_id, people, cast, created)
    approvers = [people[number] for number in approver_numbers]
    _add_activities(tables, request_id, initiator, approvers, status, levels, created, moment)
    _add_comments(tables, rng, request_id, people, cast, created, moment)


def _add_levels(tables, rng, request_id, people, approver_numbers, status, position, created):
    """The levels in the state ``status`` leaves them; returns (decided levels, last moment)."""
    moment, decided = created, []
    stop = len(approver_numbers) if status == "APPROVED" else position
    for offset, approver_number in enumerate(approver_numbers):
        approver, tat = people[approver_number], rng.choice(TAT_HOURS)
        level_id, started, deadline, acted, level_status = tables.new_id(), None, None, None, "SKIPPED"
        if offset < stop or (offset == stop and status == "REJECTED"):
            started, acted = moment, min(moment + timedelta(hours=rng.uniform(0.2, tat * 1.3)), ANCHOR)
            level_status = "APPROVED" if offset < stop else "REJECTED"
            deadline, moment = started + timedelta(hours=tat), acted
            decided.append((level_id, offset + 1, level_status, approver, acted))
        elif offset == stop and status in ("PENDING", "CANCELLED"):
            started = moment
            deadline = started + timedelta(hours=tat)
            level_status = "IN_PROGRESS" if status == "PENDING" else "SKIPPED"
        elif status == "PENDING":
            level_status = "PENDING"
        comments = "Rejected: the budget line is exhausted this quarter." if level_status == "REJECTED" else None
        tables.add("approval_levels", level_id, request_id, offset + 1, level_name_for(approver, offset + 1),
                   approver.id, tat, offset + 1 == len(approver_numbers), level_status, started, deadline,
                   acted, comments)
    if status == "CANCELLED":
        moment = min(moment + timedelta(hours=rng.uniform(0.5, 48)), ANCHOR)
    return decided, moment


def _add_participants(tables, request_id, people, cast, created):
    initiator_number, approver_numbers, spectator_numbers, _ = cast
    initiator = people[initiator_number]
    groups = (("INITIATOR", [initiator_number]), ("APPROVER", approver_numbers), ("SPECTATOR", spectator_numbers))
    for kind, numbers in groups:
        for number in numbers:
            tables.add("participants", tables.new_id(), request_id, people[number].id, kind, True, True,
                       kind != "SPECTATOR", initiator.id, created)


def _add_activities(tables, request_id, initiator, approvers, status, levels, created, moment):
    tables.add("activities", tables.new_id(), request_id, initiator.id, "workflow.created",
               f"{initiator.display_name} created the request with {len(approvers)} approval levels",
               json.dumps({"approvers": [approver.email for approver in approvers]}), created)
    for level_id, number, level_status, approver, acted in levels:
        verb = level_status.lower()
        details = json.dumps({"levelId": level_id, "levelNumber": number})
        tables.add("activities", tables.new_id(), request_id, approver.id, f"level.{verb}",
                   f"{approver.display_name} {verb} level {number}", details, acted)
    if status != "PENDING":
        action = {"APPROVED": "workflow.approved", "REJECTED": "workflow.rejected",
                  "CANCELLED": "workflow.withdrawn"}[status]
        actor = initiator if status == "CANCELLED" else levels[-1][3]
        tables.add("activities", tables.new_id(), request_id, actor.id, action,
                   f"Request {status.lower()} by {actor.display_name}", "{}", moment)


def _add_comments(tables, rng, request_id, people, cast, created, moment):
    if rng.random() > 0.25:
        return
    initiator_number, approver_numbers, _, _ = cast
    span = max((moment - created).total_seconds(), 60.0)
    for _ in range(rng.randint(1, 3)):
        author = people[rng.choice([initiator_number, *approver_numbers])]
        tables.add("comments", tables.new_id(), request_id, author.id, comment_text(rng),
                   created + timedelta(seconds=rng.uniform(0, span)))


if __name__ == "__main__":
    main()
