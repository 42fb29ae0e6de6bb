"""The request lists' search (``q``): each page and the list API find requests by number,
title word, initiator or approver name or email (or part of one), keep q across pages,
never show what the reader may not see, and refuse hostile text with a 400."""

import re

import pytest

from momoflow.accounts.models import Role
from momoflow.workflows import services
from momoflow.workflows.validation import parse_new_request
from tests.factories import make_org, make_user
from tests.workflows.conftest import simple_request
from tests.workflows.pages import HTMX, INITIATOR, MANAGER, SPECTATOR, current_level, raise_request

DIRECTOR, CFO, ADMIN, OUTSIDER = ("director@royalenfield.com", "cfo@royalenfield.com", "admin@company.com",
                                  "hr@royalenfield.com")
READERS = {"inbox": (MANAGER, "/inbox", "approve"), "mine": (INITIATOR, "/requests", "mine"),
           "watching": (SPECTATOR, "/watching", "watching"), "all": (ADMIN, "/requests/all", "all")}


@pytest.fixture
def requests(db, demo):
    """Two requests every reader sees (Priya Sharma raised both; Arjun Mehta decides the
    first level of both; Jane Doe watches both), told apart by title and later approvers;
    and one in another organisation that matches the same words."""
    laptop = raise_request(db, demo, MANAGER, DIRECTOR, spectators=[SPECTATOR], title="Laptop purchase (50% off)")
    offsite = raise_request(db, demo, MANAGER, CFO, spectators=[SPECTATOR], title="Team offsite")
    elsewhere = make_org("elsewhere")
    stranger = make_user(elsewhere, "arjun@elsewhere.example", display_name="Arjun Sharma", role=Role.MANAGER)
    boss = make_user(elsewhere, "kavita@elsewhere.example", display_name="Kavita Laptop", role=Role.ADMIN)
    spec = parse_new_request(simple_request(boss.email, title="Laptop purchase (50% off)"))
    services.create_request(stranger, spec)
    db.session.flush()
    return {"laptop": laptop, "offsite": offsite}


