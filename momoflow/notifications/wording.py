"""The pieces every notification's wording is made of: the message, what it is composed
from, links into the app, times in the reader's time zone, and text cut to fit."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from werkzeug.routing import BuildError

QUOTE_LENGTH = 200  # comments and reasons quoted in a body
SOMEONE = "Someone"  # the actor's name when there is no person (a timer, an API key)


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    link: str | None  # a path in the app
    action: str  # the email's button, e.g. "Review the request"


@dataclass(frozen=True)
class Context:
    """What a message is composed from."""

    event: object  # momoflow.events.Event
    recipient: object  # the User it is for
    actor_name: str  # who did it (SOMEONE when no person did)

    @property
    def payload(self):
        return self.event.payload or {}

    def when(self, value):
        """An ISO moment from a payload in the reader's organisation's time zone."""
        return local_time(value, zone_of(self.recipient))


def quoted(payload, key):
    """A comment or reason quoted on one line (the full text is one click away)."""
    text = " ".join(str(payload.get(key) or "").split())
    return f" “{clip(text, QUOTE_LENGTH)}”" if text else ""


def path_for(endpoint, **values):
    """A path in the app, built without a request (handlers run in workers); None if the
    page does not exist (yet) or a value is missing."""
    if any(value is None for value in values.values()):
        return None
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    try:
        return adapter.build(endpoint, values)
    except BuildError:
        return None


def absolute_url(path):
    return current_app.config["BASE_URL"].rstrip("/") + path if path else current_app.config["BASE_URL"]


def local_time(value, zone):
    """``25 Nov 2024, 17:00 IST`` for an ISO string or aware datetime; the text as given if unreadable."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def zone_of(user):
    """The time zone ``user``'s organisation works in (UTC if it names none we know)."""
    try:
        return ZoneInfo(user.organization.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def one_line(text, length):
    """Titles become email subjects: one line (a newline there would be header injection)."""
    return clip(" ".join(str(text).split()), length)


def clip(text, length):
    text = str(text)
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
