"""Approval requests, their levels, participants, documents, comments and activity.

Enum values are the seed's upper-case strings and are stored as plain strings.
Indexes follow the list pages: each keyset-paginated list has an index whose
columns are its filter followed by its sort key.
"""

import enum
import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from momoflow.accounts.models import User
from momoflow.database import JSON, UTCDateTime, enum_column, trigram_index, utcnow
from momoflow.extensions import db

class TemplateType(enum.StrEnum):
    CUSTOM = "CUSTOM"
    TEMPLATE = "TEMPLATE"


class Priority(enum.StrEnum):
    STANDARD = "STANDARD"
    EXPRESS = "EXPRESS"


class RequestStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    RETURNED = "RETURNED"  # sent back to the initiator for changes; resubmitting starts the next round


class LevelStatus(enum.StrEnum):
    PENDING = "PENDING"  # waiting for earlier levels
    IN_PROGRESS = "IN_PROGRESS"  # the current level: its approver must act
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    SKIPPED = "SKIPPED"  # never reached: the request closed before it

    @property
    def is_done(self):
        return self in (LevelStatus.APPROVED, LevelStatus.REJECTED, LevelStatus.SKIPPED)


class ApprovalMode(enum.StrEnum):
    ANY = "ANY"  # one approval decides the level
    ALL = "ALL"  # every approver must approve
    QUORUM = "QUORUM"  # at least ``min_approvals`` of them


class RejectionPolicy(enum.StrEnum):
    VETO = "VETO"  # one rejection rejects the level
    UNREACHABLE = "UNREACHABLE"  # rejected once the approvals still possible cannot reach the rule


class BreachAction(enum.StrEnum):
    NOTIFY = "NOTIFY"  # remind and tell the initiator (the default)
    ESCALATE = "ESCALATE"  # also offer each undecided task to its holder's manager


class TaskStatus(enum.StrEnum):
    PENDING = "PENDING"  # undecided (actionable while its level is IN_PROGRESS)
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    SUPERSEDED = "SUPERSEDED"  # the level was decided (or the request closed) without them
    REASSIGNED = "REASSIGNED"  # handed to someone else: a new task took its place
    RETURNED = "RETURNED"  # its holder sent the request back for rework instead of deciding

    @property
    def is_decision(self):
        return self in (TaskStatus.APPROVED, TaskStatus.REJECTED)


class TaskReason(enum.StrEnum):
    """Why a task is held by someone other than the person first named for it."""

    OUT_OF_OFFICE = "out_of_office"
    REASSIGNED = "reassigned"
    DEACTIVATED = "deactivated"
    ESCALATED = "escalated"


class ParticipantType(enum.StrEnum):
    INITIATOR = "INITIATOR"
    APPROVER = "APPROVER"
    SPECTATOR = "SPECTATOR"


class DocumentCategory(enum.StrEnum):
    SUPPORTING = "SUPPORTING"
    INVOICE = "INVOICE"
    QUOTATION = "QUOTATION"
    CONTRACT = "CONTRACT"
    OTHER = "OTHER"


class RequestNumberCounter(db.Model):
    """The last request number handed out per organisation and month.

    Incremented with an upsert that locks the row until commit, so numbers are
    consecutive and a rolled-back create gives its number back.
    """

    __tablename__ = "request_number_counters"

    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(7), primary_key=True)  # YYYY-MM
    last_value: Mapped[int] = mapped_column(sa.Integer)


