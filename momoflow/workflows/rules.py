"""The workflow rules every caller shares: limits, level names, how TAT hours read.

TAT times (deadlines, reminders) are computed in ``momoflow.workflows.tat``."""

from decimal import Decimal

from momoflow.workflows.models import ApprovalMode, LevelStatus, RejectionPolicy, TaskStatus

MAX_LEVELS = 10
MAX_APPROVERS_PER_LEVEL = 20
MAX_TITLE_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 20_000
MAX_LEVEL_NAME_LENGTH = 200
MAX_SPECTATORS = 50  # named when a request is created
MAX_PARTICIPANTS = 100  # everyone taking part, however added
MAX_COMMENT_LENGTH = 5_000
MAX_FILES = 10  # per upload
MAX_TAT_HOURS = Decimal(8760)  # a year: anything longer is a typo, not a deadline


def level_name_for(approvers, level_number):
    """What a level is called when the initiator gives no name: the seed's rule for one
    approver (their designation, else department), and for several the designation or
    department they all share, else ``Level N Approval``."""
    for attribute in ("designation", "department"):
        values = {getattr(approver, attribute) for approver in approvers}
        if len(values) == 1 and None not in values and "" not in values:
            return f"{values.pop()} Approval"
    return generic_level_name(level_number)


def approvals_needed(mode, min_approvals, approvers):
    """How many approvals decide a level of ``approvers`` people under ``mode``."""
    if mode == ApprovalMode.ALL:
        return approvers
    if mode == ApprovalMode.QUORUM:
        return min(min_approvals, approvers)
    return 1


def level_outcome(level, statuses):
    """APPROVED, REJECTED or None (still open) for ``level`` whose approvers' tasks are in
    ``statuses`` (REASSIGNED tasks left out: their replacements count instead).

    VETO: one rejection rejects. UNREACHABLE: rejected only once the approvals still
    possible cannot reach the rule (under ANY: everyone rejected). Under ALL they agree.
    """
    counted = [status for status in statuses if status != TaskStatus.REASSIGNED]
    approved = counted.count(TaskStatus.APPROVED)
    rejected = counted.count(TaskStatus.REJECTED)
    undecided = counted.count(TaskStatus.PENDING)
    needed = approvals_needed(level.approval_mode, level.min_approvals, len(counted))
    if approved >= needed:
        return LevelStatus.APPROVED
    if rejected and level.rejection_policy == RejectionPolicy.VETO:
        return LevelStatus.REJECTED
    if approved + undecided < needed:
        return LevelStatus.REJECTED
    return None


def rule_text(level):
    """``Any one of 3``, ``All 3``, ``2 of 3``: how the level decides, in words."""
    counted = sum(1 for task in level.tasks if task.status != TaskStatus.REASSIGNED)
    if counted <= 1:
        return None
    if level.approval_mode == ApprovalMode.ALL:
        return f"All {counted} must approve"
    if level.approval_mode == ApprovalMode.QUORUM:
        return f"{min(level.min_approvals, counted)} of {counted} must approve"
    return f"Any one of {counted} approves"


def generic_level_name(level_number):
    return f"Level {level_number} Approval"


def tat_hours_json(tat_hours):
    """24 rather than 24.0 or "24.00", but 1.5 stays 1.5."""
    value = Decimal(tat_hours)
    return int(value) if value == value.to_integral_value() else float(value)
