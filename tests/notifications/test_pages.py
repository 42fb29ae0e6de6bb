"""The notification pages: the bell (htmx fragment and its place in the top bar), the
list with "Load more", marking read (one, all; CSRF; only your own), email
preferences for everyone, and query counts that do not grow with the list."""

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.notifications.models import EmailOptOut, Notification
from tests.conftest import csrf_token_from

EMPLOYEE = "employee@company.com"
MANAGER = "manager@royalenfield.com"
ADMIN = "admin@company.com"
HTMX = {"HX-Request": "true"}


def notify(db, user, count=1, read=False, title="REQ-2026-01-0001: waiting for your approval", start=None):
    """``count`` notifications for ``user``, the newest last; returns them newest first."""
    start = start or utcnow() - timedelta(hours=1)
    rows = [Notification(user_id=user.id, organization_id=user.organization_id, kind="level.started",
                         title=f"{title} #{n}", body="“Purchase Order” needs your decision.",
                         link=f"/requests/{uuid.uuid4()}", created_at=start + timedelta(seconds=n),
                         read_at=utcnow() if read else None)
            for n in range(count)]
    db.session.add_all(rows)
    db.session.flush()
    return rows[::-1]


def items(html):
    return re.findall(r'<li class="notification[^"]*" id="notification-([0-9a-f-]+)"', html)


def unread_ids(db, user):
    return set(db.session.scalars(sa.select(Notification.id).where(Notification.user_id == user.id,
                                                                   Notification.read_at.is_(None))))


def token(client, url="/notifications"):
    return csrf_token_from(client.get(url).get_data(as_text=True))


# --- the bell ------------------------------------------------------------------------------


def test_every_page_has_the_bell_which_htmx_loads_and_polls(client, login_as, demo):
    login_as(demo[EMPLOYEE])
    html = client.get("/").get_data(as_text=True)
    bell = re.search(r'<span id="notification-bell"[^>]*>', html).group(0)
    assert 'hx-get="/notifications/bell"' in bell and 'hx-trigger="load, every 30s"' in bell
    assert 'aria-label="Notifications"' in html and 'href="/notifications"' in html  # a link, also without JS


@pytest.mark.parametrize("unread, label, badge", [(0, "Notifications, none unread", None),
                                                   (3, "Notifications, 3 unread", "3"),
                                                   (99, "Notifications, 99 unread", "99"),
                                                   (100, "Notifications, 99+ unread", "99+")])
