"""The pages for levels with several approvers (issue 12): the new-request form's
approver lists and rules, reassigning and adding approvers on the request page, the
inbox's "for whom" lines and the admins' "needs a new approver" list."""

import html
import re
from datetime import timedelta

import pytest

from momoflow.accounts.models import Absence
from momoflow.database import utcnow
from momoflow.workflows import services
from momoflow.workflows.models import (
    ApprovalLevel,
    ApprovalMode,
    ApprovalTask,
    BreachAction,
    RejectionPolicy,
    TaskStatus,
    WorkflowRequest,
)
from momoflow.workflows.validation import parse_new_request
from tests.conftest import csrf_token_from
from tests.workflows.conftest import simple_request
from tests.workflows.pages import (
    DIRECTOR,
    HTMX,
    INITIATOR,
    MANAGER,
    approver_emails,
    error_of,
    htmx_post,
    token_on,
)

ADMIN = "admin@company.com"
CFO, LATER, OTHER = "cfo@royalenfield.com", "vp@royalenfield.com", "legal@royalenfield.com"
FORM = {"title": "Laptops", "description": "Two laptops", "priority": "STANDARD", "template_type": "CUSTOM",
        "category": "SUPPORTING"}


def several(*emails, mode="ANY", minimum=None, policy=None):
    body = {"approvers": [{"email": email} for email in emails], "tatHours": 24, "approvalMode": mode}
    if minimum is not None:
        body["minApprovals"] = minimum
    if policy:
        body["rejectionPolicy"] = policy
    return body


def raise_levels(db, demo, *levels):
    spec = parse_new_request(simple_request(approvalLevels=list(levels)))
    created = services.create_request(demo[INITIATOR], spec)
    db.session.flush()
    return created


def levels_of(db, workflow):
    return db.session.scalars(db.select(ApprovalLevel).where(ApprovalLevel.request_id == workflow.id)
                              .order_by(ApprovalLevel.level_number)).all()


def task_of(db, level, email):
    return next(task for task in db.session.scalars(db.select(ApprovalTask).where(ApprovalTask.level_id == level.id))
                if task.assignee.email == email and task.status == TaskStatus.PENDING)


# --- the new-request form ------------------------------------------------------------


def test_a_level_row_holds_several_approvers_and_its_rule(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data={
        "csrf_token": token, **FORM, "level_key": ["r0", "a1b2"], "level_tat": ["24", "8"], "level_name": ["", ""],
        "level_approver.r0": [MANAGER, DIRECTOR, CFO], "level_mode.r0": "QUORUM", "level_min.r0": "2",
        "level_policy.r0": "UNREACHABLE", "level_breach.r0": "ESCALATE",
        "level_approver.a1b2": [LATER], "level_breach.a1b2": "NOTIFY",
    })
    assert response.status_code == 303, error_summary(response)
    created = db.session.scalar(db.select(WorkflowRequest))
    first, second = levels_of(db, created)
    assert (first.approval_mode, first.min_approvals, first.rejection_policy, first.on_breach) == (
        ApprovalMode.QUORUM, 2, RejectionPolicy.UNREACHABLE, BreachAction.ESCALATE)
    assert approver_emails(db, first) == [MANAGER, DIRECTOR, CFO]
    assert (second.approval_mode, approver_emails(db, second)) == (ApprovalMode.ANY, [LATER])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 of 3 must approve; rejected only when approval can no longer be reached." in page
    assert "Escalates to the approver's manager when the TAT passes." in page


def error_summary(response):
    return [html.unescape(line) for line in
            re.findall(r'<li><a href="#[^"]+">([^<]+)</a></li>', response.get_data(as_text=True))]


