"""What assignees read: their flows, and the one they are working through.

Each function runs a fixed number of queries however many assignments or modules
there are. An assignment exists only for its assignee: for anyone else it is a 404,
as a request is for people not taking part in it.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.extensions import db
from momoflow.flows.models import OPEN_STATUSES, Assignment, AssignmentStatus, Flow, Module
from momoflow.flows.access import assignment_not_found, can_name_a_row
from momoflow.flows import files, history, queries, quizzes
from momoflow.flows.queries import with_source_request

MY_FLOWS_LIMIT = 200  # far more than anyone is assigned; the rest wait for pagination


def percent_done(assignment):
    """Whole percent of the assignment's version of the flow done; a completed one is 100."""
    if assignment.status == AssignmentStatus.COMPLETED:
        return 100
    if not assignment.module_total:
        return 0
    return min(100, round(100 * assignment.modules_completed / assignment.module_total))


@dataclass
class FlowProgress:
    """One assignment as its assignee sees it in lists."""

    assignment: Assignment
    flow: Flow
    status: AssignmentStatus  # effective: overdue when open and past due

    @property
    def percent(self):
        return percent_done(self.assignment)

    @property
    def is_open(self):
        return self.assignment.is_open


def _progress(assignment, flow, now):
    return FlowProgress(assignment, flow, assignment.effective_status(now))


def _mine(user):
    return (sa.select(Assignment, Flow).join(Flow, Flow.id == Assignment.flow_id).options(with_source_request())
            .where(Assignment.user_id == user.id, Assignment.organization_id == user.organization_id))


def my_flows(user, now=None):
    """``(open, completed)``: open ones by due date (overdue first, undated last),
    completed ones newest first; cancelled ones are not shown. One query."""
    now = now or utcnow()
    rows = db.session.execute(_mine(user).where(Assignment.status != AssignmentStatus.CANCELLED)
                              .order_by(Assignment.assigned_at.desc(), Assignment.id.desc())
                              .limit(MY_FLOWS_LIMIT)).all()
    items = [_progress(assignment, flow, now) for assignment, flow in rows]
    open_items = sorted((item for item in items if item.is_open),
                        key=lambda item: (item.assignment.due_date is None, item.assignment.due_date or now))
    done = sorted((item for item in items if not item.is_open),
                  key=lambda item: item.assignment.completed_at or item.assignment.assigned_at, reverse=True)
    return open_items, done


def open_flows(user, limit, now=None):
    """The first ``limit`` open assignments, nearest due date first (the dashboard). One query."""
    now = now or utcnow()
    rows = db.session.execute(_mine(user).where(Assignment.status.in_(OPEN_STATUSES))
                              .order_by(Assignment.due_date.is_(None), Assignment.due_date,
                                        Assignment.assigned_at.desc(), Assignment.id)
                              .limit(limit)).all()
    return [_progress(assignment, flow, now) for assignment, flow in rows]


@dataclass
class Walkthrough:
    """An assignment with its modules: where the assignee is, and what they are reading."""

    progress: FlowProgress
    modules: list[Module]
    shown: Module | None  # the module on screen: the current one unless an earlier one was asked for
    checks: object = None  # quizzes.ModuleChecks of the module on screen
    files: list = field(default_factory=list)  # attached to the module on screen
    cancel_reason: str | None = None  # why, when it was cancelled

    @property
    def assignment(self):
        return self.progress.assignment

    @property
    def flow(self):
        return self.progress.flow

    @property
    def estimated_minutes(self):
        """Of the assignment's version, which may not be the flow's current one."""
        return sum(module.estimated_minutes for module in self.modules)

    @property
    def current(self):
        """The next module to do, or None when none is left."""
        done = self.assignment.modules_completed
        return self.modules[done] if self.assignment.is_open and done < len(self.modules) else None

    def state_of(self, module):
        """``done``, ``current`` or ``upcoming``."""
        if self.assignment.status == AssignmentStatus.COMPLETED or module.position <= self.assignment.modules_completed:
            return "done"
        return "current" if module is self.current else "upcoming"


def walkthrough(user, assignment_id, shown_position=None, now=None):
    """The user's own assignment ``assignment_id`` and its modules (two queries); 404 otherwise.

    ``shown_position`` picks a module to show: done ones and the current one can be
    read again; later ones stay hidden until their turn.
    """
    row = None
    if can_name_a_row(assignment_id):
        row = db.session.execute(_mine(user).where(Assignment.public_id == assignment_id)).first()
    if row is None:
        raise assignment_not_found(assignment_id)
    assignment, flow = row
    modules = queries.modules_of(flow, assignment.flow_version)
    walk = Walkthrough(_progress(assignment, flow, now or utcnow()), list(modules), None)
    readable = [module for module in walk.modules if walk.state_of(module) != "upcoming"]
    if assignment.status == AssignmentStatus.ASSIGNED:
        readable = []
    walk.shown = next((module for module in readable if module.position == shown_position), walk.current)
    if walk.shown is not None:
        walk.checks = quizzes.checks_for(assignment, walk.shown)
        walk.files = files.files_of([walk.shown.id])[walk.shown.id]
    if assignment.status == AssignmentStatus.CANCELLED:
        walk.cancel_reason = history.cancel_reason(assignment)
    return walk
