"""Keeping an organisation's request templates: create, change (a new version each time),
archive and restore. Admins only; callers own the transaction."""

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from momoflow.database import utcnow
from momoflow.accounts import admin
from momoflow.errors import Conflict, NotFound, ValidationFailed
from momoflow.extensions import db
from momoflow.flows.models import Flow, FlowStatus
from momoflow.request_templates import definition as definitions
from momoflow.request_templates.models import RequestTemplate, RequestTemplateVersion, TemplateStatus

NUL = "\x00"
ONLY_ADMINS_KEEP_TEMPLATES = "Only administrators can create, change, archive or restore templates"


def template_not_found(template_id):
    return NotFound(f"Template with ID '{str(template_id).replace(NUL, '')}' does not exist")


def require_admin(actor):
    admin.require_admin(actor, ONLY_ADMINS_KEEP_TEMPLATES)


def name_taken(name):
    return Conflict(f"A template called '{name}' already exists: choose another name", field="name")


def list_templates(organization, *, include_archived=False):
    """The organisation's templates by category, then name (a few dozen at most: no paging)."""
    statement = sa.select(RequestTemplate).where(RequestTemplate.organization_id == organization.id)
    if not include_archived:
        statement = statement.where(RequestTemplate.status == TemplateStatus.ACTIVE)
    return db.session.scalars(statement.order_by(RequestTemplate.status, RequestTemplate.category,
                                                 RequestTemplate.name_key)).all()


def find_template(organization, template_id, *, for_update=False):
    """The organisation's template with public id ``template_id``, archived or not."""
    if not isinstance(template_id, str) or NUL in template_id or len(template_id) > 40:
        raise template_not_found(template_id)
    statement = sa.select(RequestTemplate).where(RequestTemplate.public_id == template_id,
                                                 RequestTemplate.organization_id == organization.id)
    template = db.session.scalar(statement.with_for_update() if for_update else statement)
    if template is None:
        raise template_not_found(template_id)
    return template


def definition_of(template, version=None):
    """The Definition of ``template`` at ``version`` (the current one by default)."""
    if version is None or version == template.version:
        return definitions.load(template.definition)
    stored = db.session.get(RequestTemplateVersion, (template.id, version))
    return definitions.load(stored.definition) if stored else None


def create_template(admin, data):
    require_admin(admin)
    definition = definitions.parse_definition(data)
    _check_flows(admin.organization, definition)
    _refuse_taken_name(admin.organization, definition.name)
    now = utcnow()
    template = RequestTemplate(organization_id=admin.organization_id, version=1, created_by_id=admin.id,
                               updated_by_id=admin.id, created_at=now, updated_at=now)
    _apply(template, definition)
    db.session.add(template)
    _flush_name(definition.name)
    _keep_version(template, admin)
    return template


def update_template(admin, template_id, data):
    """The template with ``data`` as its definition; a new version unless nothing changed."""
    require_admin(admin)
    definition = definitions.parse_definition(data)
    template = find_template(admin.organization, template_id, for_update=True)
    if definition.as_json() == template.definition:
        return template
    _check_flows(admin.organization, definition)
    _refuse_taken_name(admin.organization, definition.name, but=template)
    _apply(template, definition)
    template.version += 1
    template.updated_by_id, template.updated_at = admin.id, utcnow()
    _flush_name(definition.name)
    _keep_version(template, admin)
    return template


def archive_template(admin, template_id):
    return _set_status(admin, template_id, TemplateStatus.ARCHIVED)


def restore_template(admin, template_id):
    return _set_status(admin, template_id, TemplateStatus.ACTIVE)


def _set_status(admin, template_id, status):
    require_admin(admin)
    template = find_template(admin.organization, template_id, for_update=True)
    if template.status != status:
        template.status = status
        template.updated_by_id, template.updated_at = admin.id, utcnow()
    return template


def _apply(template, definition):
    template.name, template.name_key = definition.name, definition.name.casefold()
    template.category = definition.category
    template.definition = definition.as_json()


def _flush_name(name):
    """Flush the template: a name another admin took since ``_refuse_taken_name`` looked
    is the same refusal, not a 500 (the unique constraint has the last word)."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise name_taken(name) from None


def _keep_version(template, admin):
    db.session.add(RequestTemplateVersion(template_id=template.id, version=template.version,
                                          definition=template.definition, created_by_id=admin.id))
    db.session.flush()


def _refuse_taken_name(organization, name, but=None):
    statement = sa.select(RequestTemplate.id).where(RequestTemplate.organization_id == organization.id,
                                                    RequestTemplate.name_key == name.casefold())
    if but is not None:
        statement = statement.where(RequestTemplate.id != but.id)
    if db.session.scalar(statement) is not None:
        raise name_taken(name)


def _check_flows(organization, definition):
    """Every flow named in ``onApproval`` is one of the organisation's active flows."""
    wanted = {action.flow_id for action in definition.on_approval}
    if not wanted:
        return
    found = dict(db.session.execute(sa.select(Flow.public_id, Flow.status).where(
        Flow.organization_id == organization.id, Flow.public_id.in_(wanted))).all())
    problems = []
    for index, action in enumerate(definition.on_approval):
        if action.flow_id not in found:
            problems.append((f"onApproval.{index}.flowId", f"Flow with ID '{action.flow_id}' does not exist"))
        elif found[action.flow_id] != FlowStatus.ACTIVE:
            problems.append((f"onApproval.{index}.flowId", f"Flow '{action.flow_id}' is archived"))
    if problems:
        raise ValidationFailed(problems)
