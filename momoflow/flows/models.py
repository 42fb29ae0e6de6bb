"""Flows, their modules, and assignments of flows to people.

An assignment's stored status is assigned, in_progress, completed or cancelled;
"overdue" is not stored but derived (``effective_status``): an open assignment whose
due date has passed. Deriving it means it is never stale, and the background job
only has to announce it (``flow.overdue``), not keep it true.
"""

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.accounts.models import User
from momoflow.database import JSON, UTCDateTime, enum_column, utcnow
from momoflow.extensions import db
from momoflow.publicids import public_id

if TYPE_CHECKING:
    from momoflow.workflows.models import WorkflowRequest


class FlowStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class Priority(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class AudienceKind(enum.StrEnum):
    GROUP = "group"
    DEPARTMENT = "department"


class AssignmentStatus(enum.StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"  # derived, never stored (see the module docstring)


OPEN_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.IN_PROGRESS)
# The open-assignment index's predicate, as literal SQL: ON CONFLICT must repeat it verbatim.
OPEN_SQL = "status IN ('assigned', 'in_progress')"
OPEN_PREDICATE = sa.text(OPEN_SQL)


class Flow(db.Model):
    __tablename__ = "flows"
    __table_args__ = (sa.Index("ix_flows_organization_name", "organization_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: public_id("flow"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[FlowStatus] = mapped_column(enum_column(FlowStatus), default=FlowStatus.ACTIVE)
    # The version new assignments get (``flows.versions``): adding, removing or reordering
    # modules once someone has started makes the next one, and they keep theirs.
    version: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    # The current version's, kept in step with its modules by the services, so lists need not sum them.
    module_count: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    estimated_minutes: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    modules: Mapped[list["Module"]] = relationship(
        back_populates="flow", order_by="(Module.version, Module.position)", lazy="raise_on_sql",
        cascade="all, delete-orphan")

    def __repr__(self):
        return f"<Flow {self.public_id}>"


class Module(db.Model):
    __tablename__ = "flow_modules"
    __table_args__ = (sa.UniqueConstraint("flow_id", "version", "position"),
                      sa.CheckConstraint("estimated_minutes >= 0", name="minutes_not_negative"))

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: public_id("mod"))
    flow_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")  # the flow's
    position: Mapped[int] = mapped_column(sa.SmallInteger)  # 1, 2, … within its version
    title: Mapped[str] = mapped_column(sa.String(200))
    content: Mapped[str] = mapped_column(sa.Text, default="")
    estimated_minutes: Mapped[int] = mapped_column(sa.Integer, default=0)
    # A quiz (its questions, ``QuizQuestion``) is passed with at least this share right, in per
    # cent; None: the module has no quiz.
    pass_mark: Mapped[int | None] = mapped_column(sa.SmallInteger)
    # "I have read and understood": the module is done only once the assignee has said so.
    requires_acknowledgement: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    # The same module in every version of the flow: a copy (``versions.branch``) keeps its
    # original's, so results and sign-offs can be read across versions.
    lineage_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)

    flow: Mapped[Flow] = relationship(back_populates="modules", lazy="raise_on_sql")

    def __init__(self, **fields):
        super().__init__(**fields)
        self.id = self.id or uuid.uuid4()
        self.lineage_id = self.lineage_id or self.id

    @property
    def has_quiz(self):
        return self.pass_mark is not None


class ModuleFile(db.Model):
    """A file attached to a module (a policy PDF, slides): checked and stored like request
    documents (``workflows.documents``). A module's copy in a later version gets a row of
    its own naming the same stored file, so a file is never deleted from disk: removing one
    only marks its row."""

    __tablename__ = "module_files"
    __table_args__ = (sa.Index("ix_module_files_module", "module_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    module_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flow_modules.id", ondelete="CASCADE"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64))  # random; never user input
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QuizQuestion(db.Model):
    """One question of a module's quiz. ``choices``: ``[{"id", "text", "correct"}]``; one
    right choice makes it single-choice, several multiple-choice (all of them, and only
    them, must be picked). Which are right never leaves the server."""

    __tablename__ = "quiz_questions"
    __table_args__ = (sa.UniqueConstraint("module_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    module_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flow_modules.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.SmallInteger)  # 1, 2, …
    prompt: Mapped[str] = mapped_column(sa.Text)
    choices: Mapped[list] = mapped_column(JSON, default=list)

    @property
    def multiple(self):
        return sum(1 for choice in self.choices if choice["correct"]) > 1


class QuizAttempt(db.Model):
    """One submission of a module's quiz: the answers as given, and how they scored."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        sa.Index("ix_quiz_attempts_assignment", "assignment_id", "module_id", "submitted_at"),
        sa.Index("ix_quiz_attempts_module", "module_id", "submitted_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    assignment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    module_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flow_modules.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> [choice ids]
    correct: Mapped[int] = mapped_column(sa.SmallInteger)  # questions answered right
    total: Mapped[int] = mapped_column(sa.SmallInteger)
    score: Mapped[int] = mapped_column(sa.SmallInteger)  # per cent, rounded down
    passed: Mapped[bool] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the quiz was shown
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def seconds(self):
        return None if self.started_at is None else max(0, round((self.submitted_at - self.started_at).total_seconds()))


class Acknowledgement(db.Model):
    """An assignee's "I have read and understood" for a module: a policy sign-off, with the
    name they had and the words they agreed to, as they were then."""

    __tablename__ = "module_acknowledgements"
    __table_args__ = (sa.Index("ix_module_acknowledgements_module", "module_id", "acknowledged_at"),)

    assignment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"),
                                                     primary_key=True)
    module_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flow_modules.id", ondelete="CASCADE"),
                                                 primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    statement: Mapped[str] = mapped_column(sa.String(500))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Assignment(db.Model):
    __tablename__ = "assignments"
    __table_args__ = (
        # One open assignment of a flow per person: a duplicate is refused by the database,
        # even when two requests race.
        sa.Index("uq_assignments_open", "flow_id", "user_id", unique=True,
                 postgresql_where=OPEN_PREDICATE, sqlite_where=OPEN_PREDICATE),
        sa.Index("ix_assignments_user_assigned", "user_id", "assigned_at", "id"),
        sa.Index("ix_assignments_org_assigned", "organization_id", "assigned_at", "id"),
        sa.Index("ix_assignments_flow_assigned", "flow_id", "assigned_at", "id"),
        sa.Index("ix_assignments_open_due", "due_date",
                 postgresql_where=sa.text("status IN ('assigned', 'in_progress')"),
                 sqlite_where=sa.text("status IN ('assigned', 'in_progress')")),
        # The overdue sweep: open, with a due date, not yet announced as overdue.
        sa.Index("ix_assignments_overdue_pending", "due_date",
                 postgresql_where=sa.text(f"{OPEN_SQL} AND overdue_notified_at IS NULL"),
                 sqlite_where=sa.text(f"{OPEN_SQL} AND overdue_notified_at IS NULL")),
        # An approved request assigns a flow to a person once, however often its approval
        # is handled (``flows.from_requests``).
        sa.Index("uq_assignments_source_request", "source_request_id", "flow_id", "user_id", unique=True,
                 postgresql_where=sa.text("source_request_id IS NOT NULL"),
                 sqlite_where=sa.text("source_request_id IS NOT NULL")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: public_id("asgn"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    flow_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flows.id"))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    due_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[AssignmentStatus] = mapped_column(enum_column(AssignmentStatus),
                                                     default=AssignmentStatus.ASSIGNED)
    modules_completed: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # The flow's version this assignment walks, and how many modules it has (set when assigned,
    # and when the assignment moves to a newer version before it is started).
    flow_version: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    module_total: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # flow.overdue sent, once
    # The last reminder (by hand or automatic): a reminder by hand waits ``rules.REMIND_EVERY`` after it.
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the due date was last changed (None: as assigned); reminders count from then (``reminders``).
    redated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    assigned_by_api_key_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    cancelled_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_by_api_key_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    # The approved request that assigned it (``flows.from_requests``); None for all others.
    source_request_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("workflow_requests.id", ondelete="SET NULL"))

    flow: Mapped[Flow] = relationship(lazy="raise_on_sql")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    source_request: Mapped["WorkflowRequest | None"] = relationship(lazy="raise_on_sql")

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    def effective_status(self, now=None):
        if self.is_open and self.due_date is not None and self.due_date < (now or utcnow()):
            return AssignmentStatus.OVERDUE
        return self.status


class AssignmentRule(db.Model):
    """Keep assigning a flow to everyone who joins a group or a department: the tick assigns
    each new member once (``flows.audiences.apply_rules``), due ``due_in_days`` after."""

    __tablename__ = "assignment_rules"
    __table_args__ = (sa.Index("ix_assignment_rules_organization", "organization_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: public_id("rule"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    flow_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flows.id"))
    kind: Mapped[AudienceKind] = mapped_column(enum_column(AudienceKind))
    audience: Mapped[str] = mapped_column(sa.String(200))  # the group's or the department's name
    due_in_days: Mapped[int | None] = mapped_column(sa.SmallInteger)  # None: no due date
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    flow: Mapped[Flow] = relationship(lazy="raise_on_sql")


class AssignmentRuleMember(db.Model):
    """Someone a rule has dealt with, once: assigned (``assignment_id``), or passed over
    because they had the flow open already. Leaving and joining again does not assign twice."""

    __tablename__ = "assignment_rule_members"

    rule_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assignment_rules.id", ondelete="CASCADE"),
                                               primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("assignments.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssignmentActivity(db.Model):
    """One line of an assignment's history: cancelled, re-dated, reminded, reassigned.

    ``summary`` is the line as people read it, written once; ``details`` keeps the facts
    (old and new due date, reason, the other assignment of a reassignment)."""

    __tablename__ = "assignment_activities"
    __table_args__ = (sa.Index("ix_assignment_activities_assignment", "assignment_id", "occurred_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    assignment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))  # None: a key or the system
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    summary: Mapped[str] = mapped_column(sa.String(700))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssignmentReminder(db.Model):
    """An automatic reminder sent for an assignment (``reminders``): the key makes each
    one once, however many ticks or workers try."""

    __tablename__ = "assignment_reminders"

    assignment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"),
                                                     primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "before-3" (days), "overdue"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModuleProgress(db.Model):
    """A module an assignee has finished."""

    __tablename__ = "module_progress"

    assignment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assignments.id", ondelete="CASCADE"),
                                                     primary_key=True)
    module_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flow_modules.id", ondelete="CASCADE"),
                                                 primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduleUnit(enum.StrEnum):
    DAYS = "days"
    MONTHS = "months"


class FlowSchedule(db.Model):
    """Assign a flow to the same people again every N days or months (e.g. yearly training)."""

    __tablename__ = "flow_schedules"
    __table_args__ = (
        sa.Index("ix_flow_schedules_due", "next_run_at",
                 postgresql_where=sa.text("active"), sqlite_where=sa.text("active")),
        sa.Index("ix_flow_schedules_organization", "organization_id", "created_at", "id"),
        sa.CheckConstraint("every > 0", name="every_positive"),
        sa.CheckConstraint("due_in_days >= 0", name="due_in_days_not_negative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    public_id: Mapped[str] = mapped_column(sa.String(40), unique=True, default=lambda: public_id("sched"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    flow_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("flows.id"))
    user_emails: Mapped[list] = mapped_column(JSON, default=list)
    # And everyone in this group or department at each run (``flows.audiences``); None: only the emails.
    audience_kind: Mapped[AudienceKind | None] = mapped_column(enum_column(AudienceKind))
    audience: Mapped[str | None] = mapped_column(sa.String(200))
    every: Mapped[int] = mapped_column(sa.SmallInteger)
    unit: Mapped[ScheduleUnit] = mapped_column(enum_column(ScheduleUnit))
    due_in_days: Mapped[int] = mapped_column(sa.SmallInteger, default=30)  # each run's due date offset
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first run: monthly runs count from it, so a clamped month (Jan 31 → Feb 28) does not
    # shorten the day for good. None only for schedules made before it was kept.
    first_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_api_key_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    flow: Mapped[Flow] = relationship(lazy="raise_on_sql")