class WorkflowRequest(db.Model):
    __tablename__ = "workflow_requests"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "request_number"),
        sa.Index("ix_workflow_requests_initiator_created", "initiator_id", "created_at", "id"),
        sa.Index("ix_workflow_requests_initiator_status_created", "initiator_id", "status", "created_at", "id"),
        sa.Index("ix_workflow_requests_org_created", "organization_id", "created_at", "id"),
        # The lists' search box: part of a number or of the title (momoflow.workflows.search).
        trigram_index("ix_workflow_requests_title_trgm", "title"),
        trigram_index("ix_workflow_requests_number_trgm", "request_number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    request_number: Mapped[str] = mapped_column(sa.String(20))
    template_type: Mapped[TemplateType] = mapped_column(enum_column(TemplateType))
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text)
    priority: Mapped[Priority] = mapped_column(enum_column(Priority))
    status: Mapped[RequestStatus] = mapped_column(enum_column(RequestStatus), default=RequestStatus.PENDING)
    initiator_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    current_level: Mapped[int | None] = mapped_column(sa.SmallInteger)  # None once closed
    total_levels: Mapped[int] = mapped_column(sa.SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rounds: each resubmission after a return runs the request again as the next round.
    # While RETURNED, ``resume_level`` is the level the next round starts from.
    round: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    resume_level: Mapped[int | None] = mapped_column(sa.SmallInteger)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time spent with the initiator for rework, all rounds together (calendar seconds; added
    # at each resubmission): approval analytics keep it apart from time waiting on approvers.
    rework_seconds: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # A request raised from a template: which one, the version it was read against, and the
    # values of its form (keyed by the fields' keys; ``request_templates.form_fields``).
    template_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("request_templates.id"))
    template_version: Mapped[int | None] = mapped_column(sa.Integer)
    field_values: Mapped[dict | None] = mapped_column(JSON)

    initiator: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    levels: Mapped[list["ApprovalLevel"]] = relationship(
        back_populates="request", order_by="ApprovalLevel.level_number", lazy="raise_on_sql")
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="request", order_by="Participant.created_at", lazy="raise_on_sql")
    # The files attached now; one removed on a resubmission stays (``removed_at``) for the record.
    documents: Mapped[list["Document"]] = relationship(
        primaryjoin="and_(Document.request_id == WorkflowRequest.id, Document.removed_at.is_(None))",
        back_populates="request", order_by="Document.created_at", lazy="raise_on_sql")

    @property
    def is_pending(self):
        return self.status == RequestStatus.PENDING

    @property
    def is_returned(self):
        return self.status == RequestStatus.RETURNED

    @property
    def is_open(self):
        """Not closed: running, or back with the initiator for changes."""
        return self.status in (RequestStatus.PENDING, RequestStatus.RETURNED)

    def __repr__(self):
        return f"<WorkflowRequest {self.request_number}>"


class ApprovalLevel(db.Model):
    __tablename__ = "approval_levels"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "level_number"),
        sa.Index("ix_approval_levels_tat_due", "tat_next_check_at",
                 postgresql_where=sa.text("status = 'IN_PROGRESS' AND tat_next_check_at IS NOT NULL"),
                 sqlite_where=sa.text("status = 'IN_PROGRESS' AND tat_next_check_at IS NOT NULL")),
        sa.CheckConstraint("tat_hours > 0", name="tat_hours_positive"),
        sa.CheckConstraint("level_number > 0", name="level_number_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workflow_requests.id", ondelete="CASCADE"))
    level_number: Mapped[int] = mapped_column(sa.SmallInteger)
    level_name: Mapped[str] = mapped_column(sa.String(200))
    tat_hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    is_final_approver: Mapped[bool] = mapped_column(default=False)
    status: Mapped[LevelStatus] = mapped_column(enum_column(LevelStatus), default=LevelStatus.PENDING)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tat_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reminders at 50 % and 75 % of the TAT, then the breach: how far along the level is
    # (0 none yet, 1 half, 2 three quarters, 3 breached) and when the next one is due.
    tat_stage: Mapped[int] = mapped_column(sa.SmallInteger, default=0, server_default="0")
    tat_next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comments: Mapped[str | None] = mapped_column(sa.Text)
    approval_mode: Mapped[ApprovalMode] = mapped_column(
        enum_column(ApprovalMode), default=ApprovalMode.ANY, server_default=ApprovalMode.ANY.value)
    min_approvals: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    rejection_policy: Mapped[RejectionPolicy] = mapped_column(
        enum_column(RejectionPolicy), default=RejectionPolicy.VETO, server_default=RejectionPolicy.VETO.value)
    on_breach: Mapped[BreachAction] = mapped_column(
        enum_column(BreachAction), default=BreachAction.NOTIFY, server_default=BreachAction.NOTIFY.value)
    # The round the level's current tasks belong to: a round that runs the level again
    # gives it fresh tasks, and the earlier ones stay as its history.
    round: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    # Raised from a template: the template's level this one is (from 0), so a resubmission
    # with changed values knows which of the template's levels are decided already.
    template_level: Mapped[int | None] = mapped_column(sa.SmallInteger)

    request: Mapped[WorkflowRequest] = relationship(back_populates="levels", lazy="raise_on_sql")
    all_tasks: Mapped[list["ApprovalTask"]] = relationship(
        back_populates="level", order_by="(ApprovalTask.round, ApprovalTask.position, ApprovalTask.created_at)",
        lazy="raise_on_sql")

    @property
    def tasks(self):
        """The tasks of the level's current round: the ones its rule counts."""
        return [task for task in self.all_tasks if task.round == self.round]

    @property
    def earlier_tasks(self):
        """Tasks of rounds before the current one, oldest first."""
        return [task for task in self.all_tasks if task.round < self.round]

    def __repr__(self):
        return f"<ApprovalLevel {self.level_number} {self.status}>"


