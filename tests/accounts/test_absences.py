"""Out of office services: the rules, replacing, the delegation chain, the continuity
calls (the stubs set ``moved_at`` / ``returned_at``), the tick duty and the purge."""

from datetime import datetime, timedelta, timezone

import pytest

from momoflow import maintenance
from momoflow.accounts import absences
from momoflow.accounts.models import Absence
from momoflow.errors import Forbidden, NotFound, ValidationFailed
from momoflow.events import Event
from momoflow.jobs import tick
from tests.factories import make_org, make_user

NOW = datetime(2030, 6, 3, 9, tzinfo=timezone.utc)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
EMPLOYEE, MANAGER, JANE, ADMIN = ("employee@company.com", "manager@royalenfield.com", "spectator@royalenfield.com",
                                  "admin@company.com")


@pytest.fixture
def people(demo):
    return demo


def away(people, who, delegate, start=NOW + DAY, end=NOW + 5 * DAY, actor=None, now=NOW, message=None):
    person = people[who]
    return absences.set_absence(actor or person, person, start, end, delegate, message, now=now)


def problems(excinfo):
    return dict(excinfo.value.problems)


# --- setting and replacing ---------------------------------------------------------------


def test_set_an_upcoming_absence(db, people):
    absence = away(people, EMPLOYEE, MANAGER, message="  Back on Monday  ")
    assert (absence.delegate_id, absence.starts_at, absence.ends_at, absence.message) == (
        people[MANAGER].id, NOW + DAY, NOW + 5 * DAY, "Back on Monday")
    assert absence.set_by_id == people[EMPLOYEE].id and absence.moved_at is None
    assert absences.absence_of(people[EMPLOYEE], NOW) is absence


def test_iso_text_in_any_zone_is_read_as_utc(db, people):
    person = people[EMPLOYEE]
    absence = absences.set_absence(person, person, "2030-06-04T09:00:00+05:30", "2030-06-05T18:00:00+05:30",
                                   MANAGER, now=NOW)
    assert absence.starts_at == datetime(2030, 6, 4, 3, 30, tzinfo=timezone.utc)


def test_an_absence_that_covers_now_begins_at_once(db, people):
    absence = away(people, EMPLOYEE, MANAGER, start=NOW - HOUR)
    assert absence.moved_at == NOW and absence.returned_at is None


def test_replacing_one_that_began_ends_it_first_then_begins_again(db, people, monkeypatch):
    from momoflow.workflows import continuity

    calls = []
    began, ended = continuity.absence_began, continuity.absence_ended
    monkeypatch.setattr(continuity, "absence_began", lambda a, now: calls.append(("began", a.delegate_id)) or began(a, now))
    monkeypatch.setattr(continuity, "absence_ended", lambda a, now: calls.append(("ended", a.delegate_id)) or ended(a, now))
    first = away(people, EMPLOYEE, MANAGER, start=NOW - HOUR)
    second = away(people, EMPLOYEE, JANE, start=NOW - HOUR, now=NOW + HOUR)
    assert second is first  # one row per person
    assert calls == [("began", people[MANAGER].id), ("ended", people[MANAGER].id), ("began", people[JANE].id)]
    assert (second.moved_at, second.returned_at) == (NOW + HOUR, None)


def test_replacing_with_a_later_period_waits_for_the_tick(db, people):
    away(people, EMPLOYEE, MANAGER, start=NOW - HOUR)
    later = away(people, EMPLOYEE, MANAGER, start=NOW + DAY)
    assert (later.moved_at, later.returned_at) == (None, None)
    assert db.session.query(Absence).count() == 1


def test_setting_records_absence_set_for_the_delegate(db, people):
    absence = away(people, EMPLOYEE, MANAGER, message="Call me if urgent")
    event = db.session.query(Event).filter_by(type="absence.set").one()
    assert event.subject_id == absence.id and event.actor_id == people[EMPLOYEE].id
    assert event.payload["delegateId"] == str(people[MANAGER].id)
    assert event.payload["userName"] == "Priya Sharma" and event.payload["message"] == "Call me if urgent"


# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("start, end, field, message", [
    (None, NOW + DAY, "start", absences.START_REQUIRED),
    (NOW + DAY, "", "end", absences.END_REQUIRED),
    ("next monday", NOW + DAY, "start", absences.START_INVALID),
    (NOW, "2030-06-09T09:00:00", "end", absences.END_NEEDS_ZONE),
    (NOW + 2 * DAY, NOW + DAY, "end", absences.END_BEFORE_START),
    (NOW + DAY, NOW + DAY, "end", absences.END_BEFORE_START),
    (NOW - 3 * DAY, NOW - DAY, "end", absences.END_IN_PAST),
    (12, ["x"], "start", absences.START_INVALID),
])
def test_dates_are_checked(db, people, start, end, field, message):
    with pytest.raises(ValidationFailed) as excinfo:
        away(people, EMPLOYEE, MANAGER, start=start, end=end)
    assert problems(excinfo)[field] == message


