"""TAT arithmetic: when a turn-around time ends, or reaches 50 % or 75 %, on the right clock.

STANDARD requests count working hours of the organisation's ``WorkCalendar``; EXPRESS
requests count calendar hours. Every surface (pages, API, background jobs) calls
``deadline`` and ``checkpoint`` here so they all agree to the microsecond.

All instants go in and come out as aware UTC datetimes. Working time is each working
day's ``day_start``–``day_end`` in *local wall-clock* time, converted to UTC day by day,
so a working day stays 8 working hours across DST changes (unless the change happens
inside working hours, when the day is as long as the clocks really ran).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

HOUR = timedelta(hours=1)
# No TAT ends further ahead than this: a deadline years away is a typo, and a sparse
# calendar (one minute on Mondays) would otherwise push a large TAT past the year 9999.
MAX_HORIZON = timedelta(days=5 * 366)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class CalendarSettingsError(ValueError):
    """A settings value an admin typed is wrong; ``field`` says which input to mark."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class BeyondHorizon(ValueError):
    """The deadline would lie further ahead than ``horizon`` (a timedelta)."""

    def __init__(self, horizon):
        super().__init__(f"the deadline would be more than {horizon.days} days ahead")
        self.horizon = horizon


@dataclass(frozen=True)
class WorkCalendar:
    timezone: str = "UTC"
    workdays: frozenset = frozenset({1, 2, 3, 4, 5})  # ISO weekdays: 1 = Monday … 7 = Sunday
    day_start: time = time(9)
    day_end: time = time(17)
    holidays: frozenset = frozenset()

    def __post_init__(self):
        # Accept any iterables, but store frozensets so the calendar stays hashable.
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "holidays", parse_holidays(self.holidays))
        _check_timezone(self.timezone)
        _check_workdays(self.workdays)
        _check_hours(self.day_start, self.day_end)

    @classmethod
    def from_settings(cls, timezone=None, workdays=None, hours=None, holidays=None):
        """Build a calendar from what an admin typed; blank or ``None`` keeps the default."""
        values = {}
        if not _blank(timezone):
            values["timezone"] = str(timezone).strip()
        if not _blank(workdays):
            values["workdays"] = parse_workdays(workdays)
        if not _blank(hours):
            values["day_start"], values["day_end"] = parse_hours(hours)
        if not _blank(holidays):
            values["holidays"] = parse_holidays(holidays)
        return cls(**values)

    @property
    def zone(self):
        return ZoneInfo(self.timezone)  # zoneinfo caches instances, so this is cheap

    def is_working_day(self, day):
        return day.isoweekday() in self.workdays and day not in self.holidays

    def window(self, day):
        """The working time of local ``day`` as a ``(opens, closes)`` pair of UTC instants."""
        opens = datetime.combine(day, self.day_start, tzinfo=self.zone)
        closes = datetime.combine(day, self.day_end, tzinfo=self.zone)
        return opens.astimezone(timezone.utc), closes.astimezone(timezone.utc)


# --- parsing what admins type ------------------------------------------------------


def parse_workdays(value):
    """``"mon,tue,wed,thu,fri"``, ``"1-5"``, ``"mon-fri"`` or ``"sun-thu"`` (ranges wrap
    round the week), or an iterable of names or ISO numbers, into a set of ISO weekdays."""
    if isinstance(value, str):
        text = re.sub(r"\s*[-–]\s*", "-", value.strip())
        tokens = [token for token in re.split(r"[,;\s]+", text) if token]
    else:
        tokens = [str(item) for item in value]
    days = set()
    for token in tokens:
        days.update(_weekday_range(token))
    _check_workdays(days)
    return frozenset(days)


def _weekday_range(token):
    if "-" not in token:
        return {_weekday(token, token)}
    first_text, _, last_text = token.partition("-")
    first, last = _weekday(first_text, token), _weekday(last_text, token)
    length = (last - first) % 7 + 1
    return {(first - 1 + step) % 7 + 1 for step in range(length)}


