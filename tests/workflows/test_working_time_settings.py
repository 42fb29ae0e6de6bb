"""Settings → Working time: the organisation's calendar, for admins only, with every
problem shown next to its field, and the levels that start afterwards counting in it."""

import re

import pytest

from momoflow.accounts.models import Organization
from momoflow.workflows import services
from momoflow.workflows.models import ApprovalLevel
from momoflow.workflows.validation import parse_new_request
from momoflow.worktime import WorkCalendar, deadline
from tests.conftest import csrf_token_from
from tests.workflows.conftest import simple_request

URL = "/settings/working-time"
ADMIN = "admin@company.com"
INITIATOR = "employee@company.com"
HTMX = {"HX-Request": "true"}
VALID = {"timezone": "Asia/Kolkata", "workdays": ["1", "2", "3", "4", "5", "6"], "day_start": "10:00",
         "day_end": "18:30", "holidays": "2026-12-25  # Christmas\r\n\r\n2027-01-26 # Republic Day\r\n"}


def token_on(client, url=URL):
    response = client.get(url)
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def organization_of(db, demo):
    return db.session.get(Organization, demo[ADMIN].organization_id, populate_existing=True)


def error_of(html, input_id):
    match = re.search(rf'<p class="field__error" id="{re.escape(input_id)}-error">([^<]*)</p>', html)
    return match and match.group(1)


def test_the_page_shows_the_stored_calendar(client, demo, login_as):
    login_as(demo[ADMIN])
    response = client.get(URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    for label in ('for="working-timezone"', 'for="working-day-start"', 'for="working-day-end"',
                  'for="working-holidays"', "<legend>Working days</legend>", "<legend>Working hours</legend>"):
        assert label in html
    assert 'id="working-timezone" name="timezone" value="UTC"' in html
    checked = re.findall(r'id="working-day-(\d)" name="workdays" value="\d"( checked)?', html)
    assert [(day, bool(mark)) for day, mark in checked] == [
        ("1", True), ("2", True), ("3", True), ("4", True), ("5", True), ("6", False), ("7", False)]
    assert 'name="day_start" value="09:00"' in html and 'name="day_end" value="17:00"' in html
    assert "Changes apply to levels that start after you save" in html
    assert '<option value="Europe/London">' in html and 'list="timezone-options"' in html
    assert re.search(r"<dt>Standard</dt><dd>\w{3} \d{1,2} \w{3} \d\d:\d\d UTC", html)
    assert '<a href="/settings/working-time" aria-current="page">Working time</a>' in html
    assert '<a href="/settings/api-keys">API keys</a>' in html


def test_the_api_keys_page_links_to_working_time(client, demo, login_as):
    login_as(demo[ADMIN])
    html = client.get("/settings/api-keys").get_data(as_text=True)
    assert '<a href="/settings/working-time">Working time</a>' in html
    assert '<a href="/settings/api-keys" aria-current="page">API keys</a>' in html


@pytest.mark.parametrize("email", [INITIATOR, "manager@royalenfield.com"])
def test_only_admins_see_or_change_it(client, db, demo, login_as, email):
    login_as(demo[ADMIN])
    token = token_on(client)
    login_as(demo[email])
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={**VALID, "csrf_token": token}).status_code == 403
    assert organization_of(db, demo).timezone == "UTC"


def test_signed_out_people_are_sent_to_sign_in(client, demo):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_post_without_a_csrf_token_is_refused(client, db, demo, login_as):
    login_as(demo[ADMIN])
    assert client.post(URL, data=VALID).status_code == 400
    assert client.post(URL, data=VALID, headers=HTMX).status_code == 400
    assert organization_of(db, demo).timezone == "UTC"


