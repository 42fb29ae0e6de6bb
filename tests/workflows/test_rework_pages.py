"""Sending back and resubmitting in the browser's forms: the request page, the resubmit
page with its diff, and their refusals shown inline."""

import io
import re

from momoflow.workflows.models import RequestStatus, WorkflowRequest
from tests.workflows.pages import (
    DIRECTOR,
    INITIATOR,
    MANAGER,
    PDF,
    SPECTATOR,
    current_level,
    error_of,
    fresh,
    raise_request,
    token_on,
)


def _send_back(client, workflow, level, token, **form):
    return client.post(f"/requests/{workflow.id}/levels/{level.id}/return", data={"csrf_token": token, **form})


def test_an_approver_sends_a_request_back_from_its_page(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, DIRECTOR, spectators=[SPECTATOR])
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    token = token_on(client, f"/requests/{workflow.id}")
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Send back for changes" in page and f'/levels/{level.id}/return' in page

    empty = _send_back(client, workflow, level, token, comments="  ")
    assert empty.status_code == 422
    html = empty.get_data(as_text=True)
    assert error_of(html, f"send-back-{level.id}-comments") == (
        "Comments are required to return a request: say what should change")
    assert fresh(db, WorkflowRequest, workflow.id).status == RequestStatus.PENDING

    sent = _send_back(client, workflow, level, token, comments="Please attach the quotation")
    assert sent.status_code == 303
    assert fresh(db, WorkflowRequest, workflow.id).status == RequestStatus.RETURNED
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Sent back to Employee" in page or "Sent back to" in page
    assert "Please attach the quotation" in page and "Change and resubmit" not in page


def test_the_initiator_changes_and_resubmits_and_the_page_shows_what_changed(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, DIRECTOR, with_file=True)
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    _send_back(client, workflow, level, token_on(client, f"/requests/{workflow.id}"),
               comments="Use the new vendor's quote")
    login_as(demo[INITIATOR])
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Sent back to you for changes" in page and "Use the new vendor&#39;s quote" in page
    form_page = client.get(f"/requests/{workflow.id}/resubmit")
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert 'value="Purchase Order"' in html and MANAGER in html and DIRECTOR in html
    document_id = re.search(r'name="remove_document" value="([^"]+)"', html).group(1)
    token = token_on(client, f"/requests/{workflow.id}/resubmit")
    form = {"csrf_token": token, "title": "Purchase Order (new vendor)", "description": "Office equipment",
            "priority": "STANDARD", "level_key": ["r0", "r1"], "level_approver.r0": MANAGER,
            "level_approver.r1": DIRECTOR, "level_tat": ["24", "48"], "level_name": ["", ""],
            "level_added": ["", ""], "remove_document": document_id, "category": "QUOTATION",
            "comments": "New vendor, new quote", "files": (io.BytesIO(PDF), "new-quote.pdf")}
    response = client.post(f"/requests/{workflow.id}/resubmit", data=form, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    resubmitted = fresh(db, WorkflowRequest, workflow.id)
    assert (resubmitted.status, resubmitted.round, resubmitted.current_level) == (RequestStatus.PENDING, 2, 1)
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Round 2" in page
    assert "Purchase Order (new vendor)" in page and "<del>" in page and "<ins>" in page
    assert "new-quote.pdf" in page and "Files removed" in page and "quote.pdf" in page
    assert "48 h" in page  # level 2's TAT changed: the diff shows it


def test_resubmit_form_errors_show_inline_and_change_nothing(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    login_as(demo[MANAGER])
    _send_back(client, workflow, current_level(db, workflow), token_on(client, f"/requests/{workflow.id}"),
               comments="fix")
    login_as(demo[INITIATOR])
    token = token_on(client, f"/requests/{workflow.id}/resubmit")
    response = client.post(f"/requests/{workflow.id}/resubmit", data={
        "csrf_token": token, "title": "", "description": "x", "priority": "STANDARD", "level_key": "r0",
        "level_approver.r0": INITIATOR, "level_tat": "24", "level_name": "", "level_added": "",
        "category": "SUPPORTING"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "title") == "Title is required"
    assert fresh(db, WorkflowRequest, workflow.id).status == RequestStatus.RETURNED


def test_only_the_initiator_of_a_returned_request_gets_the_resubmit_page(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    login_as(demo[INITIATOR])
    assert client.get(f"/requests/{workflow.id}/resubmit").status_code == 303  # not returned
    login_as(demo[MANAGER])
    _send_back(client, workflow, current_level(db, workflow), token_on(client, f"/requests/{workflow.id}"),
               comments="fix")
    assert client.get(f"/requests/{workflow.id}/resubmit").status_code == 303  # not the initiator
    login_as(demo["cfo@royalenfield.com"])
    assert client.get(f"/requests/{workflow.id}/resubmit").status_code == 404  # cannot see it


def test_send_back_to_an_earlier_level_from_the_page(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, DIRECTOR)
    login_as(demo[MANAGER])
    first = current_level(db, workflow)
    client.post(f"/requests/{workflow.id}/levels/{first.id}/approve",
                data={"csrf_token": token_on(client, f"/requests/{workflow.id}")})
    login_as(demo[DIRECTOR])
    second = current_level(db, workflow)
    token = token_on(client, f"/requests/{workflow.id}")
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Level 1 · " in page and "(approves again)" in page
    response = _send_back(client, workflow, second, token, comments="Manager should recheck", to="1")
    assert response.status_code == 303
    assert fresh(db, WorkflowRequest, workflow.id).resume_level == 1


def test_my_requests_says_a_returned_request_waits_for_me(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, DIRECTOR)
    login_as(demo[MANAGER])
    _send_back(client, workflow, current_level(db, workflow), token_on(client, f"/requests/{workflow.id}"),
               comments="fix")
    login_as(demo[INITIATOR])
    page = client.get("/requests?status=returned").get_data(as_text=True)
    assert workflow.request_number in page and "Returned to you for changes" in page
    assert "Round 2 starts at level 1 when resubmitted" in page
