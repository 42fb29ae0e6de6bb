"""How API keys read on the settings page (and in the API document's list of scopes)."""

from momoflow.apikeys.models import Scope
from momoflow.database import utcnow
from momoflow.templating import rough_span

# (scope, what it lets a key do), in the order the page offers them.
SCOPES = (
    (Scope.FLOWS_ASSIGN.value, "Assign flows and cancel assignments"),
    (Scope.FLOWS_READ.value, "Read flows, assignments and schedules"),
    (Scope.REPORTS_READ.value, "Run flow reports and download their files"),
    (Scope.SCHEDULES_WRITE.value, "Create and cancel recurring assignments"),
)


def state_text(key, now=None):
    """``Revoked``, ``Expired`` or ``Active``: the key's badge."""
    if not key.is_active:
        return "Revoked"
    return "Expired" if key.has_expired(now or utcnow()) else "Active"


def expiry_text(key, now=None):
    """``Expires in 12 days``, ``Expired`` or ``Never expires``."""
    now = now or utcnow()
    if key.expires_at is None:
        return "Never expires"
    if key.has_expired(now):
        return "Expired"
    return f"Expires in {rough_span((key.expires_at - now).total_seconds())}"


def last_use_text(key, now=None):
    """``Last used 3 minutes ago from 203.0.113.7`` or ``Never used``."""
    if key.last_used_at is None:
        return "Never used"
    ago = rough_span(((now or utcnow()) - key.last_used_at).total_seconds())
    where = f" from {key.last_used_from}" if key.last_used_from else ""
    return f"Last used {ago} ago{where}"