def _weekday(word, token):
    word = word.strip().lower()
    if word.isascii() and word.isdigit() and len(word) <= 2 and 1 <= int(word) <= 7:
        return int(word)
    matches = [number for number, name in enumerate(WEEKDAY_NAMES, 1) if len(word) >= 3 and name.startswith(word)]
    if not matches:
        raise CalendarSettingsError(
            "workdays", f'Working days: "{token}" is not a weekday; use names like mon, tue or numbers 1 (Monday) to 7 (Sunday).')
    return matches[0]


_HOURS_PATTERN = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?$")


def parse_hours(text):
    """``"09:00-17:00"`` (or ``"9-17"``) into a ``(day_start, day_end)`` pair of times."""
    found = _HOURS_PATTERN.match(str(text).strip())
    if not found:
        raise CalendarSettingsError("hours", f'Working hours: "{text}" is not a range like 09:00-17:00.')
    start_hour, start_minute, end_hour, end_minute = (int(part or 0) for part in found.groups())
    if start_hour > 23 or end_hour > 23 or start_minute > 59 or end_minute > 59:
        raise CalendarSettingsError(
            "hours", f'Working hours: "{text}" contains a time that does not exist (the latest is 23:59).')
    start, end = time(start_hour, start_minute), time(end_hour, end_minute)
    _check_hours(start, end)
    return start, end


_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_holidays(value):
    """A list of ``"YYYY-MM-DD"`` strings (or dates), or text with one date per line or
    comma-separated; ``#`` starts a comment, so ``2025-12-25  # Christmas`` works."""
    if isinstance(value, str):
        lines = (line.partition("#")[0] for line in value.splitlines())
        entries = [entry.strip() for line in lines for entry in line.split(",")]
    else:
        entries = [entry if isinstance(entry, date) else str(entry).strip() for entry in value]
    return frozenset(_holiday(entry) for entry in entries if entry)


def _holiday(entry):
    if isinstance(entry, datetime):
        return entry.date()
    if isinstance(entry, date):
        return entry
    if not _DATE_PATTERN.match(entry):
        raise CalendarSettingsError(
            "holidays", f'Holidays: "{entry}" is not a date like 2025-12-25 (put any name after a #).')
    try:
        return date.fromisoformat(entry)
    except ValueError:
        raise CalendarSettingsError("holidays", f'Holidays: "{entry}" is not a real date.') from None


# --- validation shared by the constructor and the parser ----------------------------


def _check_timezone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):  # OSError: a name too long for a file
        raise CalendarSettingsError("timezone", _unknown_timezone_message(name)) from None


def _unknown_timezone_message(name):
    message = f'Time zone: "{name}" is not a known time zone name like Europe/London.'
    same_but_case = [key for key in available_timezones() if key.lower() == str(name).lower()]
    if same_but_case:
        message += f' Did you mean "{same_but_case[0]}"?'
    return message


def _check_workdays(days):
    if not days:
        raise CalendarSettingsError("workdays", "Working days: choose at least one working day.")
    wrong = sorted(repr(day) for day in days if day not in range(1, 8))
    if wrong:
        raise CalendarSettingsError(
            "workdays", f"Working days must be numbers from 1 (Monday) to 7 (Sunday), got {', '.join(wrong)}.")


def _check_hours(start, end):
    if not start < end:
        raise CalendarSettingsError(
            "hours", f"Working hours: the day must start before it ends, got {start:%H:%M}-{end:%H:%M}.")


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


DEFAULT_CALENDAR = WorkCalendar()


# --- the clocks -------------------------------------------------------------------


def add_working_hours(calendar, start_utc, hours, horizon=None):
    """The instant ``hours`` working hours after ``start_utc``.

    Counting begins at the next working moment, so a deadline that uses up a day
    exactly lands on that day's closing time, not on the next morning. Whole weeks
    without holidays or clock changes are counted in one step each, and nothing
    lies beyond ``horizon`` (default ``MAX_HORIZON``): however sparse the calendar,
    this takes a few hundred steps at most, then raises BeyondHorizon.
    """
    cursor = _as_utc(start_utc)
    last_day = (cursor + (horizon or MAX_HORIZON)).astimezone(calendar.zone).date()
    remaining = _duration(hours)
    day = cursor.astimezone(calendar.zone).date()
    while day <= last_day:
        if day.isoweekday() == 1:
            day, remaining = _skip_whole_weeks(calendar, day, cursor, remaining, last_day)
            if day > last_day:
                break
        if calendar.is_working_day(day):
            opens, closes = calendar.window(day)
            if closes > cursor:
                begin = max(opens, cursor)
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)
    raise BeyondHorizon(horizon or MAX_HORIZON)