class ApprovalTask(db.Model):
    """One approver's part in a level: theirs to approve or reject.

    ``assignee`` can act on it now: the person named, or whoever stands in for them
    (``on_behalf_of`` is then the person named, ``reason`` says why). After a breach
    with ``ESCALATE`` the assignee's manager (``escalated_to``) may act on it too.
    Handing a task to someone else (reassign, a person who left) closes it as
    REASSIGNED and opens a new one in its place (``replaces``), at the same position.
    ``due_at`` is the level's deadline while the level runs and the task is undecided,
    else None: the inbox is the PENDING tasks that have one.
    """

    __tablename__ = "approval_tasks"
    __table_args__ = (
        # The inbox: a person's actionable tasks, nearest deadline first. Partial, so it
        # holds only the tasks waiting on someone, however many are decided.
        # It carries request_id (PostgreSQL) so an inbox search reads no task rows.
        sa.Index("ix_approval_tasks_inbox", "assignee_id", "due_at", "id", postgresql_include=["request_id"],
                 postgresql_where=sa.text("status = 'PENDING' AND due_at IS NOT NULL"),
                 sqlite_where=sa.text("status = 'PENDING' AND due_at IS NOT NULL")),
        sa.Index("ix_approval_tasks_escalated_inbox", "escalated_to_id", "due_at", "id",
                 postgresql_where=sa.text("status = 'PENDING' AND due_at IS NOT NULL AND escalated_to_id IS NOT NULL"),
                 sqlite_where=sa.text("status = 'PENDING' AND due_at IS NOT NULL AND escalated_to_id IS NOT NULL")),
        # A person's undecided tasks in any level (when they leave or go away).
        sa.Index("ix_approval_tasks_undecided", "assignee_id",
                 postgresql_where=sa.text("status = 'PENDING'"), sqlite_where=sa.text("status = 'PENDING'")),
        sa.Index("ix_approval_tasks_level", "level_id", "position"),
        sa.Index("ix_approval_tasks_request", "request_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workflow_requests.id", ondelete="CASCADE"))
    level_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("approval_levels.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.SmallInteger)
    assignee_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    on_behalf_of_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[TaskReason | None] = mapped_column(enum_column(TaskReason))
    escalated_to_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.PENDING)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acted_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    comments: Mapped[str | None] = mapped_column(sa.Text)
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("approval_tasks.id"))
    round: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    level: Mapped[ApprovalLevel] = relationship(back_populates="all_tasks", lazy="raise_on_sql")
    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id], lazy="raise_on_sql")
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id], lazy="raise_on_sql")
    escalated_to: Mapped[User | None] = relationship(foreign_keys=[escalated_to_id], lazy="raise_on_sql")
    acted_by: Mapped[User | None] = relationship(foreign_keys=[acted_by_id], lazy="raise_on_sql")

    @property
    def is_open(self):
        return self.status == TaskStatus.PENDING

    def __repr__(self):
        return f"<ApprovalTask {self.position} {self.status}>"


