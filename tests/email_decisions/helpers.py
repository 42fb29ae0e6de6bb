"""Reading decision links out of the emails the SMTP server received, and following them."""

import re
import uuid

import sqlalchemy as sa

from momoflow.workflows.models import Activity, ApprovalLevel, ApprovalTask
from tests.conftest import csrf_token_from
from tests.notifications.conftest import BASE_URL
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
MANAGER = "manager@royalenfield.com"  # Arjun Mehta
DIRECTOR = "director@royalenfield.com"  # Kavita Rao
OTHER = "cfo@royalenfield.com"  # Rajesh Iyer


def raise_request(api_as, *approvers, **fields):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(*approvers, **fields))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def text_of(message):
    return next(part.get_content() for part in message.iter_parts() if part.get_content_type() == "text/plain")


def html_of(message):
    return next(part.get_content() for part in message.iter_parts() if part.get_content_type() == "text/html")


def link_in(message, button="Approve"):
    """The path of ``button``'s link (Approve, Reject, Open the request) in the text part."""
    url = re.search(rf"^{button}: (\S+)", text_of(message), re.MULTILINE).group(1)
    assert url.startswith(BASE_URL + "/"), url
    return url[len(BASE_URL):]


def token_of(path):
    return path.split("/")[2]


def tasks_of(db, request_id):
    return db.session.scalars(sa.select(ApprovalTask).where(ApprovalTask.request_id == uuid.UUID(request_id))
                              .order_by(ApprovalTask.created_at)
                              .execution_options(populate_existing=True)).all()


def level_of(db, request_id, number=1):
    return db.session.scalar(sa.select(ApprovalLevel).where(ApprovalLevel.request_id == uuid.UUID(request_id),
                                                            ApprovalLevel.level_number == number))


def activity(db, request_id, prefix="email_link."):
    return db.session.scalars(sa.select(Activity).where(Activity.request_id == uuid.UUID(request_id),
                                                        Activity.action.startswith(prefix))
                              .order_by(Activity.created_at).execution_options(populate_existing=True)).all()


def confirm(client, path, comments=None, **kwargs):
    """Open the link, then press the page's button: ``(page, answer)``."""
    page = client.get(path, **kwargs)
    assert page.status_code == 200, page.get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page.get_data(as_text=True))}
    if comments is not None:
        data["comments"] = comments
    return page, client.post(path, data=data, **kwargs)