def test_the_bell_fragment_says_how_many_are_unread(client, login_as, demo, db, unread, label, badge):
    notify(db, demo[EMPLOYEE], unread)
    notify(db, demo[EMPLOYEE], 2, read=True)
    notify(db, demo[MANAGER], 5)  # someone else's
    login_as(demo[EMPLOYEE])
    response = client.get("/notifications/bell", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f'aria-label="{label}"' in html
    count = re.search(r'<span class="bell__count"[^>]*>([^<]*)</span>', html)
    assert (count and count.group(1)) == badge


def test_a_signed_out_bell_poll_changes_nothing(client, db):
    response = client.get("/notifications/bell", headers=HTMX)
    assert response.status_code == 204 and response.get_data() == b""


# --- the list --------------------------------------------------------------------------------


def test_the_page_lists_your_notifications_newest_first_with_links(client, login_as, demo, db):
    newest, older = notify(db, demo[EMPLOYEE], 2)
    notify(db, demo[MANAGER], 1, title="Someone else's")
    login_as(demo[EMPLOYEE])
    html = client.get("/notifications").get_data(as_text=True)
    assert items(html) == [str(newest.id), str(older.id)]
    assert f'href="{newest.link}"' in html and "Someone else" not in html
    assert "2 unread" in html and "Mark all as read" in html and 'href="/settings/notifications"' in html


def test_load_more_fetches_the_next_page_by_cursor(client, login_as, demo, db):
    made = notify(db, demo[EMPLOYEE], 25)
    login_as(demo[EMPLOYEE])
    html = client.get("/notifications").get_data(as_text=True)
    assert items(html) == [str(n.id) for n in made[:20]]
    more = re.search(r'hx-get="([^"]+)"[^>]*data-load-more="notification-list"', html).group(1).replace("&amp;", "&")
    rest = client.get(more, headers=HTMX).get_data(as_text=True)
    assert 'hx-swap-oob="beforeend:#notification-list"' in rest
    assert items(rest) == [str(n.id) for n in made[20:]] and "Load more" not in rest


def test_a_bad_cursor_is_explained_not_a_500(client, login_as, demo, db):
    login_as(demo[EMPLOYEE])
    response = client.get("/notifications?cursor=nonsense")
    assert response.status_code == 400
    assert "not valid any more" in response.get_data(as_text=True)


def test_an_empty_list_says_so(client, login_as, demo):
    login_as(demo[EMPLOYEE])
    html = client.get("/notifications").get_data(as_text=True)
    assert "No notifications yet." in html and "Mark all as read" not in html


def test_signed_out_people_are_sent_to_sign_in(client, db):
    for url in ("/notifications", "/settings/notifications"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_runs_the_same_queries_for_one_notification_or_twenty(client, login_as, demo, db, count_queries):
    login_as(demo[EMPLOYEE])
    notify(db, demo[EMPLOYEE], 1)
    with count_queries() as one:
        assert len(items(client.get("/notifications").get_data(as_text=True))) == 1
    notify(db, demo[EMPLOYEE], 30)
    with count_queries() as many:
        assert len(items(client.get("/notifications").get_data(as_text=True))) == 20
    with count_queries() as bell:
        client.get("/notifications/bell", headers=HTMX)
    assert len(many) == len(one)
    assert len(app_queries(many)) <= 4, many  # the user, the page, the unread count, the inbox badge
    assert len(app_queries(bell)) <= 2, bell  # the user, the count


def app_queries(statements):
    """Leave out the savepoints the test harness wraps each request in."""
    return [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]


# --- marking read ------------------------------------------------------------------------------


def test_marking_one_read_with_htmx_returns_the_item_the_bell_and_a_toast(client, login_as, demo, db):
    first, second = notify(db, demo[EMPLOYEE], 2)
    login_as(demo[EMPLOYEE])
    csrf = token(client)
    response = client.post(f"/notifications/{first.id}/read", headers={**HTMX, "X-CSRFToken": csrf})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert items(html) == [str(first.id)] and "Mark as read" not in html and "notification--unread" not in html
    assert '<span id="notification-bell" hx-swap-oob="innerHTML">' in html and "Notifications, 1 unread" in html
    assert "Marked as read." in html and 'hx-swap-oob="beforeend:#toasts"' in html
    assert unread_ids(db, demo[EMPLOYEE]) == {second.id}


def test_marking_read_without_javascript_redirects_back(client, login_as, demo, db):
    [notification] = notify(db, demo[EMPLOYEE])
    login_as(demo[EMPLOYEE])
    response = client.post(f"/notifications/{notification.id}/read", data={"csrf_token": token(client)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/notifications")
    assert unread_ids(db, demo[EMPLOYEE]) == set()
    assert "Marked as read." in client.get("/notifications").get_data(as_text=True)  # the toast


def test_marking_read_needs_the_csrf_token(client, login_as, demo, db):
    [notification] = notify(db, demo[EMPLOYEE])
    login_as(demo[EMPLOYEE])
    for url in (f"/notifications/{notification.id}/read", "/notifications/read-all"):
        assert client.post(url, headers=HTMX).status_code == 400
    assert unread_ids(db, demo[EMPLOYEE]) == {notification.id}


def test_someone_elses_notification_does_not_exist_for_you(client, login_as, demo, db):
    [theirs] = notify(db, demo[MANAGER])
    login_as(demo[EMPLOYEE])
    csrf = token(client)
    for notification_id in (theirs.id, uuid.uuid4()):
        response = client.post(f"/notifications/{notification_id}/read", headers={**HTMX, "X-CSRFToken": csrf})
        assert response.status_code == 404
    assert client.post("/notifications/not-a-uuid/read", headers={**HTMX, "X-CSRFToken": csrf}).status_code == 404
    assert unread_ids(db, demo[MANAGER]) == {theirs.id}


def test_mark_all_read_marks_only_yours(client, login_as, demo, db):
    notify(db, demo[EMPLOYEE], 3)
    [theirs] = notify(db, demo[MANAGER])
    login_as(demo[EMPLOYEE])
    response = client.post("/notifications/read-all", headers={**HTMX, "X-CSRFToken": token(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="notifications-panel"' in html and "All caught up" in html and "Mark as read" not in html
    assert "3 notifications marked as read." in html and "Notifications, none unread" in html
    assert unread_ids(db, demo[EMPLOYEE]) == set() and unread_ids(db, demo[MANAGER]) == {theirs.id}


# --- email preferences ---------------------------------------------------------------------------


def checkboxes(html):
    return dict(re.findall(r'<input type="checkbox" id="[^"]+" name="email" value="([^"]+)"( checked)?>', html))


def test_everyone_has_email_preferences_with_everything_on_at_first(client, login_as, demo):
    login_as(demo[EMPLOYEE])
    response = client.get("/settings/notifications")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    boxes = checkboxes(html)
    assert all(boxes.values()) and "level.started" in boxes and "flow.assigned" in boxes
    assert "webhook.disabled" not in boxes and "flow.completed" not in boxes  # admins' and assigners' things
    for kind in boxes:  # every checkbox has its label
        field_id = re.search(rf'id="([^"]+)" name="email" value="{re.escape(kind)}"', html).group(1)
        assert f'<label for="{field_id}">' in html


def test_admins_also_choose_about_webhooks_and_flows_they_assigned(client, login_as, demo):
    login_as(demo[ADMIN])
    boxes = checkboxes(client.get("/settings/notifications").get_data(as_text=True))
    assert "webhook.disabled" in boxes and "flow.completed" in boxes


def test_saving_preferences_keeps_the_unticked_kinds_as_opt_outs(client, login_as, demo, db):
    login_as(demo[EMPLOYEE])
    html = client.get("/settings/notifications").get_data(as_text=True)
    wanted = [kind for kind in checkboxes(html) if kind not in ("comment.added", "level.tat_reminder")]
    response = client.post("/settings/notifications",
                           data={"csrf_token": csrf_token_from(html), "email": wanted + ["made.up"]})
    assert response.status_code == 303
    opted_out = set(db.session.scalars(sa.select(EmailOptOut.kind).where(EmailOptOut.user_id == demo[EMPLOYEE].id)))
    assert opted_out == {"comment.added", "level.tat_reminder"}
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "Email preferences saved." in page
    boxes = checkboxes(page)
    assert not boxes["comment.added"] and boxes["level.started"]

    client.post("/settings/notifications", data={"csrf_token": csrf_token_from(page), "email": list(boxes)})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailOptOut)) == 0


def test_saving_preferences_needs_the_csrf_token(client, login_as, demo, db):
    login_as(demo[EMPLOYEE])
    assert client.post("/settings/notifications", data={"email": []}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailOptOut)) == 0
