"""TAT arithmetic on working and calendar clocks (pure functions, no app needed)."""

import random
import time as clock
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from momoflow.worktime import (
    DEFAULT_CALENDAR,
    CalendarSettingsError,
    WorkCalendar,
    add_calendar_hours,
    add_working_hours,
    checkpoint,
    deadline,
    working_hours_between,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
EVERY_DAY = frozenset(range(1, 8))


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def local(zone, *parts):
    """A wall-clock time in ``zone``, as the UTC instant the functions take."""
    return datetime(*parts, tzinfo=zone).astimezone(timezone.utc)


# --- add_working_hours ------------------------------------------------------------


def test_friday_afternoon_rolls_over_the_weekend():
    friday_4pm = utc(2025, 6, 6, 16)
    assert add_working_hours(DEFAULT_CALENDAR, friday_4pm, 2) == utc(2025, 6, 9, 10)


def test_start_on_saturday_counts_from_monday_morning():
    saturday = utc(2025, 6, 7, 11, 30)
    assert add_working_hours(DEFAULT_CALENDAR, saturday, 3) == utc(2025, 6, 9, 12)


def test_start_before_opening_and_after_closing():
    assert add_working_hours(DEFAULT_CALENDAR, utc(2025, 6, 9, 6), 1) == utc(2025, 6, 9, 10)
    assert add_working_hours(DEFAULT_CALENDAR, utc(2025, 6, 9, 20), 1) == utc(2025, 6, 10, 10)


def test_using_up_a_day_exactly_ends_at_closing_time():
    assert add_working_hours(DEFAULT_CALENDAR, utc(2025, 6, 9, 9), 8) == utc(2025, 6, 9, 17)


def test_zero_hours_is_the_next_working_moment():
    assert add_working_hours(DEFAULT_CALENDAR, utc(2025, 6, 7, 12), 0) == utc(2025, 6, 9, 9)


def test_holidays_are_skipped():
    calendar = WorkCalendar(holidays=frozenset({date(2025, 6, 9)}))
    assert add_working_hours(calendar, utc(2025, 6, 6, 16), 2) == utc(2025, 6, 10, 10)


def test_local_working_hours_in_the_calendar_time_zone():
    calendar = WorkCalendar(timezone="Europe/London")  # BST in June: 09:00 local is 08:00 UTC
    assert add_working_hours(calendar, utc(2025, 6, 6, 15), 2) == utc(2025, 6, 9, 9)


@pytest.mark.parametrize("hours, expected", [
    (Decimal("1.5"), utc(2025, 6, 9, 10, 30)),
    (0.25, utc(2025, 6, 9, 9, 15)),
    ("0.1", utc(2025, 6, 9, 9, 6)),
    (Decimal("8.5"), utc(2025, 6, 10, 9, 30)),
])
def test_fractional_hours(hours, expected):
    assert add_working_hours(DEFAULT_CALENDAR, utc(2025, 6, 9, 9), hours) == expected


@pytest.mark.parametrize("zone_name, friday, monday", [
    # Spring forward on the weekend: Monday 10:00 is an hour earlier in UTC than Friday's.
    ("Europe/London", (2025, 3, 28, 16), (2025, 3, 31, 10)),
    ("America/New_York", (2025, 3, 7, 16), (2025, 3, 10, 10)),
    # Fall back on the weekend.
    ("Europe/London", (2025, 10, 24, 16), (2025, 10, 27, 10)),
    ("America/New_York", (2025, 10, 31, 16), (2025, 11, 3, 10)),
])
def test_weekend_dst_change_keeps_local_office_hours(zone_name, friday, monday):
    zone = ZoneInfo(zone_name)
    calendar = WorkCalendar(timezone=zone_name)
    assert add_working_hours(calendar, local(zone, *friday), 2) == local(zone, *monday)


@pytest.mark.parametrize("zone, day", [
    (LONDON, date(2025, 3, 30)),
    (LONDON, date(2025, 10, 26)),
    (NEW_YORK, date(2025, 3, 9)),
    (NEW_YORK, date(2025, 11, 2)),
])
def test_a_dst_day_is_still_eight_working_hours(zone, day):
    calendar = WorkCalendar(timezone=zone.key, workdays=EVERY_DAY)
    midnight = local(zone, day.year, day.month, day.day)
    next_midnight = local(zone, *(day + timedelta(days=1)).timetuple()[:3])
    assert working_hours_between(calendar, midnight, next_midnight) == 8
    start_of_day = add_working_hours(calendar, midnight, 0)
    assert add_working_hours(calendar, start_of_day, 8) == local(zone, day.year, day.month, day.day, 17)


def test_a_dst_change_inside_working_hours_counts_the_hours_that_really_passed():
    calendar = WorkCalendar(timezone="Europe/London", workdays=EVERY_DAY, day_start=time(0, 30), day_end=time(3))
    day, next_day = local(LONDON, 2025, 3, 30), local(LONDON, 2025, 3, 31)  # clocks jump from 01:00 to 02:00
    assert working_hours_between(calendar, day, next_day) == 1.5


def test_a_large_tat_is_fast_and_exact():
    monday = utc(2025, 6, 2, 9)
    began = clock.perf_counter()
    end = add_working_hours(DEFAULT_CALENDAR, monday, 1000)  # 125 working days, 25 weeks
    for _ in range(10):
        add_working_hours(WorkCalendar(timezone="America/New_York"), monday, 8760)
    assert clock.perf_counter() - began < 0.5
    assert end == monday + timedelta(weeks=24, days=4, hours=8)


# --- working_hours_between --------------------------------------------------------


def test_between_counts_only_working_time():
    assert working_hours_between(DEFAULT_CALENDAR, utc(2025, 6, 6, 16), utc(2025, 6, 9, 10)) == 2
    assert working_hours_between(DEFAULT_CALENDAR, utc(2025, 6, 7, 0), utc(2025, 6, 8, 23)) == 0


def test_between_is_zero_when_end_is_not_later():
    moment = utc(2025, 6, 9, 12)
    assert working_hours_between(DEFAULT_CALENDAR, moment, moment) == 0
    assert working_hours_between(DEFAULT_CALENDAR, moment, moment - timedelta(hours=5)) == 0


def test_round_trip_on_random_starts():
    calendar = WorkCalendar.from_settings(
        timezone="Europe/London", holidays="2025-12-25\n2025-12-26\n2026-01-01\n2026-04-03")
    rng = random.Random(20250601)
    for _ in range(300):
        start = utc(2025, 1, 1) + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        hours = Decimal(rng.randrange(1, 400 * 60)) / 60
        end = add_working_hours(calendar, start, hours)
        assert working_hours_between(calendar, start, end) == pytest.approx(float(hours), abs=1e-9)
        back = add_working_hours(calendar, start, working_hours_between(calendar, start, end))
        assert abs(back - end) <= timedelta(microseconds=1)


# --- priorities: deadline and checkpoint -------------------------------------------


def test_express_counts_calendar_hours():
    calendar = WorkCalendar(timezone="America/New_York")
    start = local(NEW_YORK, 2025, 3, 8, 22)  # Saturday night before the spring-forward
    assert deadline("EXPRESS", calendar, start, 10) == start + timedelta(hours=10)
    assert deadline("EXPRESS", calendar, start, 10) == add_calendar_hours(start, 10)
    assert checkpoint("EXPRESS", calendar, start, 10, 0.75) == start + timedelta(hours=7, minutes=30)


def test_standard_checkpoints_use_working_hours():
    monday = utc(2025, 6, 9, 9)
    assert checkpoint("STANDARD", DEFAULT_CALENDAR, monday, 16, 0.5) == utc(2025, 6, 9, 17)
    assert checkpoint("STANDARD", DEFAULT_CALENDAR, monday, 16, 0.75) == utc(2025, 6, 10, 13)
    assert checkpoint("STANDARD", DEFAULT_CALENDAR, monday, 16, 1.0) == utc(2025, 6, 10, 17)
    assert deadline("STANDARD", DEFAULT_CALENDAR, monday, 16) == utc(2025, 6, 10, 17)


def test_unknown_priority_is_refused():
    with pytest.raises(ValueError, match="STANDARD or EXPRESS"):
        deadline("URGENT", DEFAULT_CALENDAR, utc(2025, 6, 9, 9), 8)


@pytest.mark.parametrize("hours", [-1, "soon", float("nan")])
def test_bad_hours_are_refused(hours):
    with pytest.raises(ValueError, match="hours"):
        deadline("STANDARD", DEFAULT_CALENDAR, utc(2025, 6, 9, 9), hours)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_hours(DEFAULT_CALENDAR, datetime(2025, 6, 9, 9), 1)


# --- settings ---------------------------------------------------------------------


def test_from_settings_parses_what_an_admin_types():
    calendar = WorkCalendar.from_settings(
        timezone=" Asia/Dubai ", workdays="Sun - Thu", hours="8:30-16:30",
        holidays="2025-12-02  # National Day\n\n2025-12-03, 2026-01-01")
    assert calendar == WorkCalendar(
        timezone="Asia/Dubai", workdays=frozenset({7, 1, 2, 3, 4}), day_start=time(8, 30), day_end=time(16, 30),
        holidays=frozenset({date(2025, 12, 2), date(2025, 12, 3), date(2026, 1, 1)}))


@pytest.mark.parametrize("text", ["mon,tue,wed,thu,fri", "1-5", "mon-fri", "Monday Tuesday wed thurs FRI"])
def test_workday_spellings(text):
    assert WorkCalendar.from_settings(workdays=text).workdays == {1, 2, 3, 4, 5}


def test_blank_settings_keep_the_defaults():
    assert WorkCalendar.from_settings("", " ", None, "") == DEFAULT_CALENDAR
    assert WorkCalendar.from_settings(holidays=["2025-12-25"]).holidays == {date(2025, 12, 25)}


@pytest.mark.parametrize("settings, field, message", [
    ({"timezone": "Europe/Londn"}, "timezone", '"Europe/Londn" is not a known time zone'),
    ({"timezone": "europe/london"}, "timezone", 'Did you mean "Europe/London"'),
    ({"workdays": "mon,tus"}, "workdays", '"tus" is not a weekday'),
    ({"workdays": "mon-"}, "workdays", '"mon-" is not a weekday'),
    ({"workdays": "0,1"}, "workdays", '"0" is not a weekday'),
    ({"workdays": ","}, "workdays", "at least one working day"),
    ({"hours": "17:00-09:00"}, "hours", "must start before it ends, got 17:00-09:00"),
    ({"hours": "nine to five"}, "hours", '"nine to five" is not a range like 09:00-17:00'),
    ({"hours": "09:00-25:00"}, "hours", "does not exist"),
    ({"holidays": "2025-12-25\n25/12/2025"}, "holidays", '"25/12/2025" is not a date like 2025-12-25'),
    ({"holidays": ["2025-02-30"]}, "holidays", '"2025-02-30" is not a real date'),
])
def test_settings_errors_name_the_bad_part(settings, field, message):
    with pytest.raises(CalendarSettingsError, match=message) as raised:
        WorkCalendar.from_settings(**settings)
    assert raised.value.field == field
    assert isinstance(raised.value, ValueError)


def test_the_constructor_validates_too():
    with pytest.raises(ValueError, match="at least one"):
        WorkCalendar(workdays=set())
    with pytest.raises(ValueError, match="1 \\(Monday\\) to 7 \\(Sunday\\), got 8"):
        WorkCalendar(workdays={1, 8})
    with pytest.raises(ValueError, match="start before it ends"):
        WorkCalendar(day_start=time(17), day_end=time(9))