@pytest.mark.parametrize("delegate, message", [
    ("not an email", "Valid email is required"),
    ("ghost@company.com", absences.DELEGATE_UNKNOWN),
    (EMPLOYEE, absences.DELEGATE_IS_SELF),
])
def test_the_delegate_is_someone_else_here(db, people, delegate, message):
    with pytest.raises(ValidationFailed) as excinfo:
        away(people, EMPLOYEE, delegate)
    assert problems(excinfo) == {"delegateEmail": message}


def test_a_delegate_of_another_organisation_or_inactive_is_unknown(db, people):
    make_user(make_org(), email="outsider@elsewhere.com")
    people[JANE].active = False
    for email in ("outsider@elsewhere.com", JANE):
        with pytest.raises(ValidationFailed) as excinfo:
            away(people, EMPLOYEE, email)
        assert problems(excinfo) == {"delegateEmail": absences.DELEGATE_UNKNOWN}


def test_the_message_is_at_most_1000_characters(db, people):
    with pytest.raises(ValidationFailed) as excinfo:
        away(people, EMPLOYEE, MANAGER, message="x" * 1001)
    assert problems(excinfo) == {"message": "Message must be at most 1000 characters"}


def test_a_direct_cycle_is_refused(db, people):
    away(people, JANE, EMPLOYEE, start=NOW + 2 * DAY, end=NOW + 3 * DAY)
    with pytest.raises(ValidationFailed) as excinfo:
        away(people, EMPLOYEE, JANE)
    assert problems(excinfo) == {
        "delegateEmail": "Jane Doe is away then and hands their work to you: choose someone else"}


def test_a_longer_cycle_is_refused_naming_the_way_back(db, people):
    away(people, JANE, MANAGER, start=NOW + 2 * DAY, end=NOW + 3 * DAY)
    away(people, MANAGER, EMPLOYEE, start=NOW + 2 * DAY, end=NOW + 3 * DAY)
    with pytest.raises(ValidationFailed) as excinfo:
        away(people, EMPLOYEE, JANE)
    assert problems(excinfo)["delegateEmail"] == (
        "Jane Doe is away then and their work comes back to you through Arjun Mehta: choose someone else")


def test_no_cycle_when_the_delegates_absence_does_not_overlap(db, people):
    away(people, JANE, EMPLOYEE, start=NOW + 10 * DAY, end=NOW + 12 * DAY)
    assert away(people, EMPLOYEE, JANE).delegate_id == people[JANE].id


def test_only_the_person_or_an_admin_of_their_organisation(db, people):
    with pytest.raises(Forbidden):
        away(people, EMPLOYEE, MANAGER, actor=people[JANE])
    outsider_admin = make_user(make_org(), role=people[ADMIN].role)
    with pytest.raises(Forbidden):
        away(people, EMPLOYEE, MANAGER, actor=outsider_admin)
    assert away(people, EMPLOYEE, MANAGER, actor=people[ADMIN]).set_by_id == people[ADMIN].id
    with pytest.raises(Forbidden):
        absences.clear_absence(people[JANE], people[EMPLOYEE])


def test_person_for_is_admins_only_and_their_organisation_only(db, people):
    with pytest.raises(Forbidden):
        absences.person_for(people[EMPLOYEE], JANE)
    assert absences.person_for(people[ADMIN], "Spectator@RoyalEnfield.com") is people[JANE]
    make_user(make_org(), email="outsider@elsewhere.com")
    for email in ("outsider@elsewhere.com", "ghost@company.com", "\ud800"):
        with pytest.raises(NotFound):
            absences.person_for(people[ADMIN], email)


# --- clearing ------------------------------------------------------------------------------


def test_clearing_one_that_began_gives_the_tasks_back_then_deletes_it(db, people, monkeypatch):
    from momoflow.workflows import continuity

    ended = []
    monkeypatch.setattr(continuity, "absence_ended", lambda a, now: ended.append((a.id, now)))
    absence = away(people, EMPLOYEE, MANAGER, start=NOW - HOUR)
    absences.clear_absence(people[EMPLOYEE], people[EMPLOYEE], now=NOW + HOUR)
    assert ended == [(absence.id, NOW + HOUR)]
    assert db.session.query(Absence).count() == 0


def test_clearing_an_upcoming_one_just_deletes_it(db, people, monkeypatch):
    from momoflow.workflows import continuity

    monkeypatch.setattr(continuity, "absence_ended", lambda a, now: pytest.fail("nothing had moved"))
    away(people, EMPLOYEE, MANAGER)
    absences.clear_absence(people[ADMIN], people[EMPLOYEE], now=NOW)
    assert absences.absence_of(people[EMPLOYEE], NOW) is None


