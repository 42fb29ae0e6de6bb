"""Deciding from the email: the real email from the SMTP server, its Approve and Reject
links followed with a plain HTTP client, and every way a link is refused."""

import hashlib
from datetime import timedelta

import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.email_decisions.links import PLACEHOLDER
from momoflow.email_decisions.models import DecisionLink
from momoflow.events import Event
from momoflow.notifications.models import Email
from momoflow.workflows.models import RequestStatus, TaskStatus, WorkflowRequest
from tests.conftest import csrf_token_from
from tests.email_decisions.helpers import (
    DIRECTOR,
    INITIATOR,
    MANAGER,
    OTHER,
    activity,
    confirm,
    html_of,
    level_of,
    link_in,
    raise_request,
    tasks_of,
    text_of,
    token_of,
)
from tests.notifications.conftest import BASE_URL


def the_link(db, token):
    return db.session.scalar(sa.select(DecisionLink).where(
        DecisionLink.token_hash == hashlib.sha256(token.encode()).hexdigest())
        .execution_options(populate_existing=True))


def test_the_approve_link_decides_once_and_only_when_confirmed(api_as, smtp_server, browser, db):
    created = raise_request(api_as, MANAGER, title="Laptop <b>& dock</b>")
    [message] = smtp_server.to(MANAGER)
    approve = link_in(message, "Approve")
    assert link_in(message, "Reject") == approve.replace("/approve", "/reject")
    assert link_in(message, "Open the request") == f"/requests/{created['requestId']}"
    assert f'href="{BASE_URL}{approve}"' in html_of(message)
    token = token_of(approve)
    assert len(token) >= 43  # 256 random bits, URL-safe base64

    link = the_link(db, token)  # only the hash is stored, and the stored email has no token
    assert link is not None and link.used_at is None and link.round == 1
    stored = db.session.scalar(sa.select(Email).where(Email.id == link.email_id))
    assert token not in stored.text_body + stored.html_body and PLACEHOLDER in stored.text_body
    assert link.expires_at - utcnow() > timedelta(hours=71)

    page = browser.get(approve)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert created["requestNumber"] in html and "Laptop &lt;b&gt;&amp; dock&lt;/b&gt;" in html
    assert "Arjun Mehta" in html and "Nothing has been decided yet" in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]
    assert browser.head(approve).status_code == 200
    [task] = tasks_of(db, created["requestId"])
    assert task.status == TaskStatus.PENDING  # opening the link decided nothing

    answer = browser.post(approve, data={"csrf_token": csrf_token_from(html), "comments": "Fine by me"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "Arjun Mehta approved level 1" in answer.get_data(as_text=True)
    [task] = tasks_of(db, created["requestId"])
    assert task.status == TaskStatus.APPROVED and task.acted_by.email == MANAGER and task.comments == "Fine by me"
    assert db.session.get(WorkflowRequest, task.request_id, populate_existing=True).status == RequestStatus.APPROVED
    assert the_link(db, token).used_at is not None
    [used] = activity(db, created["requestId"])
    assert used.action == "email_link.used" and used.actor.email == MANAGER
    assert [line.action for line in activity(db, created["requestId"], "level.approved")] == ["level.approved"]

    replay = browser.post(approve, data={"csrf_token": csrf_token_from(html)})
    assert replay.status_code == 410 and "already been used" in replay.get_data(as_text=True)
    again = browser.get(approve)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert [(line.action, line.details.get("refusal")) for line in activity(db, created["requestId"])] == [
        ("email_link.used", None), ("email_link.refused", "used")]
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                                 .where(Event.type.startswith("email_link.")))  # not domain events


def test_scanners_that_fetch_the_links_decide_nothing(api_as, smtp_server, app, db):
    created = raise_request(api_as, MANAGER)
    [message] = smtp_server.to(MANAGER)
    for button in ("Approve", "Reject"):
        scanner = app.test_client()  # no cookies, no CSRF token: it only fetches
        path = link_in(message, button)
        assert scanner.head(path).status_code == 200
        assert scanner.get(path).status_code == 200
        assert scanner.get(path).status_code == 200
        blind = scanner.post(path, data={"comments": "scanned"})
        assert blind.status_code == 400 and "Open the link again" in blind.get_data(as_text=True)
    [task] = tasks_of(db, created["requestId"])
    assert task.status == TaskStatus.PENDING
    assert activity(db, created["requestId"]) == []  # looking is not an attempt
    assert the_link(db, token_of(link_in(message))).used_at is None


def test_reject_needs_a_comment_and_decides_nothing_without_one(api_as, smtp_server, browser, db):
    created = raise_request(api_as, MANAGER)
    reject = link_in(smtp_server.to(MANAGER)[0], "Reject")
    page, answer = confirm(browser, reject, comments="  ")
    assert 'required' in page.get_data(as_text=True)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Comments are required to reject a level" in html
    assert 'aria-invalid="true"' in html
    assert tasks_of(db, created["requestId"])[0].status == TaskStatus.PENDING
    assert the_link(db, token_of(reject)).used_at is None

    answer = browser.post(reject, data={"csrf_token": csrf_token_from(html), "comments": "Over budget"})
    assert answer.status_code == 200 and "is rejected and closed" in answer.get_data(as_text=True)
    [task] = tasks_of(db, created["requestId"])
    assert task.status == TaskStatus.REJECTED and task.comments == "Over budget"


def test_a_link_after_the_level_moved_on_is_stale_and_says_why(api_as, smtp_server, browser, db):
    created = raise_request(api_as, MANAGER, DIRECTOR)
    approve = link_in(smtp_server.to(MANAGER)[0])
    level = level_of(db, created["requestId"])
    assert api_as(MANAGER).post(f"/workflows/{created['requestId']}/levels/{level.id}/approve").status_code == 200

    page = browser.get(approve)
    assert page.status_code == 409
    text = page.get_data(as_text=True)
    assert "no longer open to this link" in text and "You already approved level 1." in text
    assert f"/requests/{created['requestId']}" in text  # a way on to the request

    # The director's link (level 2 started) works; a POST on the manager's is logged as refused.
    director_link = link_in(smtp_server.to(DIRECTOR)[0])
    token = csrf_token_from(browser.get(director_link).get_data(as_text=True))
    refused = browser.post(approve, data={"csrf_token": token})
    assert refused.status_code == 409
    [line] = activity(db, created["requestId"])
    assert line.details["refusal"] == "stale" and line.details["reason"] == "You already approved level 1."


def test_a_reassigned_task_makes_the_old_link_stale_without_naming_the_new_holder(api_as, smtp_server, browser,
                                                                                   db):
    created = raise_request(api_as, MANAGER)
    old = link_in(smtp_server.to(MANAGER)[0])
    level = level_of(db, created["requestId"])
    moved = api_as(MANAGER).post(f"/workflows/{created['requestId']}/levels/{level.id}/reassign",
                                 json={"to": DIRECTOR, "reason": "I am travelling"})
    assert moved.status_code == 200, moved.get_json()

    page = browser.get(old)
    text = page.get_data(as_text=True)
    assert page.status_code == 409 and "The task was reassigned to someone else." in text
    assert "Kavita" not in text and DIRECTOR not in text

    [handed] = [message for message in smtp_server.to(DIRECTOR) if "handed you a decision" in message["Subject"]]
    _, answer = confirm(browser, link_in(handed))  # the new holder's own link
    assert answer.status_code == 200
    assert [task.status for task in tasks_of(db, created["requestId"])] == [TaskStatus.REASSIGNED,
                                                                            TaskStatus.APPROVED]


def test_a_withdrawn_request_makes_the_link_stale(api_as, smtp_server, browser, db):
    created = raise_request(api_as, MANAGER)
    approve = link_in(smtp_server.to(MANAGER)[0])
    assert api_as(INITIATOR).post(f"/workflows/{created['requestId']}/withdraw", json={}).status_code == 200
    page = browser.get(approve)
    assert page.status_code == 409 and "The request was withdrawn." in page.get_data(as_text=True)


def test_a_returned_request_makes_the_link_stale_and_the_next_round_sends_a_new_one(api_as, smtp_server, browser,
                                                                                   db):
    created = raise_request(api_as, MANAGER)
    first = link_in(smtp_server.to(MANAGER)[0])
    level = level_of(db, created["requestId"])
    returned = api_as(MANAGER).post(f"/workflows/{created['requestId']}/levels/{level.id}/return",
                                    json={"comments": "Add the quote"})
    assert returned.status_code == 200, returned.get_json()
    page = browser.get(first)
    assert page.status_code == 409 and "The request was returned for changes." in page.get_data(as_text=True)

    assert api_as(INITIATOR).post(f"/workflows/{created['requestId']}/resubmit", json={}).status_code == 200
    page = browser.get(first)  # round 1's link stays stale in round 2
    assert page.status_code == 409 and "submitted again since" in page.get_data(as_text=True)
    [turn] = [message for message in smtp_server.to(MANAGER)[1:] if "Approve: " in text_of(message)]
    second = link_in(turn)  # round 2's "your turn" (the resubmission's own email has no buttons)
    assert second != first
    _, answer = confirm(browser, second)
    assert answer.status_code == 200
    assert [task.status for task in tasks_of(db, created["requestId"])] == [TaskStatus.RETURNED, TaskStatus.APPROVED]


def test_an_expired_link_is_refused_as_expired(api_as, smtp_server, browser, db):
    created = raise_request(api_as, MANAGER)
    approve = link_in(smtp_server.to(MANAGER)[0])
    page = browser.get(approve)
    link = the_link(db, token_of(approve))
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    again = browser.get(approve)
    assert again.status_code == 410 and "This link has expired" in again.get_data(as_text=True)
    refused = browser.post(approve, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert refused.status_code == 410
    assert tasks_of(db, created["requestId"])[0].status == TaskStatus.PENDING
    [line] = activity(db, created["requestId"])
    assert line.details["refusal"] == "expired" and line.actor is None


def test_someone_signed_in_as_another_person_cannot_use_the_link(api_as, smtp_server, browser, browser_login, demo,
                                                                 db):
    created = raise_request(api_as, MANAGER)
    approve = link_in(smtp_server.to(MANAGER)[0])
    browser_login(demo[OTHER])

    page = browser.get(approve)
    text = page.get_data(as_text=True)
    assert page.status_code == 403 and "This link was sent to someone else" in text
    assert "Arjun" not in text  # nobody is named to the wrong person
    token = csrf_token_from(browser.get("/settings/notifications").get_data(as_text=True))
    refused = browser.post(approve, data={"csrf_token": token})
    assert refused.status_code == 403
    assert tasks_of(db, created["requestId"])[0].status == TaskStatus.PENDING
    [line] = activity(db, created["requestId"])
    assert line.details["refusal"] == "someone_else" and line.actor.email == OTHER

    browser_login(demo[MANAGER])  # the holder, signed in, can
    _, answer = confirm(browser, approve)
    assert answer.status_code == 200
    assert tasks_of(db, created["requestId"])[0].status == TaskStatus.APPROVED


def test_an_organisation_can_require_sign_in_for_email_decisions(api_as, smtp_server, browser, browser_login, demo,
                                                                 db):
    demo[MANAGER].organization.email_decisions_need_sign_in = True
    db.session.commit()
    created = raise_request(api_as, MANAGER)
    approve = link_in(smtp_server.to(MANAGER)[0])

    page = browser.get(approve)
    assert page.status_code == 303
    assert page.headers["Location"] == f"/login?next={approve}"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert browser.post(approve, data={}).status_code in (303, 400)  # never a decision
    assert tasks_of(db, created["requestId"])[0].status == TaskStatus.PENDING

    browser_login(demo[MANAGER])
    _, answer = confirm(browser, approve)
    assert answer.status_code == 200
    assert tasks_of(db, created["requestId"])[0].status == TaskStatus.APPROVED


def test_confirming_over_https_needs_no_referer(api_as, smtp_server, browser, db):
    """CSRFProtect would insist on a same-site Referer over HTTPS; these pages send none."""
    created = raise_request(api_as, MANAGER)
    approve = link_in(smtp_server.to(MANAGER)[0])
    _, answer = confirm(browser, approve, base_url="https://momoflow.example.com")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert tasks_of(db, created["requestId"])[0].status == TaskStatus.APPROVED


def test_unknown_and_malformed_links_are_not_valid(browser, db):
    for token in ("x" * 43, "short", "%ED%A0%80" * 15, "a" * 5000):
        page = browser.get(f"/email-decisions/{token}/approve")
        assert page.status_code == 404 and "This link is not valid" in page.get_data(as_text=True)
    assert browser.get("/email-decisions/" + "x" * 43 + "/delete").status_code == 404


def test_the_link_pages_are_rate_limited(api_as, smtp_server, browser, app, monkeypatch, db):
    raise_request(api_as, MANAGER)
    approve = link_in(smtp_server.to(MANAGER)[0])
    monkeypatch.setitem(app.config, "EMAIL_DECISION_RATE_LIMIT", "3 per minute")
    assert [browser.get(approve).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_only_the_emails_that_make_a_decision_yours_carry_the_buttons(api_as, smtp_server, db):
    raise_request(api_as, MANAGER, spectators=(OTHER,))
    assert "Approve: " in text_of(smtp_server.to(MANAGER)[0])
    [watching] = smtp_server.to(OTHER)  # workflow.created, for a spectator
    assert "Approve: " not in text_of(watching) and "Approve</a>" not in html_of(watching)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DecisionLink)) == 1


def test_the_manager_a_task_was_escalated_to_decides_with_their_own_link(api_as, smtp_server, browser, demo, db):
    from momoflow import jobs
    from momoflow.workflows import tat

    demo[MANAGER].manager_id = demo[DIRECTOR].id
    created = raise_request(api_as, approvalLevels=[{"email": MANAGER, "tatHours": 1, "onBreach": "ESCALATE"}])
    deadline = level_of(db, created["requestId"]).tat_deadline
    tat.check(deadline + timedelta(minutes=1))
    db.session.commit()
    jobs.run_pending_in_process()  # the events become emails, and they are sent

    [escalated] = [message for message in smtp_server.to(DIRECTOR) if "overdue" in message["Subject"]]
    page, answer = confirm(browser, link_in(escalated))
    assert "Kavita Rao" in page.get_data(as_text=True)  # the decision is recorded as the manager's
    assert answer.status_code == 200, answer.get_data(as_text=True)
    [task] = tasks_of(db, created["requestId"])
    assert task.status == TaskStatus.APPROVED and task.acted_by.email == DIRECTOR
    assert task.on_behalf_of.email == MANAGER
    assert the_link(db, token_of(link_in(smtp_server.to(MANAGER)[0]))).used_at is None
    stale = browser.get(link_in(smtp_server.to(MANAGER)[0]))  # the holder's own link now
    assert stale.status_code == 409 and "The request was already approved." in stale.get_data(as_text=True)