# Sorting and grouping by a level's name compares bytes on PostgreSQL, not the locale's rules:
# several times faster over a year of decisions, and the key is lower-cased already.
LEVEL_KEY = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


class ApprovalDecision(db.Model):
    """One decision (an approval, rejection or return) as approval analytics read it.

    A narrow row of its own, written with the decision (``tasks.record_decision``) and never
    changed: the organisation, when, by whom, the level's name and TAT as they were then, and
    how long it waited on its holder by the TAT clock (working seconds for STANDARD, calendar
    seconds for EXPRESS) against the level's deadline. A year of an organisation's decisions
    is then one index range of this table, read without joining tasks, levels or requests.
    """

    __tablename__ = "approval_decisions"
    __table_args__ = (
        # Covering (PostgreSQL), so the page's grouped reads touch only their index: in date
        # order for counts, and per level and per approver already in wait order, so exact
        # percentiles need no sort of the year's decisions.
        sa.Index("ix_approval_decisions_org_decided", "organization_id", "decided_at",
                 postgresql_include=["on_time"]),
        sa.Index("ix_approval_decisions_org_level", "organization_id", "level_key", "wait_seconds",
                 postgresql_include=["decided_at", "on_time", "by_delegate", "tat_hours", "level_name"]),
        sa.Index("ix_approval_decisions_org_approver", "organization_id", "approver_id", "wait_seconds",
                 postgresql_include=["decided_at", "on_time", "by_delegate"]),
        sa.Index("ix_approval_decisions_request", "request_id"),
    )

    task_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("approval_tasks.id", ondelete="CASCADE"),
                                               primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workflow_requests.id", ondelete="CASCADE"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    approver_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))  # who acted
    by_delegate: Mapped[bool] = mapped_column()  # a stand-in or an escalation manager for the person named
    level_key: Mapped[str] = mapped_column(LEVEL_KEY)  # the level's name, lower-cased: levels group by it
    level_name: Mapped[str] = mapped_column(sa.String(200))
    tat_hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    wait_seconds: Mapped[int] = mapped_column(sa.Integer)
    on_time: Mapped[bool] = mapped_column()

    def __repr__(self):
        return f"<ApprovalDecision {self.level_name} {self.wait_seconds}s>"


class Participant(db.Model):
    __tablename__ = "participants"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "user_id"),
        # "Watching": a person's spectator rows, newest first.
        sa.Index("ix_participants_user_type_created", "user_id", "participant_type", "created_at", "id"),
        # The requests a person takes part in (search by a person's name), read index-only.
        sa.Index("ix_participants_user_request", "user_id", "request_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workflow_requests.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    participant_type: Mapped[ParticipantType] = mapped_column(enum_column(ParticipantType))
    can_comment: Mapped[bool] = mapped_column(default=True)
    can_view_documents: Mapped[bool] = mapped_column(default=True)
    can_download_documents: Mapped[bool] = mapped_column(default=False)
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[WorkflowRequest] = relationship(back_populates="participants", lazy="raise_on_sql")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (sa.Index("ix_documents_request_created", "request_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workflow_requests.id", ondelete="CASCADE"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)  # random; never user input
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    category: Mapped[DocumentCategory] = mapped_column(enum_column(DocumentCategory))
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[WorkflowRequest] = relationship(back_populates="documents", lazy="raise_on_sql")
    uploaded_by: Mapped[User] = relationship(lazy="raise_on_sql")


class Comment(db.Model):
    """A work note on a request."""

    __tablename__ = "comments"
    __table_args__ = (sa.Index("ix_comments_request_created", "request_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workflow_requests.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="raise_on_sql")


class Activity(db.Model):
    """One line of a request's activity log: who did what, when."""

    __tablename__ = "activities"
    __table_args__ = (sa.Index("ix_activities_request_created", "request_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workflow_requests.id", ondelete="CASCADE"))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    summary: Mapped[str] = mapped_column(sa.String(1000))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    round: Mapped[int] = mapped_column(sa.SmallInteger, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")