def test_clearing_nothing_is_not_found(db, people):
    with pytest.raises(NotFound):
        absences.clear_absence(people[EMPLOYEE], people[EMPLOYEE], now=NOW)
    away(people, EMPLOYEE, MANAGER)
    with pytest.raises(NotFound):  # it ended: as good as none
        absences.clear_absence(people[EMPLOYEE], people[EMPLOYEE], now=NOW + 6 * DAY)


# --- who is away, and who stands in --------------------------------------------------------


def test_is_absent_during_the_period_only(db, people):
    away(people, EMPLOYEE, MANAGER)
    person = people[EMPLOYEE]
    assert [absences.is_absent(person, moment) for moment in (NOW, NOW + DAY, NOW + 5 * DAY - HOUR, NOW + 5 * DAY)] \
        == [False, True, True, False]


def test_the_chain_follows_delegates_who_are_away_too(db, people, count_queries):
    away(people, EMPLOYEE, JANE)
    away(people, JANE, MANAGER, start=NOW + DAY, end=NOW + 2 * DAY)
    away(people, MANAGER, ADMIN, start=NOW + 12 * HOUR, end=NOW + 3 * DAY)
    db.session.flush()
    with count_queries() as statements:
        chain = absences.delegation_chain(people[EMPLOYEE], NOW + DAY + HOUR)
    assert [person.email for person in chain] == [JANE, MANAGER, ADMIN]
    assert len(statements) == 4  # one per hop, and one to see the last is here
    assert [p.email for p in absences.delegation_chain(people[EMPLOYEE], NOW + 2 * DAY + HOUR)] == [JANE]
    assert absences.delegation_chain(people[EMPLOYEE], NOW) == []  # not away yet


def test_the_chain_stops_before_anyone_comes_round_again(db, people):
    away(people, EMPLOYEE, JANE, start=NOW + DAY, end=NOW + 2 * DAY)
    away(people, JANE, MANAGER, start=NOW + 5 * DAY, end=NOW + 6 * DAY)
    away(people, MANAGER, EMPLOYEE, start=NOW + DAY, end=NOW + 4 * DAY)
    # A cycle the services would refuse, written directly: the chain must still end.
    moved = db.session.query(Absence).filter_by(user_id=people[JANE].id).one()
    moved.starts_at, moved.ends_at = NOW + DAY, NOW + 2 * DAY
    db.session.flush()
    assert [p.email for p in absences.delegation_chain(people[EMPLOYEE], NOW + DAY + HOUR)] == [JANE, MANAGER]


# --- the tick --------------------------------------------------------------------------------


def test_the_tick_begins_and_ends_each_absence_once(db, people):
    absence = away(people, EMPLOYEE, MANAGER)
    assert absences.tick(NOW) == {"began": 0, "ended": 0}
    assert absences.tick(NOW + DAY) == {"began": 1, "ended": 0}
    assert absence.moved_at == NOW + DAY
    assert absences.tick(NOW + 2 * DAY) == {"began": 0, "ended": 0}
    assert absences.tick(NOW + 5 * DAY) == {"began": 0, "ended": 1}
    assert (absence.moved_at, absence.returned_at) == (NOW + DAY, NOW + 5 * DAY)
    assert absences.tick(NOW + 6 * DAY) == {"began": 0, "ended": 0}


def test_an_absence_that_fell_between_two_ticks_is_just_marked_returned(db, people, monkeypatch):
    from momoflow.workflows import continuity

    monkeypatch.setattr(continuity, "absence_ended", lambda a, now: pytest.fail("nothing had moved"))
    absence = away(people, EMPLOYEE, MANAGER, start=NOW + HOUR, end=NOW + 2 * HOUR)
    assert absences.tick(NOW + DAY) == {"began": 0, "ended": 1}
    assert (absence.moved_at, absence.returned_at) == (None, NOW + DAY)


def test_the_tick_runs_the_duty(db, people):
    absence = away(people, EMPLOYEE, MANAGER)
    assert "momoflow.accounts.absences.tick" in tick.DUTIES
    tick.run(NOW + DAY)
    db.session.refresh(absence)
    assert absence.moved_at == NOW + DAY


def test_ended_absences_are_purged_after_30_days(db, people):
    away(people, EMPLOYEE, MANAGER)
    away(people, JANE, MANAGER)
    absences.tick(NOW + 5 * DAY)
    db.session.query(Absence).filter_by(user_id=people[JANE].id).one().returned_at = NOW + 40 * DAY
    db.session.flush()
    assert maintenance.purge(NOW + 36 * DAY)["absences"] == 1
    assert [a.user_id for a in db.session.query(Absence)] == [people[JANE].id]
