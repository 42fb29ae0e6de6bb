"""No request ever stuck: tasks move to whoever stands in when people are away or leave.

(Being written for issue 12: the signatures are what the absence and people code calls.)
"""


def absence_began(absence, now):
    """Move the absent person's actionable tasks to their stand-in; sets ``absence.moved_at``."""
    absence.moved_at = now


def absence_ended(absence, now):
    """Give back the tasks the stand-in has not acted on; sets ``absence.returned_at``."""
    absence.returned_at = now


def person_left(person, actor, now):
    """Route a deactivated person's undecided tasks to their delegate, else their manager,
    else alert the organisation's admins."""
