"""The templates JSON API (``/api/v1/templates``): reading and previewing for everyone,
keeping them for admins. Thin callers of the services."""

from flask import g, jsonify, request

from momoflow.api import bp, fails_as, json_body
from momoflow.errors import Forbidden
from momoflow.request_templates import reading, services
from momoflow.request_templates.schemas import preview_json, template_json, template_summary_json

PREVIEW_FAILED, SAVE_FAILED = "Failed to preview", "Failed to save template"
ONLY_ADMINS_SEE_ARCHIVED = "Only administrators can list archived templates"


def _ok(data, status=200, message=None):
    body = {"success": True}
    if message:
        body["message"] = message
    body["data"] = data
    return jsonify(body), status


@bp.get("/templates")
def list_templates():
    """Active templates; ``?includeArchived=true`` adds archived ones (admins)."""
    archived = request.args.get("includeArchived", "").lower() == "true"
    if archived and not g.api_user.is_admin:
        raise Forbidden(ONLY_ADMINS_SEE_ARCHIVED)
    templates = services.list_templates(g.api_user.organization, include_archived=archived)
    return _ok([template_summary_json(template) for template in templates])


@bp.get("/templates/<template_id>")
def get_template(template_id):
    template = services.find_template(g.api_user.organization, template_id)
    if not template.is_active and not g.api_user.is_admin:
        raise services.template_not_found(template_id)
    return _ok(template_json(template))


@bp.post("/templates/<template_id>/preview")
@fails_as(PREVIEW_FAILED)
def preview_template(template_id):
    body = json_body()
    result = reading.preview(g.api_user, template_id, body.get("fields"))
    return _ok(preview_json(result))


@bp.post("/templates")
@fails_as(SAVE_FAILED)
def create_template():
    template = services.create_template(g.api_user, json_body())
    return _ok(template_json(template), 201, "Template created")


@bp.put("/templates/<template_id>")
@fails_as(SAVE_FAILED)
def update_template(template_id):
    template = services.update_template(g.api_user, template_id, json_body())
    return _ok(template_json(template), 200, "Template saved")


@bp.post("/templates/<template_id>/archive")
@fails_as(SAVE_FAILED)
def archive_template(template_id):
    return _ok(template_json(services.archive_template(g.api_user, template_id)), 200, "Template archived")


@bp.post("/templates/<template_id>/restore")
@fails_as(SAVE_FAILED)
def restore_template(template_id):
    return _ok(template_json(services.restore_template(g.api_user, template_id)), 200, "Template restored")
