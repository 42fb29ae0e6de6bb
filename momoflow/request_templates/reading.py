"""Reading templates for people: the preview of who would approve, and a request's form."""

from dataclasses import dataclass

import sqlalchemy as sa

from momoflow.errors import DomainError, ValidationFailed
from momoflow.extensions import db
from momoflow.fields import Problems
from momoflow.request_templates import definition as definitions
from momoflow.request_templates.form_fields import parse_values
from momoflow.request_templates.models import RequestTemplate, RequestTemplateVersion
from momoflow.request_templates.resolution import plan_levels
from momoflow.request_templates.services import definition_of, find_template, template_not_found


@dataclass
class Preview:
    template: object
    definition: object
    plan: object = None  # resolution.Plan, when the values allow one
    problems: list = None  # [(path, message)] of the values, or the plan's refusal
    missing: list = None  # labels of required fields not filled in yet (lenient previews)


def preview(user, template_id, raw_values, *, lenient=False):
    """The levels a request with ``raw_values`` would get, planned as the create plans them.

    Strict (the API): bad values raise ValidationFailed and a rule that finds nobody its
    DomainError, as the create would. Lenient (the page, while typing): required fields
    not filled in yet are listed in ``missing``, problems are returned, not raised."""
    template = find_template(user.organization, template_id)
    if not template.is_active and not user.is_admin:  # archived ones are not shown to requesters
        raise template_not_found(template_id)
    definition = definition_of(template)
    problems = Problems()
    values = parse_values(definition.fields, raw_values, user.organization, problems, enforce_required=not lenient)
    if problems and not lenient:
        raise ValidationFailed(problems)
    missing = [field.label for field in definition.fields if field.required and field.key not in values]
    result = Preview(template, definition, problems=list(problems), missing=missing)
    if not problems:
        try:
            result.plan = plan_levels(user, definition, values)
        except DomainError as error:
            if not lenient:
                raise
            result.problems = [(error.field or "levels", error.message)]
    return result


@dataclass
class FilledForm:
    """A request's template (as it was when raised) and the values given."""

    template_id: str
    name: str
    version: int
    definition: object
    values: dict

    @property
    def entries(self):
        return [(field, self.values.get(field.key)) for field in self.definition.fields]


def filled_form(request):
    """The FilledForm of a request raised from a template, else None (one query)."""
    if request.template_id is None:
        return None
    row = db.session.execute(
        sa.select(RequestTemplate.public_id, RequestTemplate.name, RequestTemplateVersion.definition)
        .join(RequestTemplateVersion, RequestTemplateVersion.template_id == RequestTemplate.id)
        .where(RequestTemplate.id == request.template_id,
               RequestTemplateVersion.version == request.template_version)).one_or_none()
    if row is None:
        return None
    return FilledForm(row.public_id, row.name, request.template_version, definitions.load(row.definition),
                      request.field_values or {})
