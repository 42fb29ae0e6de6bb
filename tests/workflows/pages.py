"""What the workflow page tests share: the demo's people, raising a request, posting with
a CSRF token (plain or htmx) and reading errors off a page."""

import io
import re

from werkzeug.datastructures import FileStorage

from momoflow.workflows import services
from momoflow.workflows.models import ApprovalLevel, DocumentCategory, LevelStatus
from momoflow.workflows.validation import parse_new_request
from tests.conftest import csrf_token_from
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
MANAGER = "manager@royalenfield.com"
DIRECTOR = "director@royalenfield.com"
SPECTATOR = "spectator@royalenfield.com"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTMX = {"HX-Request": "true"}


def raise_request(db, demo, *approvers, spectators=(), with_file=False, title="Purchase Order", priority="STANDARD"):
    spec = parse_new_request(simple_request(*approvers, spectators=spectators, title=title, priority=priority))
    files = [FileStorage(io.BytesIO(PDF), filename="quote.pdf")] if with_file else []
    created = services.create_request(demo[INITIATOR], spec, files, DocumentCategory.QUOTATION)
    db.session.flush()
    return created


def token_on(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def htmx_post(client, url, token, data=None):
    return client.post(url, data=data or {}, headers={**HTMX, "X-CSRFToken": token})


def error_of(html, input_id):
    """The message shown for the input with ``input_id`` (None when it has none)."""
    match = re.search(rf'<p class="field__error" id="{re.escape(input_id)}-error">([^<]*)</p>', html)
    return match and match.group(1)


def fresh(db, model, ident):
    return db.session.get(model, ident, populate_existing=True)


def current_level(db, workflow):
    return db.session.scalar(db.select(ApprovalLevel).where(
        ApprovalLevel.request_id == workflow.id, ApprovalLevel.status == LevelStatus.IN_PROGRESS))


def approver_emails(db, level):
    """The emails of ``level``'s current approvers (tasks not handed on), in order."""
    from momoflow.accounts.models import User
    from momoflow.workflows.models import ApprovalTask, TaskStatus

    return db.session.scalars(
        db.select(User.email).join(ApprovalTask, ApprovalTask.assignee_id == User.id)
        .where(ApprovalTask.level_id == level.id, ApprovalTask.status != TaskStatus.REASSIGNED)
        .order_by(ApprovalTask.position)).all()