def found(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    return {title for title in ("Laptop purchase (50% off)", "Team offsite") if title in html}


def search_texts(requests):
    """(text searched, titles it must find): number, title word, initiator and approver
    by name and by part of their email, wildcards taken literally, nothing."""
    number = requests["laptop"].request_number
    both, laptop, offsite = {"Laptop purchase (50% off)", "Team offsite"}, {"Laptop purchase (50% off)"}, {"Team offsite"}
    return [(number, laptop), (number.lower(), laptop), ("LAPTOP", laptop), ("team   offsite", offsite),
            ("Priya Sharma", both), ("employee@comp", both), ("Kavita", laptop), ("cfo@royal", offsite),
            ("Rajesh Iyer", offsite), ("50%", laptop), ("5_%", set()), ("%", laptop), ("_", set()),
            ("nothing like this", set()), ("   ", both)]


@pytest.mark.parametrize("view", READERS)
def test_each_list_page_searches(client, demo, login_as, requests, view):
    email, path, _ = READERS[view]
    login_as(demo[email])
    for text, titles in search_texts(requests):
        assert found(client, f"{path}?q={text.replace('%', '%25')}") == titles, (view, text)


@pytest.mark.parametrize("view", READERS)
def test_the_list_api_searches(api_as, requests, view):
    email, _, name = READERS[view]
    api = api_as(email)
    for text, titles in search_texts(requests):
        response = api.get("/workflows", query_string={"view": name, "q": text})
        assert response.status_code == 200, response.get_json()
        assert {item["title"] for item in response.get_json()["data"]} == titles, (view, text)


def test_search_shows_nothing_the_reader_cannot_see(client, demo, login_as, api_as, requests):
    login_as(demo[ADMIN])  # the other organisation's request matches "laptop" and "Arjun" too
    html = client.get("/requests/all?q=Arjun").get_data(as_text=True)
    assert html.count('class="request-row"') == 2 and "elsewhere" not in html
    login_as(demo[OUTSIDER])  # takes part in neither request
    for path in ("/inbox", "/requests", "/watching"):
        assert found(client, f"{path}?q=laptop") == set()
    assert api_as(OUTSIDER).get("/workflows", query_string={"view": "all", "q": "laptop"}).status_code == 403
    login_as(demo[DIRECTOR])  # level 2 has not started: nothing waits for them yet
    assert found(client, "/inbox?q=laptop") == set()


def test_a_reassigned_task_no_longer_counts_its_first_holder(db, demo, api_as, requests):
    offsite = requests["offsite"]
    services.reassign_task(demo[MANAGER], offsite.id, current_level(db, offsite).id, "approver@royalenfield.com",
                           "Away next week")
    db.session.flush()
    titles = {item["title"] for item in api_as(INITIATOR).get("/workflows?q=Arjun").get_json()["data"]}
    assert titles == {"Laptop purchase (50% off)"}
    titles = {item["title"] for item in api_as(INITIATOR).get("/workflows?q=Suresh").get_json()["data"]}
    assert titles == {"Team offsite"}


def test_pages_keep_q_when_loading_more(client, db, demo, login_as):
    for number in range(21):
        raise_request(db, demo, MANAGER, title=f"Conference {number}")
    raise_request(db, demo, MANAGER, title="Something else")
    login_as(demo[MANAGER])
    for path, item in (("/inbox", 'class="card inbox-item'), ("/requests", 'class="request-row"')):
        if path == "/requests":
            login_as(demo[INITIATOR])
        html = client.get(f"{path}?q=conference").get_data(as_text=True)
        assert html.count(item) == 20 and 'value="conference"' in html
        more = re.search(r'hx-get="([^"]+)"[^>]*data-load-more', html).group(1).replace("&amp;", "&")
        assert "q=conference" in more
        rest = client.get(more, headers=HTMX).get_data(as_text=True)
        assert rest.count(item) == 1 and "Something else" not in rest


def test_the_api_pages_keep_q(api_as, db, demo, requests):
    api = api_as(INITIATOR)
    first = api.get("/workflows?q=Priya&limit=1").get_json()
    assert len(first["data"]) == 1 and first["pagination"]["hasMore"] is True
    cursor = first["pagination"]["nextCursor"]
    second = api.get("/workflows", query_string={"q": "Priya", "limit": 1, "cursor": cursor}).get_json()
    assert len(second["data"]) == 1 and second["pagination"]["hasMore"] is False
    assert {first["data"][0]["title"], second["data"][0]["title"]} == {"Laptop purchase (50% off)", "Team offsite"}


@pytest.mark.parametrize("query, problem", [
    ("q=" + "x" * 201, "q: Search must be at most 200 characters"),
    ("q=a%00b", "q: Search cannot contain NUL characters"),
])
def test_hostile_search_text_is_400_in_the_api_shape(api_as, query, problem):
    response = api_as(INITIATOR).get(f"/workflows?{query}")
    body = response.get_json()
    assert response.status_code == 400 and body["success"] is False
    assert (body["error"], body["details"]) == ("Validation failed", problem)


def test_undecodable_search_bytes_do_not_break_anything(api_as, client, demo, login_as, requests):
    """A lone surrogate's UTF-8 bytes (and other invalid UTF-8) reach us as U+FFFD: text
    that matches nothing, never a 500."""
    assert api_as(INITIATOR).get("/workflows?q=%ED%A0%80").get_json()["data"] == []
    login_as(demo[INITIATOR])
    assert client.get("/requests?q=%ED%A0%80%FF").status_code == 200


def test_a_refused_search_shows_its_problem_on_the_page(client, demo, login_as):
    login_as(demo[MANAGER])
    response = client.get("/inbox?q=" + "y" * 300)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Search must be at most 200 characters" in html
