"""Raising a request from a template: the form checked, the levels planned, the defaults
filled in, ready for ``workflows.creating`` to build like any other request."""

from dataclasses import dataclass, replace

import sqlalchemy as sa

from momoflow.errors import Conflict, DomainError
from momoflow.extensions import db
from momoflow.fields import Problems
from momoflow.request_templates.form_fields import FieldType, display, parse_values
from momoflow.request_templates.resolution import plan_levels
from momoflow.request_templates.services import definition_of, find_template
from momoflow.workflows.models import ApprovalLevel
from momoflow.workflows.validation import LevelSpec

TITLE_FIELDS = (FieldType.SHORT_TEXT, FieldType.PERSON, FieldType.CHOICE)


@dataclass
class Prepared:
    template: object  # RequestTemplate
    definition: object  # definition.Definition
    values: dict
    plan: object  # resolution.Plan
    spec: object  # the workflows NewRequest, levels and defaults filled in

    @property
    def approvers(self):
        """Per level, the people who approve it."""
        return [[approver.user for approver in level.approvers] for level in self.plan.levels]


def template_archived(name):
    return Conflict(f"The template '{name}' is archived: choose another one", field="templateId")


def prepare(initiator, spec, field_files=None):
    """What ``spec`` (templateType TEMPLATE) asks for, checked and planned.
    ``field_files`` maps a file field's key to its upload."""
    template = find_template(initiator.organization, spec.template_id)
    if not template.is_active:
        raise template_archived(template.name)
    definition = definition_of(template)
    values = check_values(initiator, definition, spec.field_values, field_files)
    plan = plan_levels(initiator, definition, values)
    levels = [level_spec(level) for level in plan.levels]
    approver_emails = {user.email for user in (approver.user for level in plan.levels for approver in level.approvers)}
    taken = approver_emails | {initiator.email, *spec.spectators}
    spectators = list(spec.spectators) + [email for email in definition.default_spectators if email not in taken]
    filled = replace(spec, title=spec.title or default_title(definition, values),
                     description=spec.description or definition.description or definition.name,
                     priority=spec.priority or definition.default_priority, levels=levels, spectators=spectators)
    return Prepared(template, definition, values, plan, filled)


def check_values(initiator, definition, raw_values, field_files=None):
    problems = Problems()
    files = {key: {"fileName": upload.filename} for key, upload in (field_files or {}).items()}
    values = parse_values(definition.fields, raw_values, initiator.organization, problems, files=files)
    problems.raise_if_any()
    return values


def level_spec(level):
    rule = level.rule
    return LevelSpec(emails=[approver.user.email for approver in level.approvers], tat_hours=rule.tat_hours,
                     level_name=rule.level_name, approval_mode=rule.approval_mode,
                     min_approvals=level.min_approvals, rejection_policy=rule.rejection_policy,
                     on_breach=rule.on_breach, email_paths=[f"levels.{level.index}"] * len(level.approvers),
                     template_level=level.index)


def default_title(definition, values):
    """``New hire: sam.lee@company.com``: the template's name and its first text answer."""
    first = next((display(field, values[field.key]) for field in definition.fields
                  if field.type in TITLE_FIELDS and values.get(field.key)), None)
    return f"{definition.name}: {first}"[:500] if first else definition.name


@dataclass
class Replanned:
    values: dict
    levels: list  # LevelSpec of the levels that run again, from the resume level on
    approvers: list  # per such level, its people
    changes: list  # [{"field": "fields.amount", "label", "old", "new"}] as the resubmission diff reads


def replan(initiator, request, form, raw_changes, resume_level):
    """A returned template request's form with ``raw_changes`` applied (only what changed;
    null clears a field) and its levels planned again. The levels before ``resume_level``
    are decided and stay; the plan's levels after the last template level they were
    planned from become the ones that run again (a level the new values no longer need
    is dropped, one they now need joins)."""
    merged = {field.key: value for field, value in form.entries
              if value is not None and field.type != FieldType.FILE}
    merged.update(raw_changes)
    files = {field.key: value for field, value in form.entries if field.type == FieldType.FILE and value}
    problems = Problems()
    values = parse_values(form.definition.fields, merged, initiator.organization, problems, files=files)
    problems.raise_if_any()
    plan = plan_levels(initiator, form.definition, values)
    decided_up_to = _last_decided_template_level(request, resume_level)
    again = [level for level in plan.levels if level.index > decided_up_to]
    if not again:
        raise DomainError("With these values none of the template's levels after the decided ones applies, so no "
                          "level would look at the changes. Withdraw the request and raise a new one instead.",
                          field="fields")
    return Replanned(values, [level_spec(level) for level in again],
                     [[approver.user for approver in level.approvers] for level in again],
                     _changes(form, values))


def _last_decided_template_level(request, resume_level):
    """The template level (from 0) of the last level before ``resume_level``; -1 if none."""
    decided = db.session.scalars(sa.select(ApprovalLevel.template_level).where(
        ApprovalLevel.request_id == request.id, ApprovalLevel.level_number < resume_level)).all()
    return max((index for index in decided if index is not None), default=-1)


def _changes(form, values):
    diff = []
    for field, old in form.entries:
        new = values.get(field.key)
        if old != new:
            diff.append({"field": f"fields.{field.key}", "label": field.label,
                         "old": display(field, old) or None, "new": display(field, new) or None})
    return diff
