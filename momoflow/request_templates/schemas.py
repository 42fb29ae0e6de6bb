"""How templates, previews and a request's form appear in JSON."""

from momoflow.request_templates.form_fields import value_json
from momoflow.workflows.rules import tat_hours_json


def _time(value):
    return value.isoformat() if value else None


def template_summary_json(template):
    definition = template.definition
    return {"templateId": template.public_id, "name": template.name, "category": template.category,
            "description": definition.get("description", ""), "status": template.status.value,
            "version": template.version, "updatedAt": _time(template.updated_at)}


def template_json(template):
    """The template with its whole definition (fields, level rules, on approval)."""
    return {**template_summary_json(template), **template.definition, "createdAt": _time(template.created_at)}


def preview_json(preview):
    plan = preview.plan
    return {
        "templateId": preview.template.public_id,
        "version": preview.template.version,
        "levels": [planned_level_json(level) for level in plan.levels] if plan else [],
        "leftOut": [{"templateLevel": left.index + 1, "levelName": left.rule.level_name, "reason": left.reason}
                    for left in plan.left_out] if plan else [],
    }


def planned_level_json(level):
    rule = level.rule
    return {
        "levelNumber": level.number,
        "templateLevel": level.index + 1,
        "levelName": rule.level_name,
        "tatHours": tat_hours_json(rule.tat_hours),
        "approvalMode": rule.approval_mode.value,
        "minApprovals": level.min_approvals,
        "rejectionPolicy": rule.rejection_policy.value,
        "onBreach": rule.on_breach.value,
        "approvers": [{"email": approver.user.email, "name": approver.user.display_name, "why": approver.why}
                      for approver in level.approvers],
        "summary": level.summary,
    }


def form_json(form):
    """``template`` and ``fields`` of a request raised from a template."""
    if form is None:
        return {"template": None, "fields": None}
    return {"template": {"templateId": form.template_id, "name": form.name, "version": form.version},
            "fields": {field.key: value_json(field, value) for field, value in form.entries if value is not None}}
