"""One parser for each kind of field, shared by the JSON APIs, the page forms and query strings.

Each parser takes the raw value, the ``path`` that names it in a problem
(``approvalLevels.0.tatHours``) and a ``Problems`` list; it returns the parsed value,
or None after adding ``(path, message)``. All problems are collected before anything
raises, so a form shows every mistake at once. The wording is a parameter where the
seed documents fix a different sentence per API; the checks themselves are not.

They refuse what hostile input sends to break the layers below: values of the wrong
JSON type, numbers too big to convert, lone surrogates (``"\\ud800"``: ``json.loads``
accepts them, but PostgreSQL, argon2 and UTF-8 output cannot encode them), NUL
characters (PostgreSQL cannot store them) and JSON nested deeper than the parser's
recursion allows (``RecursionError``, not a ``ValueError``).
"""

import base64
import binascii
import json
import re
import uuid
from datetime import datetime, time, timezone
from decimal import Decimal

from momoflow.accounts.emails import normalize_email
from momoflow.errors import ValidationFailed
from momoflow.search import MAX_LENGTH as SEARCH_MAX_LENGTH


class Problems(list):
    """``[(path, message)]`` collected from every field before raising once."""

    def add(self, path, message):
        self.append((path, message))

    def collect(self, parse, *args, **kwargs):
        """``parse(*args, **kwargs)``, keeping its ValidationFailed's problems instead of raising."""
        try:
            return parse(*args, **kwargs)
        except ValidationFailed as error:
            self.extend(error.problems)
            return None

    def raise_if_any(self):
        if self:
            raise ValidationFailed(self)


# --- whole documents ---------------------------------------------------------------

_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


NOT_JSON = "is not valid JSON"
EMAIL_REQUIRED = "Valid email is required"


def too_long(label, max_length):
    return f"{label} must be at most {max_length} characters"


def not_a_whole_number(path, low, high):
    return f"{path} must be a whole number from {low} to {high}"


class NotJson(ValueError):
    """Why a body (or a JSON form field) cannot be read; ``path`` names a bad string inside."""

    def __init__(self, message, path=None):
        super().__init__(message)
        self.message = message
        self.path = path


def json_document(raw, *, check_text=True):
    """The JSON value ``raw`` (bytes or text) holds, or NotJson: not UTF-8, not JSON,
    nested too deeply, or (unless ``check_text`` is off, for a caller whose field
    parsers refuse such text item by item) holding a string that is not valid text."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text)
    except UnicodeDecodeError:
        raise NotJson("is not valid UTF-8") from None
    except RecursionError:
        raise NotJson("is nested too deeply") from None
    except ValueError:
        raise NotJson(NOT_JSON) from None
    if check_text and _MAYBE_SURROGATE.search(text):  # escapes are the only way a lone surrogate gets in
        path = _invalid_text_path(data)
        if path is not None:
            raise NotJson("must be valid text (it holds a lone surrogate)", path)
    return data


def _invalid_text_path(data):
    """The path of the first key or string that is not valid text, or None (no recursion:
    the document may be as deep as the parser allowed)."""
    pending = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if not is_valid_text(value):
                return path or "body"
        elif isinstance(value, dict):
            for key, item in value.items():
                if not is_valid_text(key):
                    return path or "body"
                pending.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return None


def is_valid_text(value):
    """False for strings holding lone surrogates, which no database or output can encode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --- text ----------------------------------------------------------------------------


def text(value, path, problems, *, label, max_length, required=None, wrong_type=None, nul=None):
    """Stripped text, or None when blank (``required`` is then the message) or wrong."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(path, wrong_type or f"{label} must be text")
        return None
    if not is_valid_text(value):
        problems.add(path, f"{label} must be valid text")
        return None
    stripped = value.strip()
    if not stripped:
        if required:
            problems.add(path, required)
        return None
    if "\x00" in stripped:
        problems.add(path, nul or f"{label} cannot contain NUL characters")
        return None
    if len(stripped) > max_length:
        problems.add(path, too_long(label, max_length))
        return None
    return stripped


def email(value, path, problems, message=EMAIL_REQUIRED):
    """A normalised address (``accounts.emails`` decides what one is), or None."""
    address = normalize_email(value) if isinstance(value, str) and is_valid_text(value) else None
    if address is None:
        problems.add(path, message)
    return address


# --- numbers ---------------------------------------------------------------------------


def whole_number(value, path, problems, *, low, high, message=None, from_text=False):
    """An int from ``low`` to ``high``. JSON sends ints (never booleans); with
    ``from_text`` a form's digits are read too. The size is checked before converting,
    so a 5,000-digit number is just out of range."""
    message = message or not_a_whole_number(path, low, high)
    if from_text and isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()) or len(digits.lstrip("0")) > len(str(high)):
            problems.add(path, message)
            return None
        value = int(digits)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(path, message)
        return None
    return value


def decimal(value, path, problems, *, high, places, wrong_type, too_big, not_positive):
    """A positive JSON number (int or float) as a Decimal rounded to ``places``; compared
    with ``high`` before any conversion, so 400 digits or 1e308 are just too big."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value in (
            float("inf"), float("-inf")):
        problems.add(path, wrong_type)
        return None
    if value > high:
        problems.add(path, too_big)
        return None
    amount = round(Decimal(value) if isinstance(value, int) else Decimal(str(value)), places)
    if amount <= 0:
        problems.add(path, not_positive)
        return None
    return amount