def test_problems_in_a_row_of_approvers_land_on_their_inputs(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data={
        "csrf_token": token, **FORM, "level_key": ["r0", "r1"], "level_tat": ["24", "24"], "level_name": ["", ""],
        "level_approver.r0": [MANAGER, MANAGER.upper(), ""], "level_mode.r0": "QUORUM", "level_min.r0": "5",
        "level_policy.r0": "VETO", "level_approver.r1": [DIRECTOR, "not-an-email"], "level_mode.r1": "ALL",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "level-r0-approver-1").startswith(f"Duplicate approver email found: {MANAGER}")
    assert error_of(html, "level-r0-approver-2") == "Enter this approver&#39;s email or remove them"
    assert error_of(html, "level-r0-min") == "Enter how many must approve: a whole number from 1 to 3"
    assert error_of(html, "level-r0-email") is None
    assert error_of(html, "level-r1-approver-1") == "Valid email is required"
    assert error_summary(response) == [
        f"Level 1, approver 2: Duplicate approver email found: {MANAGER}. Each approver must have a unique email.",
        "Level 1, approver 3: Enter this approver's email or remove them",
        "Level 1: Enter how many must approve: a whole number from 1 to 3",
        "Level 2, approver 2: Valid email is required"]
    assert 'href="#level-r0-min"' in html and 'href="#level-r0-approver-1"' in html
    # The rows come back as they were: the rule shown (several approvers), QUORUM chosen.
    assert 'id="level-r0-mode-quorum" name="level_mode.r0" value="QUORUM" checked' in html
    assert 'id="level-r1-mode-all" name="level_mode.r1" value="ALL" checked' in html
    assert re.search(r'<div class="level-rule" data-rule>', html)
    assert db.session.scalar(db.select(db.func.count()).select_from(WorkflowRequest)) == 0


def test_a_duplicate_across_levels_names_the_later_input(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data={
        "csrf_token": token, **FORM, "level_key": ["r0", "r1"], "level_tat": ["24", "24"], "level_name": ["", ""],
        "level_approver.r0": [MANAGER], "level_approver.r1": [DIRECTOR, MANAGER]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "level-r1-approver-1").startswith("Duplicate approver email found")
    assert error_of(html, "level-r0-email") is None


def test_one_approver_rows_hide_the_rule_and_an_added_input_comes_from_the_server(client, demo, login_as):
    login_as(demo[INITIATOR])
    html = client.get("/requests/new").get_data(as_text=True)
    assert '<div class="level-rule" data-rule hidden>' in html
    assert 'hx-get="/requests/new/approver-input?row=r0"' in html and 'data-max="20"' in html
    assert 'for="level-r0-breach-escalate"' not in html  # the options are labelled by wrapping
    assert 'value="ESCALATE"' in html and "When the TAT passes" in html
    added = client.get("/requests/new/approver-input?row=r0", headers=HTMX).get_data(as_text=True)
    assert 'name="level_approver.r0"' in added and "data-approver-input" in added
    assert re.search(r'id="level-r0-approver-[0-9a-f]{8}"', added)
    assert client.get('/requests/new/approver-input?row="><script>', headers=HTMX).status_code == 400


def test_approver_and_reassign_inputs_autocomplete_from_the_directory(client, demo, login_as):
    login_as(demo[INITIATOR])
    for query in ("level_approver.r0=kav", "level_approver.3fa9c2d1=kav", "to=kav"):
        assert 'value="director@royalenfield.com"' in client.get(f"/people/search?{query}", headers=HTMX).get_data(
            as_text=True), query


# --- the request page ----------------------------------------------------------------


def test_the_holder_reassigns_their_task_with_inline_errors(client, db, demo, login_as):
    workflow = raise_levels(db, demo, several(MANAGER, DIRECTOR, CFO, mode="QUORUM", minimum=2))
    level = levels_of(db, workflow)[0]
    login_as(demo[MANAGER])
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Reassign my task" in page and "Whose task" not in page
    assert "Add an approver to this level" not in page  # the initiator's and admins'
    token = csrf_token_from(page)
    url = f"/requests/{workflow.id}/levels/{level.id}/reassign"
    refused = htmx_post(client, url, token, {"to": "ghost@royalenfield.com", "reason": ""})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f'id="reassign-{level.id}"' in html
    assert error_of(html, f"reassign-{level.id}-reason") == "Reason is required: say why"
    taken = htmx_post(client, url, token, {"to": DIRECTOR, "reason": "On leave"})
    assert taken.status_code == 409
    assert "already an approver of level 1" in error_of(taken.get_data(as_text=True), f"reassign-{level.id}-to")
    done = htmx_post(client, url, token, {"to": LATER, "reason": "On leave next week"})
    assert done.status_code == 204 and done.headers["HX-Redirect"] == f"/requests/{workflow.id}"
    assert approver_emails(db, level) == [LATER, DIRECTOR, CFO]
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Reassigned: the task at level 1 is now Rohan Kapoor&#39;s." in page
    assert "Reassign my task" not in page  # not theirs any more


def test_an_admin_reassigns_anyones_task_and_sees_why_not(client, db, demo, login_as):
    workflow = raise_levels(db, demo, several(MANAGER, DIRECTOR))
    level = levels_of(db, workflow)[0]
    login_as(demo[ADMIN])
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Whose task" in page and f'<option value="{DIRECTOR}"' in page
    assert "Withdraw this request" in page  # admins may withdraw any pending request
    token = csrf_token_from(page)
    url = f"/requests/{workflow.id}/levels/{level.id}/reassign"
    own = client.post(url, data={"csrf_token": token, "from": DIRECTOR, "to": INITIATOR, "reason": "x"})
    html = own.get_data(as_text=True)
    assert own.status_code == 422 and "<h1>" in html  # the whole page without htmx
    assert "cannot approve your own request" in error_of(html, f"reassign-{level.id}-to")
    assert f'<details class="level-action" id="reassign-{level.id}" open>' in html
    stale = htmx_post(client, url, token, {"from": CFO, "to": LATER, "reason": "x"})
    assert stale.status_code == 422 and f"{CFO} holds no undecided task in level 1" in stale.get_data(as_text=True)
    done = htmx_post(client, url, token, {"from": DIRECTOR, "to": LATER, "reason": "Kavita is away"})
    assert done.status_code == 204
    assert approver_emails(db, level) == [MANAGER, LATER]


def test_people_without_a_task_see_no_reassign_form(client, db, demo, login_as):
    spec = parse_new_request(simple_request(approvalLevels=[several(MANAGER, DIRECTOR), {"email": CFO, "tatHours": 8}],
                                            spectators=[OTHER]))
    workflow = services.create_request(demo[INITIATOR], spec)
    db.session.flush()
    login_as(demo[CFO])  # an approver of a later level: their task there is theirs to hand on
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert page.count("Reassign my task") == 1
    login_as(demo[OTHER])  # a spectator
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Reassign" not in page
    level = levels_of(db, workflow)[0]
    response = client.post(f"/requests/{workflow.id}/levels/{level.id}/reassign",
                           data={"csrf_token": csrf_token_from(page), "to": LATER, "reason": "x"})
    assert response.status_code == 403


def test_the_initiator_adds_an_approver_to_a_level(client, db, demo, login_as):
    workflow = raise_levels(db, demo, several(MANAGER, DIRECTOR, mode="ALL"))
    level = levels_of(db, workflow)[0]
    login_as(demo[INITIATOR])
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Add an approver to this level" in page and "Reassign" not in page
    token = csrf_token_from(page)
    url = f"/requests/{workflow.id}/levels/{level.id}/approvers"
    twice = htmx_post(client, url, token, {"email": DIRECTOR})
    assert twice.status_code == 422
    assert "Duplicate approver" in error_of(twice.get_data(as_text=True), f"add-to-level-{level.id}-email")
    unknown = htmx_post(client, url, token, {"email": "ghost@royalenfield.com"})
    assert "not found in organization directory" in error_of(unknown.get_data(as_text=True),
                                                             f"add-to-level-{level.id}-email")
    done = htmx_post(client, url, token, {"email": CFO})
    assert done.status_code == 204
    assert approver_emails(db, level) == [MANAGER, DIRECTOR, CFO]
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Level 1 has another approver: Rajesh Iyer." in page and "All 3 must approve" in page


def test_a_level_decided_without_someone_says_so(client, db, demo, login_as):
    workflow = raise_levels(db, demo, several(MANAGER, DIRECTOR))
    level = levels_of(db, workflow)[0]
    services.approve_level(demo[MANAGER], workflow.id, level.id, "Fine")
    db.session.flush()
    login_as(demo[DIRECTOR])
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Decided without them" in page and "Your decision" not in page and "Reassign" not in page
    assert "Any one of 2 approves" in page


# --- the inbox -------------------------------------------------------------------------


def test_the_inbox_says_for_whom_a_task_is_held(client, db, demo, login_as):
    now = utcnow()
    db.session.add(Absence(organization_id=demo[MANAGER].organization_id, user_id=demo[MANAGER].id,
                           delegate_id=demo[OTHER].id, starts_at=now - timedelta(hours=1),
                           ends_at=now + timedelta(days=2)))
    db.session.flush()
    workflow = raise_levels(db, demo, several(MANAGER, DIRECTOR))
    level = levels_of(db, workflow)[0]
    escalated = task_of(db, level, DIRECTOR)
    escalated.escalated_to_id = demo[LATER].id
    db.session.flush()
    login_as(demo[OTHER])
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "For Arjun Mehta (out of office)" in inbox
    assert f'/requests/{workflow.id}?reassign=' in inbox and "to someone else" in inbox
    page = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "Farah Khan" in page and "for Arjun Mehta (out of office)" in page
    login_as(demo[LATER])
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Escalated: for Kavita Rao, whose deadline passed" in inbox
    assert "to someone else" not in inbox  # the task is not theirs to hand on


def test_admins_see_the_tasks_that_need_a_new_approver(client, db, demo, login_as):
    workflow = raise_levels(db, demo, several(MANAGER, DIRECTOR))
    level = levels_of(db, workflow)[0]
    left = task_of(db, level, DIRECTOR)
    demo[DIRECTOR].active = False
    db.session.flush()
    login_as(demo[INITIATOR])
    assert "Needs a new approver" in client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    login_as(demo[MANAGER])
    assert "needs-approver-title" not in client.get("/inbox").get_data(as_text=True)
    login_as(demo[ADMIN])
    inbox = client.get("/inbox").get_data(as_text=True)
    link = f"/requests/{workflow.id}?reassign={left.id}#reassign-{level.id}"
    assert 'id="needs-approver-title"' in inbox and link in inbox and "Kavita Rao (director@royalenfield.com) left" in inbox
    page = client.get(link.split("#")[0]).get_data(as_text=True)
    assert f'<details class="level-action" id="reassign-{level.id}" open>' in page
    assert f'<option value="{DIRECTOR}" selected>Kavita Rao: needs a new approver</option>' in page


def test_lists_say_who_a_request_waits_on(client, db, demo, login_as):
    raise_levels(db, demo, several(MANAGER, DIRECTOR, CFO, LATER))
    login_as(demo[INITIATOR])
    html = client.get("/requests").get_data(as_text=True)
    assert "Waiting on: Arjun Mehta, Kavita Rao +2" in html


# --- query counts ----------------------------------------------------------------------

APPROVERS = ["manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com",
             "it-manager@royalenfield.com", "cto@royalenfield.com", "procurement@royalenfield.com",
             "legal@royalenfield.com", "vp@royalenfield.com", "finance-manager@royalenfield.com"]


def app_queries(statements):
    return [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]


def test_the_request_page_runs_as_many_queries_for_one_approver_as_for_many(client, db, demo, login_as,
                                                                            count_queries):
    small = raise_levels(db, demo, {"email": MANAGER, "tatHours": 24})
    large = raise_levels(db, demo, *(several(*APPROVERS[n:n + 3], mode="QUORUM", minimum=2) for n in (0, 3, 6)))
    first = levels_of(db, large)[0]
    services.approve_level(demo[MANAGER], large.id, first.id, "ok")
    services.reassign_task(demo[DIRECTOR], large.id, first.id, "user@example.com", "away")
    db.session.flush()
    login_as(demo[ADMIN])
    client.get(f"/requests/{small.id}")  # warm: the session's user
    with count_queries() as one:
        assert client.get(f"/requests/{small.id}").status_code == 200
    with count_queries() as many:
        assert client.get(f"/requests/{large.id}").status_code == 200
    assert len(app_queries(many)) == len(app_queries(one)), app_queries(many)


@pytest.mark.parametrize("viewer", [MANAGER, ADMIN])
def test_the_inbox_runs_as_many_queries_for_one_item_as_for_many(client, db, demo, login_as, count_queries,
                                                                  viewer):
    def raise_one():
        raise_levels(db, demo, several(MANAGER, *APPROVERS[1:4], mode="QUORUM", minimum=2))

    raise_one()
    login_as(demo[viewer])
    client.get("/inbox")
    with count_queries() as one:
        assert client.get("/inbox").status_code == 200
    for _ in range(6):
        raise_one()
    demo[DIRECTOR].active = False  # six tasks needing a new approver for the admin
    db.session.flush()
    with count_queries() as many:
        html = client.get("/inbox").get_data(as_text=True)
    assert html.count('class="card inbox-item') == (7 if viewer == MANAGER else 0)
    assert len(app_queries(many)) == len(app_queries(one)), app_queries(many)
