"""The request lists (inbox, my requests, watching), the dashboard and people search;
the query counts of the workflow pages."""

import re

import pytest
from sqlalchemy.exc import OperationalError

from momoflow.workflows import queries, services
from tests.workflows.pages import DIRECTOR, HTMX, INITIATOR, MANAGER, SPECTATOR, current_level, raise_request


# --- lists -------------------------------------------------------------------------


def test_my_requests_and_watching_lists(client, db, demo, login_as):
    raise_request(db, demo, MANAGER, spectators=[SPECTATOR], title="Team offsite")
    login_as(demo[INITIATOR])
    html = client.get("/requests").get_data(as_text=True)
    assert "Team offsite" in html and "Pending" in html and "Arjun Mehta" in html
    filtered = client.get("/requests?status=APPROVED").get_data(as_text=True)
    assert "Team offsite" not in filtered and "No requests match these filters" in filtered
    bad = client.get("/requests?status=NOPE")
    assert bad.status_code == 400 and "Status must be one of" in bad.get_data(as_text=True)
    assert client.get("/requests/all").status_code == 403
    assert "not watching any requests" in client.get("/watching").get_data(as_text=True)

    login_as(demo[SPECTATOR])
    assert "Team offsite" in client.get("/watching").get_data(as_text=True)
    assert "raised any requests yet" in client.get("/requests").get_data(as_text=True)
    login_as(demo["admin@company.com"])
    assert "Team offsite" in client.get("/requests/all").get_data(as_text=True)


def test_closed_requests_stay_in_the_lists(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER, spectators=[SPECTATOR], title="Team offsite")
    services.approve_level(demo[MANAGER], workflow.id, current_level(db, workflow).id)
    db.session.flush()
    login_as(demo[INITIATOR])
    html = client.get("/requests?status=APPROVED").get_data(as_text=True)
    assert "Team offsite" in html and "Approved" in html
    login_as(demo[SPECTATOR])
    assert "Team offsite" in client.get("/watching").get_data(as_text=True)


def test_inbox_loads_more_with_htmx(client, db, demo, login_as):
    for number in range(23):
        raise_request(db, demo, MANAGER, title=f"Request number {number}")
    login_as(demo[MANAGER])
    html = client.get("/inbox").get_data(as_text=True)
    assert html.count('class="card inbox-item') == 20
    more = re.search(r'hx-get="(/inbox\?cursor=[^"]+)"', html).group(1)
    response = client.get(more, headers=HTMX).get_data(as_text=True)
    assert response.count('class="card inbox-item') == 3
    assert '<ul hx-swap-oob="beforeend:#inbox-list">' in response and "data-load-more" not in response
    assert client.get("/inbox?cursor=garbage").status_code == 400


def test_dashboard_shows_the_first_waiting_items(client, db, demo, login_as):
    for number in range(4):
        raise_request(db, demo, MANAGER, title=f"Dashboard item {number}")
    login_as(demo[MANAGER])
    html = client.get("/").get_data(as_text=True)
    assert html.count("Dashboard item") == 3 and "Open your inbox (4 waiting)" in html


def test_people_search_suggests_colleagues(client, demo, login_as):
    login_as(demo[INITIATOR])
    html = client.get("/people/search?level_email=kav", headers=HTMX).get_data(as_text=True)
    assert f'<option value="{DIRECTOR}">Kavita Rao · Director</option>' in html
    assert client.get("/people/search?q=%25").get_data(as_text=True).strip() == ""


# --- query counts ------------------------------------------------------------------

APPROVERS = [MANAGER, DIRECTOR, "cfo@royalenfield.com", "hr@royalenfield.com", "finance@royalenfield.com",
             "it-manager@royalenfield.com", "cto@royalenfield.com", "procurement@royalenfield.com",
             "legal@royalenfield.com", "vp@royalenfield.com"]
WATCHERS = ["spectator@royalenfield.com", "user@example.com", "manager@example.com", "director@example.com",
            "hr@example.com", "approver@royalenfield.com"]


def queries_for(client, count_queries, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_request_page_queries_do_not_grow_with_levels_or_people(client, db, demo, login_as, count_queries):
    small = raise_request(db, demo, MANAGER, with_file=True)
    large = raise_request(db, demo, *APPROVERS, spectators=WATCHERS, with_file=True)
    for workflow in (small, large):
        for number in range(3 if workflow is large else 1):
            services.add_comment(demo[INITIATOR], workflow.id, f"Comment {number}")
    db.session.flush()
    login_as(demo[INITIATOR])
    assert (queries_for(client, count_queries, f"/requests/{small.id}")
            == queries_for(client, count_queries, f"/requests/{large.id}"))


def test_list_pages_queries_do_not_grow_with_rows(client, db, demo, login_as, count_queries):
    raise_request(db, demo, MANAGER)
    login_as(demo[MANAGER])
    one = {url: queries_for(client, count_queries, url) for url in ("/inbox", "/")}
    login_as(demo[INITIATOR])
    one["/requests"] = queries_for(client, count_queries, "/requests")
    for number in range(29):
        raise_request(db, demo, MANAGER, spectators=[SPECTATOR], title=f"Request {number}")
    login_as(demo[MANAGER])
    thirty = {url: queries_for(client, count_queries, url) for url in ("/inbox", "/")}
    login_as(demo[INITIATOR])
    thirty["/requests"] = queries_for(client, count_queries, "/requests")
    assert one == thirty
    login_as(demo[MANAGER])
    assert client.get("/inbox").get_data(as_text=True).count('class="card inbox-item') == 20


def test_pages_render_when_the_inbox_count_fails(client, demo, login_as, monkeypatch):
    def broken(user):
        raise OperationalError("SELECT", {}, Exception("connection lost"))

    monkeypatch.setattr(queries, "inbox_count", broken)
    login_as(demo[MANAGER])
    response = client.get("/requests")
    assert response.status_code == 200 and 'id="inbox-badge" class="navbadge" hidden' in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/requests/new", "/inbox", "/requests", "/watching", "/requests/some-id"])
def test_pages_need_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("seconds, text", [
    (30, "less than a minute"), (12 * 60, "12m"), (5 * 3600 + 12 * 60, "5h 12m"),
    (2 * 86400 + 5 * 3600, "2d 5h"), (-(726 * 86400 + 5 * 3600), "726 days"),
])
def test_durations_read_naturally(seconds, text):
    from momoflow.templating import duration_text

    assert duration_text(seconds) == text
