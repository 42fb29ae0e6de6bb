"""The approval workflow pages: new request, inbox and deciding, the request page, and
their htmx answers, CSRF and permissions (the lists: ``test_list_pages``)."""

import io
import re

import pytest

from momoflow.workflows.documents import ACCEPT
from momoflow.workflows.models import (
    ApprovalLevel,
    Comment,
    Document,
    LevelStatus,
    RequestStatus,
    WorkflowRequest,
)
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.workflows.pages import (
    approver_emails,
    DIRECTOR,
    HTMX,
    INITIATOR,
    MANAGER,
    PDF,
    SPECTATOR,
    current_level,
    error_of,
    fresh,
    htmx_post,
    raise_request,
    token_on,
)


# --- new request -------------------------------------------------------------------


def test_new_request_form_renders(client, demo, login_as):
    login_as(demo[INITIATOR])
    response = client.get("/requests/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for label in ('for="title"', 'for="description"', 'for="level-r0-email"',
                  'for="level-r0-tat"', 'for="level-r0-name"', 'for="files"', 'for="category"'):
        assert label in html
    assert f'accept="{ACCEPT}"' in html and "multiple" in html
    assert 'hx-get="/requests/new/level-row"' in html and 'data-max="10"' in html
    assert '<datalist id="people-options">' in html and 'hx-trigger="input changed delay:250ms"' in html


def test_new_level_rows_have_their_own_ids(client, demo, login_as):
    login_as(demo[INITIATOR])
    first, second = (client.get("/requests/new/level-row", headers=HTMX).get_data(as_text=True) for _ in range(2))
    ids = [re.search(r'id="(level-[0-9a-f]+)-email"', row).group(1) for row in (first, second)]
    assert ids[0] != ids[1]
    key = ids[0].removeprefix("level-")
    assert f'name="level_key" value="{key}"' in first and f'name="level_approver.{key}"' in first
    assert 'name="level_tat"' in first and 'value="24"' in first
    spectator = client.get("/requests/new/spectator-row", headers=HTMX).get_data(as_text=True)
    assert 'name="spectator_email"' in spectator


def test_invalid_request_shows_each_problem_next_to_its_field(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data={
        "csrf_token": token, "title": "  ", "description": "Laptops", "priority": "STANDARD",
        "template_type": "CUSTOM", "category": "SUPPORTING",
        "level_email": ["not-an-email", MANAGER, ""], "level_tat": ["24", "-1", "24"], "level_name": ["", "", ""],
        "spectator_email": ["", "nobody"],
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "title") == "Title is required"
    assert error_of(html, "level-r0-email") == "Valid email is required"
    assert error_of(html, "level-r1-email") is None
    assert error_of(html, "level-r1-tat") == "TAT hours must be positive"
    # The blank rows are gone, so the spectator row with the problem is the first one.
    assert error_of(html, "spectator-r0-email") == "Valid email is required"
    assert 'id="level-r2-email"' not in html
    assert 'aria-describedby="title-error"' in html and 'aria-invalid="true"' in html
    assert 'href="#level-r1-tat"' in html  # the summary links to the field
    assert f'value="{MANAGER}"' in html and 'value="Laptops"' not in html and ">Laptops</textarea>" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(WorkflowRequest)) == 0


def test_service_refusal_lands_on_the_row_it_names(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data={
        "csrf_token": token, "title": "Laptops", "description": "Two laptops", "priority": "EXPRESS",
        "template_type": "CUSTOM", "category": "SUPPORTING",
        "level_email": [MANAGER, "ghost@royalenfield.com"], "level_tat": ["24", "48"], "level_name": ["", ""],
        "files": [(io.BytesIO(PDF), "quote.pdf")],
    }, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not found in organization directory" in error_of(html, "level-r1-email")
    assert "please select them again" in html
    assert 'id="priority-express" name="priority" value="EXPRESS" checked' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(WorkflowRequest)) == 0