def form_number(raw):
    """A form's number as a JSON API would send it (int or float), so the API's parser
    judges it in the API's words; anything else stays text and is refused as such."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > 40:
        return raw  # no sane number is this long; int() of 5,000 digits would raise
    try:
        value = float(raw)
    except ValueError:
        return raw
    if value != value or value in (float("inf"), float("-inf")):
        return raw
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def form_whole_number(raw):
    """A form's digits as an int (bounded in length), anything else as the text itself."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else raw


def identifier(value, path, problems, message):
    """A UUID written as JSON text (any letter case), or None after adding ``message``."""
    if not isinstance(value, str) or len(value) > 36 + 4:
        problems.add(path, message)
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        problems.add(path, message)
        return None


def flag(value, path, problems, *, default=False):
    """A JSON boolean; absent or null is ``default``."""
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.add(path, f"{path} must be true or false")
        return None
    return value


# --- choices and moments -----------------------------------------------------------------


def choice(value, enum, path, problems, message, *, default=None):
    """A member of ``enum`` by value; None gives ``default``. Lists, objects and numbers
    are refused in ``message`` like any unknown word (they are not hashable keys)."""
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        problems.add(path, message)
        return None
    try:
        return enum(value)
    except ValueError:
        problems.add(path, message)
        return None


def iso_moment(value, path, problems, *, message, zone_message, date_means=time(23, 59, 59)):
    """Aware UTC from ISO 8601: a date-time with a zone, or a date (at ``date_means`` UTC).
    Blank is None."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40 or not value.isascii():
        problems.add(path, message)
        return None
    try:
        if len(value) == 10:
            return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), date_means, timezone.utc)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            problems.add(path, zone_message)
            return None
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        problems.add(path, message)
        return None


# --- list pages ------------------------------------------------------------------------------


def page_limit(raw, problems, *, default, maximum, message, path="limit"):
    """A query string's page size from 1 to ``maximum``; blank is ``default``."""
    if raw in (None, ""):
        return default
    return whole_number(raw, path, problems, low=1, high=maximum, message=message, from_text=True)


def cursor(raw, problems, *, message, path="cursor"):
    """The ``(created_at, id)`` a list's ``nextCursor`` holds; blank is None (the first page)."""
    if not raw:
        return None
    position = decode_cursor(raw)
    if position is None:
        problems.add(path, message)
    return position


def name_cursor(raw, problems, *, message, path="cursor"):
    """The ``(name, id)`` a ``pagination.encode_name_cursor`` text holds; blank is None."""
    if not raw:
        return None
    position = None
    if isinstance(raw, str) and len(raw) <= 2000:
        try:
            kind, name, identifier = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            if kind == "name" and isinstance(name, str) and isinstance(identifier, str) and is_valid_text(name):
                position = name, uuid.UUID(identifier)
        except (ValueError, TypeError, RecursionError, binascii.Error):
            position = None
    if position is None:
        problems.add(path, message)
    return position


def decode_cursor(raw):
    """The ``(aware UTC moment, UUID)`` an ``encode_cursor`` text holds, or None for
    anything we did not write: bad base64, other JSON, JSON nested too deeply."""
    if not isinstance(raw, str) or len(raw) > 200:
        return None
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        moment, identifier = json.loads(data)
        if not (isinstance(moment, str) and isinstance(identifier, str)):
            return None
        moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            return None
        return moment.astimezone(timezone.utc), uuid.UUID(identifier)
    except (ValueError, TypeError, OverflowError, RecursionError, binascii.Error):
        return None


def search_text(raw, problems, *, path="q", max_length=SEARCH_MAX_LENGTH):
    """A list's search box: its words joined by single spaces, or None (no filter) when
    blank; too long, NUL or invalid text is a problem. What it matches is ``momoflow.search``."""
    text_value = text(raw, path, problems, label="Search", max_length=max_length)
    return " ".join(text_value.split()) if text_value else None