def _skip_whole_weeks(calendar, monday, cursor, remaining, last_day):
    """Step over the whole weeks from ``monday`` that end before the deadline does:
    ``(the day to walk on from, the working time still to count)``."""
    week_work = _plain_week(calendar, monday, cursor)
    while week_work and remaining > week_work and monday <= last_day:
        remaining -= week_work
        monday += timedelta(weeks=1)
        week_work = _plain_week(calendar, monday, cursor)
    return monday, remaining


def _plain_week(calendar, monday, cursor):
    """The working time of the week from local ``monday``, when every working day of it
    is a full ordinary day after ``cursor`` (no holiday, no clock change); else None."""
    week_starts = datetime.combine(monday, time(0), tzinfo=calendar.zone)
    week_ends = datetime.combine(monday + timedelta(weeks=1), time(0), tzinfo=calendar.zone)
    if week_starts.astimezone(timezone.utc) < cursor or week_starts.utcoffset() != week_ends.utcoffset():
        return None
    if any(monday + timedelta(days=offset) in calendar.holidays for offset in range(7)):
        return None
    day_length = datetime.combine(monday, calendar.day_end) - datetime.combine(monday, calendar.day_start)
    return day_length * len(calendar.workdays)


def working_hours_between(calendar, start_utc, end_utc):
    """How many working hours lie between two instants (0 if ``end`` is not later)."""
    start, end = _as_utc(start_utc), _as_utc(end_utc)
    if end <= start:
        return 0.0
    worked = timedelta()
    for opens, closes in _windows_from(calendar, start):
        if opens >= end:
            break
        worked += max(timedelta(), min(closes, end) - max(opens, start))
    return worked / HOUR


def add_calendar_hours(start_utc, hours, horizon=None):
    duration = _duration(hours)
    if duration > (horizon or MAX_HORIZON):
        raise BeyondHorizon(horizon or MAX_HORIZON)
    return _as_utc(start_utc) + duration


def elapsed_hours(priority, calendar, start_utc, end_utc):
    """The hours of TAT used between two instants: working hours for STANDARD, all of them
    for EXPRESS (``checkpoint``'s measure, read back)."""
    if priority == "STANDARD":
        return working_hours_between(calendar, start_utc, end_utc)
    return max((_as_utc(end_utc) - _as_utc(start_utc)) / HOUR, 0.0)


def deadline(priority, calendar, start_utc, hours):
    """When a TAT of ``hours`` started at ``start_utc`` runs out for this priority."""
    return checkpoint(priority, calendar, start_utc, hours, 1)


def checkpoint(priority, calendar, start_utc, hours, fraction):
    """The instant ``fraction`` of the TAT has elapsed (0.5 and 0.75 drive reminders).

    Fractions above 1 are allowed, for escalations some time after the deadline.
    """
    elapsed = _non_negative(hours, "hours") * _non_negative(fraction, "fraction")
    if priority == "STANDARD":
        return add_working_hours(calendar, start_utc, elapsed)
    if priority == "EXPRESS":
        return add_calendar_hours(start_utc, elapsed)
    raise ValueError(f"priority must be STANDARD or EXPRESS, got {priority!r}")


def _windows_from(calendar, start):
    """Working windows, day by day, from the local day of ``start`` onwards (endless)."""
    day = start.astimezone(calendar.zone).date()
    while True:
        if calendar.is_working_day(day):
            yield calendar.window(day)
        day += timedelta(days=1)


def _as_utc(moment):
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(timezone.utc)


def _duration(hours):
    """``hours`` as a timedelta, rounded to the microsecond the same way for every type."""
    amount = _non_negative(hours, "hours")
    micro = (amount * 3_600_000_000).to_integral_value(ROUND_HALF_EVEN)
    return timedelta(microseconds=int(micro))


def _non_negative(value, name):
    try:
        amount = Decimal(value)  # exact for int, float, Decimal and numeric strings
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} must be a finite number of at least 0, got {value!r}")
    return amount
