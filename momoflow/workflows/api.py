"""The workflow JSON API (``/api/v1/workflows``): thin callers of the services."""

from momoflow import fields

from flask import g, jsonify, request

from momoflow.api import bp, checks_initiator, fails_as, json_body
from momoflow.errors import ValidationFailed
from momoflow.workflows import bulk, queries, services
from momoflow.workflows.access import load_access, person_of_my_organization
from momoflow.workflows.documents import send_document
from momoflow.workflows.schemas import (
    bulk_outcome_json,
    comment_json,
    detail_json,
    level_json,
    list_item_json,
    participant_json,
)
from momoflow.workflows.throttle import throttle_bulk_decisions
from momoflow.workflows.validation import (
    parse_category,
    parse_email,
    parse_files,
    parse_new_level,
    parse_new_request,
    parse_resubmission,
)

# The seed's error titles, one per route; the API document (momoflow/openapi) shows them too.
CREATE_FAILED = "Failed to create workflow"
AT_LEVEL_FAILED, APPROVER_FAILED, SPECTATOR_FAILED = (
    "Failed to add approver at level", "Failed to add approver", "Failed to add spectator")
WITHDRAW_FAILED, COMMENT_FAILED, DOWNLOAD_FAILED = (
    "Failed to withdraw", "Failed to add comment", "Failed to download document")
APPROVE_FAILED, REJECT_FAILED = "Failed to approve", "Failed to reject"
TO_LEVEL_FAILED, REASSIGN_FAILED = "Failed to add approver to level", "Failed to reassign"
REASSIGN_ALL_FAILED = "Failed to reassign tasks"
RETURN_FAILED, RESUBMIT_FAILED = "Failed to return", "Failed to resubmit"
DECIDE_MANY_FAILED = "Failed to decide"
FIELD_PART = "fields."  # multipart: a template's file field travels as the part fields.<key>


def _ok(data, status=200, message=None, **extra):
    body = {"success": True}
    if message:
        body["message"] = message
    body["data"] = data
    body.update(extra)
    return jsonify(body), status


def _detail(request_id):
    return detail_json(queries.request_detail(g.api_user, request_id))


@bp.post("/workflows")
@fails_as(CREATE_FAILED)
@checks_initiator
def create_workflow():
    spec = parse_new_request(json_body())
    created = services.create_request(g.api_user, spec)
    return _ok(_detail(created.id), 201, "Workflow created successfully")


@bp.post("/workflows/multipart")
@fails_as(CREATE_FAILED)
@checks_initiator
def create_workflow_multipart():
    spec = parse_new_request(_payload_field())
    files = parse_files(request.files.getlist("files"))
    category = parse_category(request.form.get("category"))
    created = services.create_request(g.api_user, spec, files, category, _field_files())
    return _ok(_detail(created.id), 201, "Workflow created successfully")


def _field_files():
    """A template's file fields, each sent as its own part ``fields.<key>`` (the form's
    checks name unknown keys, and a part sent without a file counts as not sent)."""
    return {name.removeprefix(FIELD_PART): upload for name, upload in request.files.items()
            if name.startswith(FIELD_PART) and upload.filename}


def _payload_field():
    raw = request.form.get("payload")
    if not raw:
        raise ValidationFailed([("payload", "payload is required: the request as JSON text")])
    try:
        data = fields.json_document(raw)
    except fields.NotJson as error:
        if error.path:
            path = f"payload.{error.path}"
            raise ValidationFailed([(path, f"{path} {error.message}")]) from None
        message = "payload must be valid JSON" if error.message == "is not valid JSON" else f"payload {error.message}"
        raise ValidationFailed([("payload", message)]) from None
    if not isinstance(data, dict):
        raise ValidationFailed([("payload", "payload must be a JSON object")])
    return data


@bp.get("/workflows")
def list_workflows():
    page = queries.list_requests(g.api_user, queries.parse_list_query(request.args))
    pagination = {"limit": page.query.limit, "nextCursor": page.next_cursor, "hasMore": page.next_cursor is not None}
    return _ok([list_item_json(item) for item in page.items], pagination=pagination)


@bp.get("/workflows/<request_id>")
def get_workflow(request_id):
    return _ok(_detail(request_id))


@bp.post("/workflows/<request_id>/approvers/at-level")
@fails_as(AT_LEVEL_FAILED)
def add_approver_at_level(request_id):
    level = services.add_approver_at_level(g.api_user, request_id, parse_new_level(json_body()))
    return _ok(level_json(level), 201, "Approver added successfully")


@bp.post("/workflows/<request_id>/participants/approver")
@fails_as(APPROVER_FAILED)
def add_approver(request_id):
    participant = services.add_approver(g.api_user, request_id, parse_email(json_body()))
    return _ok(participant_json(participant), 201, "Approver added successfully")