def test_bad_file_is_refused_at_the_file_input(client, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data={
        "csrf_token": token, "title": "Laptops", "description": "Two laptops", "priority": "STANDARD",
        "template_type": "CUSTOM", "category": "SUPPORTING", "level_email": MANAGER, "level_tat": "24",
        "files": [(io.BytesIO(b"MZ not a pdf"), "quote.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "is not a valid PDF file" in error_of(response.get_data(as_text=True), "files")


def test_valid_request_with_a_file_is_created_and_opens(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data={
        "csrf_token": token, "title": "New laptops", "description": "Two laptops for the support team",
        "priority": "STANDARD", "template_type": "CUSTOM", "category": "QUOTATION",
        "level_email": [MANAGER, DIRECTOR, ""], "level_tat": ["24", "48", "24"],
        "level_name": ["", "Budget check", ""], "spectator_email": [SPECTATOR, ""],
        "files": [(io.BytesIO(PDF), "quote.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 303
    created = db.session.scalar(db.select(WorkflowRequest))
    assert response.headers["Location"] == f"/requests/{created.id}"
    levels = db.session.scalars(db.select(ApprovalLevel).where(ApprovalLevel.request_id == created.id)
                                .order_by(ApprovalLevel.level_number)).all()
    assert [(approver_emails(db, level)[0], level.level_name) for level in levels] == [
        (MANAGER, "Manager Approval"), (DIRECTOR, "Budget check")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "New laptops" in page and created.request_number in page
    assert f"Request {created.request_number} created" in page  # the toast
    assert "quote.pdf" in page and "Quotation" in page and "Jane Doe" in page


# --- inbox and deciding ------------------------------------------------------------


def test_inbox_lists_my_current_level_and_approves_in_place(client, db, demo, login_as):
    # EXPRESS: its 24-hour TAT counts calendar hours, whatever the day and time the test runs.
    workflow = raise_request(db, demo, MANAGER, DIRECTOR, title="Office chairs", priority="EXPRESS")
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    inbox = client.get("/inbox")
    html = inbox.get_data(as_text=True)
    assert f'id="inbox-item-{level.id}"' in html and "Office chairs" in html and "Priya Sharma" in html
    assert re.search(r'<time class="countdown" datetime="[^"]+" data-countdown[^>]*>due in 23h 59m</time>', html)
    assert re.search(r'id="inbox-badge" class="navbadge">1<', html)
    response = htmx_post(client, f"/requests/{workflow.id}/levels/{level.id}/approve",
                         csrf_token_from(html), {"origin": "inbox", "comments": "Fine"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "inbox-item" not in body  # the item is swapped for nothing
    assert 'hx-swap-oob="beforeend:#toasts"' in body and "You approved" in body
    assert 'id="inbox-badge" class="navbadge" hx-swap-oob="true" hidden' in body
    assert fresh(db, ApprovalLevel, level.id).status == LevelStatus.APPROVED
    assert fresh(db, WorkflowRequest, workflow.id).current_level == 2
    assert 'id="inbox-empty" hidden' not in client.get("/inbox").get_data(as_text=True)


def test_reject_needs_a_comment_and_keeps_the_item(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    token = token_on(client, "/inbox")
    url = f"/requests/{workflow.id}/levels/{level.id}/reject"
    response = htmx_post(client, url, token, {"origin": "inbox", "comments": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="inbox-item-{level.id}"' in html
    assert error_of(html, f"comments-{level.id}") == "Comments are required to reject a level"
    assert fresh(db, ApprovalLevel, level.id).status == LevelStatus.IN_PROGRESS

    response = htmx_post(client, url, token, {"origin": "inbox", "comments": "Over budget"})
    assert response.status_code == 200 and "You rejected" in response.get_data(as_text=True)
    assert fresh(db, WorkflowRequest, workflow.id).status == RequestStatus.REJECTED


def test_a_stale_decision_shows_why(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    token = token_on(client, "/inbox")
    url = f"/requests/{workflow.id}/levels/{level.id}/approve"
    assert htmx_post(client, url, token, {"origin": "inbox"}).status_code == 200
    response = htmx_post(client, url, token, {"origin": "inbox"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Level 1 has already been approved" in html and 'role="alert"' in html
    assert "Open the request" in html and "/approve" not in html


def test_deciding_on_the_request_page_reloads_it(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert 'id="decision"' in page
    token = csrf_token_from(page)
    url = f"/requests/{workflow.id}/levels/{level.id}/reject"
    refused = htmx_post(client, url, token, {"origin": "request"})
    assert refused.status_code == 422 and 'id="decision"' in refused.get_data(as_text=True)
    response = htmx_post(client, url, token, {"origin": "request", "comments": "No budget left"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == f"/requests/{workflow.id}"
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "No budget left" in page and "You rejected" in page and 'id="decision"' not in page


def test_deciding_without_javascript_redirects(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    token = token_on(client, "/inbox")
    url = f"/requests/{workflow.id}/levels/{level.id}/reject"
    refused = client.post(url, data={"csrf_token": token, "origin": "inbox"})
    assert refused.status_code == 422 and "Comments are required" in refused.get_data(as_text=True)
    response = client.post(f"/requests/{workflow.id}/levels/{level.id}/approve",
                           data={"csrf_token": token, "origin": "inbox"})
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"


def test_posts_without_a_csrf_token_are_refused(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    level = current_level(db, workflow)
    login_as(demo[MANAGER])
    url = f"/requests/{workflow.id}/levels/{level.id}/approve"
    assert client.post(url, data={"origin": "inbox"}, headers=HTMX).status_code == 400
    assert client.post(url, data={"origin": "inbox", "csrf_token": "forged"}).status_code == 400
    assert client.post(f"/requests/{workflow.id}/comments", data={"body": "hi"}, headers=HTMX).status_code == 400
    login_as(demo[INITIATOR])
    assert client.post("/requests/new", data={"title": "x"}).status_code == 400
    assert fresh(db, ApprovalLevel, level.id).status == LevelStatus.IN_PROGRESS
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


@pytest.mark.parametrize("field, message", [("title", "Title cannot contain NUL characters"),
                                            ("level_name", "Level name cannot contain NUL characters")])
def test_nul_characters_are_refused_inline_not_a_server_error(client, db, demo, login_as, field, message):
    login_as(demo[INITIATOR])
    data = {"csrf_token": token_on(client, "/requests/new"), "title": "T", "description": "D",
            "priority": "STANDARD", "template_type": "CUSTOM", "level_email": MANAGER, "level_tat": "24",
            "level_name": ""}
    data[field] = "x\x00y"
    response = client.post("/requests/new", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_htmx_refusals_name_the_problem_in_a_toast_event(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, spectators=[SPECTATOR])
    level = current_level(db, workflow)
    login_as(demo[SPECTATOR])
    token = token_on(client, f"/requests/{workflow.id}")
    response = htmx_post(client, f"/requests/{workflow.id}/levels/{level.id}/approve", token)
    assert response.status_code == 403
    assert response.headers["HX-Trigger"] == '{"momoflow:error": "Only an approver of level 1 can approve it"}'


# --- who sees what -----------------------------------------------------------------


def test_spectator_sees_the_request_but_cannot_decide_or_download(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, spectators=[SPECTATOR], with_file=True)
    download = f"/requests/{workflow.id}/documents/{db.session.scalar(db.select(Document.id))}"
    login_as(demo[SPECTATOR])
    response = client.get(f"/requests/{workflow.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Purchase Order" in html
    assert "/approve" not in html and 'id="decision"' not in html
    assert "quote.pdf" in html and "/documents/" not in html and 'id="no-download-note"' in html
    assert 'id="comment-form"' in html  # spectators may comment
    assert 'id="add-spectator-form"' not in html and 'id="add-approver"' not in html
    assert client.get(download).status_code == 403

    login_as(demo[MANAGER])
    html = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert download in html and "/approve" in html
    file = client.get(download)
    assert file.status_code == 200 and file.data == PDF
    assert file.headers["Cache-Control"] == "private, no-store"


def test_people_outside_the_request_get_404(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    for outsider in (demo["hr@royalenfield.com"], make_user(email="stranger@elsewhere.com")):
        login_as(outsider)
        assert client.get(f"/requests/{workflow.id}").status_code == 404
    assert client.get("/requests/not-a-uuid").status_code == 404
    login_as(demo["admin@company.com"])
    assert client.get(f"/requests/{workflow.id}").status_code == 200


# --- forms on the request page -----------------------------------------------------


def test_comments_are_appended_in_place(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, spectators=[SPECTATOR])
    login_as(demo[SPECTATOR])
    token = token_on(client, f"/requests/{workflow.id}")
    url = f"/requests/{workflow.id}/comments"
    empty = htmx_post(client, url, token, {"body": " "})
    assert empty.status_code == 422
    assert error_of(empty.get_data(as_text=True), "comment-body") == "Comment cannot be empty"
    response = htmx_post(client, url, token, {"body": "Looks <fine> to me"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<ol hx-swap-oob="beforeend:#comment-list">' in html and "Looks &lt;fine&gt; to me" in html
    assert 'id="comment-form"' in html and "Comment added." in html
    assert db.session.scalar(db.select(Comment.body)) == "Looks <fine> to me"


def test_adding_people_shows_problems_inline(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    login_as(demo[INITIATOR])
    token = token_on(client, f"/requests/{workflow.id}")
    unknown = htmx_post(client, f"/requests/{workflow.id}/spectators", token, {"email": "ghost@royalenfield.com"})
    assert unknown.status_code == 422
    assert "not found" in error_of(unknown.get_data(as_text=True), "add-spectator-email")
    added = htmx_post(client, f"/requests/{workflow.id}/spectators", token, {"email": SPECTATOR})
    assert added.status_code == 204 and added.headers["HX-Redirect"] == f"/requests/{workflow.id}"

    bad = htmx_post(client, f"/requests/{workflow.id}/approvers", token,
                    {"email": DIRECTOR, "level": "2", "tat_hours": "-5"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="add-approver"' in html
    assert error_of(html, "add-approver-tat") == "TAT hours must be positive"
    done = htmx_post(client, f"/requests/{workflow.id}/approvers", token,
                     {"email": DIRECTOR, "level": "1", "tat_hours": "12"})
    assert done.status_code == 204
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Kavita Rao now approves level 1." in page
    assert approver_emails(db, current_level(db, workflow)) == [DIRECTOR]


def test_initiator_withdraws(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    login_as(demo[INITIATOR])
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Withdraw this request" in page
    response = client.post(f"/requests/{workflow.id}/withdraw",
                           data={"csrf_token": csrf_token_from(page), "reason": "Not needed"})
    assert response.status_code == 303
    assert fresh(db, WorkflowRequest, workflow.id).status == RequestStatus.CANCELLED
    again = client.post(f"/requests/{workflow.id}/withdraw", data={"csrf_token": csrf_token_from(page)})
    assert again.status_code == 303
    assert "can no longer be withdrawn" in client.get(f"/requests/{workflow.id}").get_data(as_text=True)
