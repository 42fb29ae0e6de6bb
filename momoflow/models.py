"""Every model, imported in one place so the metadata (and Alembic) sees all tables."""

from momoflow.accounts.models import Organization, User  # noqa: F401
from momoflow.apikeys.models import ApiKey, IdempotencyRecord  # noqa: F401
from momoflow.auth.models import UserSession  # noqa: F401
from momoflow.email_decisions.models import DecisionLink  # noqa: F401
from momoflow.events import Event  # noqa: F401
from momoflow.exports.models import Export  # noqa: F401
from momoflow.flows.models import (  # noqa: F401
    Acknowledgement,
    Assignment,
    AssignmentRule,
    AssignmentRuleMember,
    Flow,
    FlowSchedule,
    Module,
    ModuleFile,
    ModuleProgress,
    QuizAttempt,
    QuizQuestion,
)
from momoflow.groups.models import Group, GroupMember  # noqa: F401
from momoflow.notifications.models import Email, EmailOptOut, Notification  # noqa: F401
from momoflow.request_templates.models import RequestTemplate, RequestTemplateVersion  # noqa: F401
from momoflow.scim.models import ScimChange, ScimToken  # noqa: F401
from momoflow.sso.models import SsoDomain, SsoIdentity, SsoProvider  # noqa: F401
from momoflow.workflows.models import (  # noqa: F401
    Activity,
    ApprovalLevel,
    Comment,
    Document,
    Participant,
    RequestNumberCounter,
    WorkflowRequest,
)
from momoflow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: F401
