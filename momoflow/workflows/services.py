"""Everything that changes a request. Both the JSON API and the pages call these.

Each function takes the acting user, checks the rules, changes state, writes the
activity log and the domain events, and flushes. None of them commits: the
caller (one request, one transaction) does, or rolls everything back. They live in
the modules named below; this one gathers them for callers.
"""

from momoflow.workflows.reassigning import reassign_all, reassign_task
from momoflow.workflows.creating import add_approver_at_level, add_to_level, create_request
from momoflow.workflows.deciding import approve_level, reject_level, withdraw_request
from momoflow.workflows.participants import add_approver, add_comment, add_spectator
from momoflow.workflows.resubmitting import resubmit_request
from momoflow.workflows.returning import return_request

__all__ = ["add_approver", "add_approver_at_level", "add_comment", "add_spectator", "add_to_level", "approve_level",
           "create_request", "reassign_all", "reassign_task", "reject_level", "resubmit_request", "return_request",
           "withdraw_request"]
