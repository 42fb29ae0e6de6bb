"""The workflow rules every caller shares: limits, level names, how TAT hours read.

TAT times (deadlines, reminders) are computed in ``momoflow.workflows.tat``."""

from decimal import Decimal

MAX_LEVELS = 10
MAX_TITLE_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 20_000
MAX_LEVEL_NAME_LENGTH = 200
MAX_SPECTATORS = 50  # named when a request is created
MAX_PARTICIPANTS = 100  # everyone taking part, however added
MAX_COMMENT_LENGTH = 5_000
MAX_FILES = 10  # per upload
MAX_TAT_HOURS = Decimal(8760)  # a year: anything longer is a typo, not a deadline


def level_name_for(approver, level_number):
    """What a level is called when the initiator gives no name (the seed's rule)."""
    if approver.designation:
        return f"{approver.designation} Approval"
    if approver.department:
        return f"{approver.department} Approval"
    return generic_level_name(level_number)


def generic_level_name(level_number):
    return f"Level {level_number} Approval"


def tat_hours_json(tat_hours):
    """24 rather than 24.0 or "24.00", but 1.5 stays 1.5."""
    value = Decimal(tat_hours)
    return int(value) if value == value.to_integral_value() else float(value)