def test_saving_stores_the_calendar_and_says_so(client, db, demo, login_as):
    login_as(demo[ADMIN])
    response = client.post(URL, data={**VALID, "csrf_token": token_on(client)})
    assert response.status_code == 303 and response.headers["Location"] == URL
    organization = organization_of(db, demo)
    assert (organization.timezone, organization.workdays, organization.work_hours, organization.holidays) == (
        "Asia/Kolkata", "mon,tue,wed,thu,fri,sat", "10:00-18:30",
        "2026-12-25  # Christmas\n\n2027-01-26 # Republic Day")
    html = client.get(URL).get_data(as_text=True)
    assert "Working time saved." in html and 'class="toast toast--success"' in html
    assert 'value="Asia/Kolkata"' in html and 'id="working-day-6" name="workdays" value="6" checked' in html
    assert "2026-12-25  # Christmas" in html and " IST" in html  # the example, in the new zone


def test_saving_with_htmx_swaps_the_panel_and_adds_a_toast(client, db, demo, login_as):
    login_as(demo[ADMIN])
    response = client.post(URL, data={**VALID, "csrf_token": token_on(client)}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div id="working-time" class="key-panel">' in html
    assert "<html" not in html and 'hx-swap-oob="beforeend:#toasts"' in html and "Working time saved." in html
    assert "levels already running keep their deadlines" in html
    assert organization_of(db, demo).work_hours == "10:00-18:30"


def test_every_problem_is_shown_next_to_its_field(client, db, demo, login_as):
    login_as(demo[ADMIN])
    response = client.post(URL, data={"csrf_token": token_on(client), "timezone": "asia/kolkata", "workdays": [],
                                      "day_start": "18:00", "day_end": "09:00", "holidays": "2026-12-25\n25/12/2026"},
                           headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Did you mean &#34;Asia/Kolkata&#34;?" in error_of(html, "working-timezone")
    assert error_of(html, "working-days") == "Working days: choose at least one working day."
    assert error_of(html, "working-hours") == \
        "Working hours: the day must start before it ends, got 18:00-09:00."
    assert error_of(html, "working-holidays") == \
        'Holidays: &#34;25/12/2026&#34; is not a date like 2025-12-25 (put any name after a #).'
    assert "There are 4 problems with the working time" in html and 'href="#working-day-start"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="working-timezone-hint working-timezone-error"' in html
    assert 'value="asia/kolkata"' in html and ">2026-12-25\n25/12/2026</textarea>" in html  # kept as typed
    assert organization_of(db, demo).timezone == "UTC"


@pytest.mark.parametrize("change, input_id, message", [
    ({"timezone": "  "}, "working-timezone", "Time zone: enter a time zone name like Europe/London."),
    ({"day_end": ""}, "working-hours", "enter both the time the working day starts and the time it ends."),
    ({"day_start": "25:00"}, "working-hours", "contains a time that does not exist"),
    ({"workdays": ["8"]}, "working-days", "is not a weekday"),
    ({"holidays": "2026-02-30"}, "working-holidays", "is not a real date"),
    ({"holidays": "2026-12-25\n" * 2000}, "working-holidays", "at most 20,000 characters"),
])
def test_one_problem_without_javascript_shows_the_whole_page(client, demo, login_as, change, input_id, message):
    login_as(demo[ADMIN])
    response = client.post(URL, data={**VALID, **change, "csrf_token": token_on(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in html
    assert message in error_of(html, input_id)
    assert "There is a problem with the working time" in html


def test_levels_started_after_saving_count_in_the_new_calendar(client, db, demo, login_as):
    login_as(demo[ADMIN])
    client.post(URL, data={**VALID, "csrf_token": token_on(client)})
    db.session.expire_all()  # the test's session still holds the organisation as it was before the post
    request = services.create_request(demo[INITIATOR], parse_new_request(simple_request("manager@royalenfield.com")))
    db.session.flush()
    level = db.session.scalar(db.select(ApprovalLevel).where(ApprovalLevel.request_id == request.id))
    calendar = WorkCalendar.from_settings("Asia/Kolkata", "mon-sat", "10:00-18:30", "2026-12-25\n2027-01-26")
    assert level.tat_deadline == deadline("STANDARD", calendar, level.started_at, 24)
