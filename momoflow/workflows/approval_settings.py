"""The organisation's approval settings (Settings → Approvals): how often a request may
be sent back for rework, whether each new round starts again at level 1, and whether
deciding from an email link needs a signed-in session besides the link's token."""

from momoflow import fields
from momoflow.errors import Forbidden
from momoflow.extensions import db

MAX_REVISIONS = 20
REVISIONS_MESSAGE = f"Revisions: enter a whole number from 0 to {MAX_REVISIONS}."
ONLY_ADMINS = "Only administrators can change the approval settings"


def save_approval_settings(actor, max_revisions, rounds_restart_at_first_level, email_decisions_need_sign_in):
    """Store an admin's approval settings on their organisation; ValidationFailed names a
    wrong field. ``max_revisions`` may be a form's text or a JSON int."""
    if not actor.is_admin:
        raise Forbidden(ONLY_ADMINS)
    problems = fields.Problems()
    revisions = fields.whole_number(max_revisions, "max_revisions", problems, low=0, high=MAX_REVISIONS,
                                    message=REVISIONS_MESSAGE, from_text=True)
    problems.raise_if_any()
    organization = actor.organization
    organization.max_revisions = revisions
    organization.rounds_restart_at_first_level = bool(rounds_restart_at_first_level)
    organization.email_decisions_need_sign_in = bool(email_decisions_need_sign_in)
    db.session.flush()
    return organization
