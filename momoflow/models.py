"""Every model, imported in one place so the metadata (and Alembic) sees all tables."""

from momoflow.accounts.models import Organization, User  # noqa: F401
from momoflow.apikeys.models import ApiKey, IdempotencyRecord  # noqa: F401
from momoflow.events import Event  # noqa: F401
from momoflow.flows.models import Assignment, Flow, Module, ModuleProgress  # noqa: F401
from momoflow.workflows.models import (  # noqa: F401
    Activity,
    ApprovalLevel,
    Comment,
    Document,
    Participant,
    RequestNumberCounter,
    WorkflowRequest,
)
