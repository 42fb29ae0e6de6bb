"""Flow rules every caller shares: limits, and how a duration reads."""

from datetime import timedelta

MAX_NOTES_LENGTH = 2000
MAX_BULK_ITEMS = 1000
MAX_MODULES = 50
MAX_VERSION = 32767  # flows.version is a smallint
MAX_MODULE_FILES = 10  # files attached to one module
MAX_REASON_LENGTH = 500  # why an assignment was cancelled
MAX_BULK_CHANGES = 200  # assignments changed by one bulk action of the overview
REMIND_EVERY = timedelta(hours=1)  # a reminder by hand waits this long after the last reminder


def duration_text(minutes):
    """``"2 hours"``, ``"1 hour 30 minutes"``, ``"45 minutes"`` (the seed's estimatedDuration)."""
    hours, minutes = divmod(int(minutes or 0), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
