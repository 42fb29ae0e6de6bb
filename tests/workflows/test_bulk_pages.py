"""The inbox's bulk bar (issue 13): a labelled box per item, and a result per item for
htmx or a plain post, through the same service as the bulk API."""

import pytest

from momoflow.workflows import services
from momoflow.workflows.models import ApprovalTask, WorkflowRequest
from tests.factories import make_org, make_user
from tests.workflows.pages import DIRECTOR, HTMX, INITIATOR, MANAGER, fresh, htmx_post, token_on
from tests.workflows.test_bulk_decisions import raise_for


def _selection(*workflows):
    return [f"{workflow.id}/{workflow.levels[0].id}" for workflow in workflows]


@pytest.fixture
def three(db, demo, login_as):
    """Three requests waiting for the manager, who is signed in."""
    workflows = [raise_for(demo[INITIATOR], MANAGER, DIRECTOR) for _ in range(3)]
    db.session.flush()
    login_as(demo[MANAGER])
    return workflows


def test_each_inbox_item_has_a_labelled_box_for_the_bulk_bar(client, three):
    html = client.get("/inbox").get_data(as_text=True)
    assert html.count('form="bulk-decisions" data-bulk-item') == 3
    for workflow in three:
        level = workflow.levels[0]
        assert (f'<input type="checkbox" id="select-{level.id}" name="selected" value="{workflow.id}/{level.id}"'
                in html)
        assert f'<label for="select-{level.id}">Select<span class="visually-hidden"> {workflow.request_number}' in html
    assert 'id="bulk-results" class="bulk__results" aria-live="polite"' in html
    assert '<label for="bulk-comments">' in html and 'id="bulk-select-all"' in html


def test_htmx_approves_the_selected_and_answers_a_result_per_item(client, db, three):
    token = token_on(client, "/inbox")
    first, second, third = three
    response = client.post("/inbox/decisions", headers={**HTMX, "X-CSRFToken": token}, data={
        "selected": _selection(first, second), "action": "approve", "comments": "All fine"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Results: 2 decided." in html and html.count('badge--result-applied">Done<') == 2
    assert html.count("Approved: it moves on to level 2.") == 2
    for workflow in (first, second):
        assert f'<div id="inbox-item-{workflow.levels[0].id}" hx-swap-oob="delete">' in html
    assert f"inbox-item-{third.levels[0].id}" not in html
    assert '<form id="bulk-decisions"' in html and 'hx-swap-oob="true"' in html  # the bar comes back, cleared
    assert 'hx-swap-oob="beforeend:#toasts"' in html and 'id="inbox-badge"' in html
    for workflow in (first, second):
        task = fresh(db, ApprovalTask, workflow.levels[0].tasks[0].id)
        assert (task.status.value, task.comments) == ("APPROVED", "All fine")
    assert fresh(db, ApprovalTask, third.levels[0].tasks[0].id).status.value == "PENDING"


def test_a_plain_post_answers_the_whole_inbox_with_the_results(client, db, demo, three):
    token = token_on(client, "/inbox")
    first, second, third = three
    services.approve_level(demo[MANAGER], second.id, second.levels[0].id)  # it moves on meanwhile
    other_org = make_org()
    elsewhere = raise_for(make_user(other_org), make_user(other_org).email)
    db.session.flush()
    response = client.post("/inbox/decisions", data={
        "csrf_token": token, "selected": [*_selection(first, second), *_selection(elsewhere)],
        "action": "reject", "comments": "Not this quarter"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1" in html and "Results: 1 decided, 1 skipped, 1 failed." in html
    assert "Rejected: the request is rejected and closed." in html
    assert "Level 1 has already been approved" in html
    assert "A request you cannot see" in html and "Request not found" in html
    assert f'id="inbox-item-{third.levels[0].id}"' in html and f'id="inbox-item-{first.levels[0].id}"' not in html
    assert fresh(db, WorkflowRequest, first.id).status.value == "REJECTED"


@pytest.mark.parametrize("htmx", [True, False])
def test_rejecting_without_a_comment_shows_on_the_field_and_decides_nothing(client, db, three, htmx):
    token = token_on(client, "/inbox")
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    response = client.post("/inbox/decisions", headers=headers, data={
        "csrf_token": token, "selected": _selection(*three), "action": "reject", "comments": "  "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<p class="field__error" id="bulk-comments-error">Comments are required to reject a level</p>' in html
    assert 'id="bulk-comments" name="comments" rows="2" aria-invalid="true"' in html
    assert ("<h1" in html) is not htmx
    assert all(fresh(db, ApprovalTask, w.levels[0].tasks[0].id).status.value == "PENDING" for w in three)


def test_nothing_selected_or_no_button_is_said_on_the_form(client, three):
    token = token_on(client, "/inbox")
    response = htmx_post(client, "/inbox/decisions", token, {"comments": "ok"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Select at least one request to decide" in html and "Choose Approve selected or Reject selected" in html


def test_a_tampered_selection_is_refused_on_the_form(client, three):
    token = token_on(client, "/inbox")
    response = htmx_post(client, "/inbox/decisions", token, {"selected": ["not-an-id", "x/y/z"], "action": "approve"})
    assert response.status_code == 422
    assert "decisions.0.requestId must be a request&#39;s id (a UUID)" in response.get_data(as_text=True)


def test_the_bulk_bar_needs_a_csrf_token(client, three):
    response = client.post("/inbox/decisions", data={"selected": _selection(*three), "action": "approve"})
    assert response.status_code == 400
