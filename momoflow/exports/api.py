"""``GET /v1/exports/exp_…``: an export's file, with an API key of its organisation (one with
``reports:read``) or with the signed link its answer gave (which needs no key, and works until
the export expires)."""

from datetime import datetime, timezone

from flask import request, send_file

from momoflow.apikeys.models import Scope
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError, Unauthorized
from momoflow.exports import services
from momoflow.exports.models import ExportStatus
from momoflow.flows.schemas import iso
from momoflow.integrator import bp, current_api_key, signed_link_allowed
from momoflow.integrator.scopes import requires_scope

INVALID_LINK = "Invalid download link"
RETRY_SECONDS = 2


class Gone(DomainError):
    status = 410
    code = "gone"
    title = "Gone"


class ExportFailed(Conflict):
    code = "export_failed"


@bp.get("/exports/<export_id>")
@requires_scope(Scope.REPORTS_READ)
@signed_link_allowed
def download_export(export_id):
    api_key = current_api_key()
    if api_key is None:
        export = _by_link(export_id)
    else:
        export = services.find(api_key.organization_id, export_id)
    if export.expires_at <= utcnow():
        raise Gone(f"This export expired at {iso(export.expires_at)}")
    if export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return ({"exportId": export.public_id, "status": export.status.value,
                 "message": "The file is being built: try again in a moment."},
                202, {"Retry-After": str(RETRY_SECONDS)})
    if export.status == ExportStatus.FAILED:
        raise ExportFailed(export.error or services.BUILD_FAILED)
    path = services.file_path(export)
    if path is None or not path.exists():
        raise Gone("This export's file is no longer kept")
    response = send_file(path, mimetype=export.content_type, as_attachment=True, download_name=export.file_name,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def export_answer(export):
    """What asking for a file answers: the documented ``downloadUrl`` and ``expiresAt``, then
    the export's id and state (the link works once it is ready)."""
    return {"downloadUrl": services.download_url(export), "expiresAt": iso(export.expires_at),
            "exportId": export.public_id, "status": export.status.value}


def _by_link(export_id):
    """The export a signed link names: its signature must match and its time not be over."""
    expires = request.args.get("expires", "")
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 12) or not services.signature_is_valid(
            export_id, expires, request.args.get("signature")):
        raise Unauthorized(INVALID_LINK)
    ends = datetime.fromtimestamp(int(expires), timezone.utc)
    if ends <= utcnow():
        raise Gone(f"This download link expired at {iso(ends)}")
    return services.find(None, export_id)