@bp.post("/workflows/<request_id>/participants/spectator")
@fails_as(SPECTATOR_FAILED)
def add_spectator(request_id):
    participant = services.add_spectator(g.api_user, request_id, parse_email(json_body()))
    return _ok(participant_json(participant), 201, "Spectator added successfully")


@bp.post("/workflows/<request_id>/levels/<level_id>/approve")
@fails_as(APPROVE_FAILED)
def approve_level(request_id, level_id):
    services.approve_level(g.api_user, request_id, level_id, _optional_body().get("comments"))
    return _ok(_detail(request_id), message="Level approved")


@bp.post("/workflows/<request_id>/levels/<level_id>/reject")
@fails_as(REJECT_FAILED)
def reject_level(request_id, level_id):
    services.reject_level(g.api_user, request_id, level_id, json_body().get("comments"))
    return _ok(_detail(request_id), message="Level rejected")


@bp.post("/workflows/<request_id>/levels/<level_id>/return")
@fails_as(RETURN_FAILED)
def return_request(request_id, level_id):
    body = json_body()
    services.return_request(g.api_user, request_id, level_id, body.get("comments"), body.get("to"))
    return _ok(_detail(request_id), message="Request returned for changes")


@bp.post("/workflows/<request_id>/resubmit")
@fails_as(RESUBMIT_FAILED)
def resubmit(request_id):
    """JSON with the changed fields, or multipart like create (``payload``, ``files``, ``category``)."""
    if request.mimetype == "multipart/form-data":
        changes = parse_resubmission(_payload_field())
        files = parse_files(request.files.getlist("files"))
        services.resubmit_request(g.api_user, request_id, changes, files, parse_category(request.form.get("category")))
    else:
        services.resubmit_request(g.api_user, request_id, parse_resubmission(json_body()))
    return _ok(_detail(request_id), message="Request resubmitted")


@bp.post("/workflows/decisions")
@fails_as(DECIDE_MANY_FAILED)
@throttle_bulk_decisions
def decide_many():
    """Many approvals and rejections in one call, each applied (or refused) on its own.
    Text is checked item by item (``check_text`` off), so a bad comment fails only its item."""
    decisions, dry_run = bulk.parse_decisions(json_body(check_text=False))
    outcomes = bulk.decide_many(g.api_user, decisions, dry_run=dry_run)
    summary = bulk.counts(outcomes)
    message = ", ".join(f"{count} {name}" for name, count in summary.items())
    return _ok({"dryRun": dry_run, "summary": summary, "results": [bulk_outcome_json(o) for o in outcomes]},
               message=f"Dry run: {message}" if dry_run else message.capitalize())


@bp.post("/workflows/<request_id>/levels/<level_id>/approvers")
@fails_as(TO_LEVEL_FAILED)
def add_to_level(request_id, level_id):
    task = services.add_to_level(g.api_user, request_id, level_id, json_body().get("email"))
    return _ok(level_json(task.level), 201, "Approver added to the level")


@bp.post("/workflows/<request_id>/levels/<level_id>/reassign")
@fails_as(REASSIGN_FAILED)
def reassign(request_id, level_id):
    body = json_body()
    services.reassign_task(g.api_user, request_id, level_id, body.get("to"), body.get("reason"), body.get("from"))
    return _ok(_detail(request_id), message="Task reassigned")


@bp.post("/users/<email>/tasks/reassign")
@fails_as(REASSIGN_ALL_FAILED)
def reassign_all(email):
    body = json_body()
    moved = services.reassign_all(g.api_user, person_of_my_organization(g.api_user, email), body.get("to"), body.get("reason"))
    return _ok({"moved": sum(1 for item in moved if item.task is not None),
                "skipped": [{"requestId": str(item.request.id), "requestNumber": item.request.request_number,
                             "levelNumber": item.level.level_number, "reason": item.problem}
                            for item in moved if item.task is None]}, message="Tasks reassigned")


@bp.post("/workflows/<request_id>/withdraw")
@fails_as(WITHDRAW_FAILED)
def withdraw(request_id):
    services.withdraw_request(g.api_user, request_id, _optional_body().get("reason"))
    return _ok(_detail(request_id), message="Request withdrawn")


@bp.post("/workflows/<request_id>/comments")
@fails_as(COMMENT_FAILED)
def add_comment(request_id):
    comment = services.add_comment(g.api_user, request_id, json_body().get("comment"))
    return _ok(comment_json(comment), 201, "Comment added")


@bp.get("/workflows/<request_id>/documents/<document_id>")
@fails_as(DOWNLOAD_FAILED)
def download_document(request_id, document_id):
    access = load_access(g.api_user, request_id, with_details=True)
    return send_document(access, document_id)


def _optional_body():
    """The JSON object if one was sent; approving needs no body at all."""
    if not request.get_data(cache=True):
        return {}
    return json_body()
