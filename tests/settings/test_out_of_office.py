"""Settings → Out of office: the page renders, saves, shows inline errors, clears, and
lets administrators open someone else's."""

import pytest

from momoflow.accounts.models import Absence
from tests.factories import make_org, make_user
from tests.workflows.pages import HTMX, error_of, htmx_post, token_on

EMPLOYEE, MANAGER, JANE, ADMIN = ("employee@company.com", "manager@royalenfield.com", "spectator@royalenfield.com",
                                  "admin@company.com")
PAGE = "/settings/out-of-office"
FORM = {"start": "2099-12-07T09:00", "end": "2099-12-11T18:00", "delegate_email": MANAGER, "message": "Back soon"}


@pytest.fixture
def kolkata(demo, db):
    demo[EMPLOYEE].organization.timezone = "Asia/Kolkata"
    db.session.flush()


def test_everyone_has_the_page_with_an_empty_state(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "<h1>Out of office</h1>" in html and "You have no out of office planned." in html
    assert 'list="people-options"' in html and '<datalist id="people-options">' in html
    assert 'class="settings-tabs"' not in html  # reached from the account menu
    assert f'href="{PAGE}"' in client.get("/").get_data(as_text=True)


def test_saving_reads_the_times_in_the_organisations_zone(client, demo, login_as, db, kolkata):
    login_as(demo[EMPLOYEE])
    response = htmx_post(client, PAGE, token_on(client, PAGE), FORM)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Out of office saved." in html  # the toast
    assert "7 Dec 2099, 09:00 IST" in html and "Arjun Mehta" in html and "Back soon" in html
    absence = db.session.query(Absence).one()
    assert absence.starts_at.isoformat() == "2099-12-07T03:30:00+00:00"
    assert 'value="2099-12-07T09:00"' in client.get(PAGE).get_data(as_text=True)  # shown as entered


def test_a_plain_post_redirects_with_a_toast(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    token = token_on(client, PAGE)
    response = client.post(PAGE, data={**FORM, "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert "Out of office saved." in client.get(PAGE).get_data(as_text=True)


def test_problems_show_next_to_their_fields(client, demo, login_as, db):
    login_as(demo[EMPLOYEE])
    form = {"start": "2099-12-11T09:00", "end": "2099-12-07T09:00", "delegate_email": EMPLOYEE, "message": "x" * 1001}
    response = htmx_post(client, PAGE, token_on(client, PAGE), form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "absence-end") == "End must be after the start"
    assert error_of(html, "absence-message") == "Message must be at most 1000 characters"
    assert "There are 2 problems" in html and 'value="2099-12-11T09:00"' in html  # kept as typed
    response = htmx_post(client, PAGE, token_on(client, PAGE), {**FORM, "delegate_email": EMPLOYEE, "start": "soon"})
    html = response.get_data(as_text=True)
    assert error_of(html, "absence-start").startswith("Start must be a date and time")
    response = htmx_post(client, PAGE, token_on(client, PAGE), {**FORM, "delegate_email": EMPLOYEE})
    assert error_of(response.get_data(as_text=True), "absence-delegate") == (
        "You cannot stand in for yourself: choose someone else")
    assert db.session.query(Absence).count() == 0


def test_a_cycle_is_explained_inline(client, demo, login_as):
    login_as(demo[JANE])
    assert htmx_post(client, PAGE, token_on(client, PAGE), {**FORM, "delegate_email": EMPLOYEE}).status_code == 200
    login_as(demo[EMPLOYEE])
    html = htmx_post(client, PAGE, token_on(client, PAGE), {**FORM, "delegate_email": JANE}).get_data(as_text=True)
    assert error_of(html, "absence-delegate") == (
        "Jane Doe is away then and hands their work to you: choose someone else")


def test_im_back_clears_it(client, demo, login_as, db):
    login_as(demo[EMPLOYEE])
    token = token_on(client, PAGE)
    htmx_post(client, PAGE, token, {**FORM, "start": "2000-01-01T00:00"})
    html = client.get(PAGE).get_data(as_text=True)
    assert "You are out of office now" in html and "I&#39;m back" in html
    response = htmx_post(client, f"{PAGE}/clear", token)
    assert response.status_code == 200 and "Welcome back" in response.get_data(as_text=True)
    assert db.session.query(Absence).count() == 0
    assert "No out of office was set." in htmx_post(client, f"{PAGE}/clear", token).get_data(as_text=True)


def test_the_form_needs_its_csrf_token(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    assert client.post(PAGE, data=FORM, headers=HTMX).status_code == 400


# --- administrators ---------------------------------------------------------------------------


def test_an_admin_sets_someone_elses(client, demo, login_as, db):
    login_as(demo[ADMIN])
    url = f"{PAGE}?person={EMPLOYEE}"
    html = client.get(url).get_data(as_text=True)
    assert "<h1>Out of office for Priya Sharma</h1>" in html and 'class="settings-tabs"' in html
    assert f'action="{PAGE}?person=employee@company.com"' in html
    response = htmx_post(client, url, token_on(client, url), FORM)
    assert response.status_code == 200 and "Priya Sharma is" not in response.get_data(as_text=True)
    absence = db.session.query(Absence).one()
    assert (absence.user_id, absence.set_by_id) == (demo[EMPLOYEE].id, demo[ADMIN].id)
    response = htmx_post(client, f"{PAGE}/clear?person={EMPLOYEE}", token_on(client, url))
    assert response.status_code == 200 and db.session.query(Absence).count() == 0


def test_only_admins_open_someone_elses(client, demo, login_as):
    login_as(demo[JANE])
    assert client.get(f"{PAGE}?person={EMPLOYEE}").status_code == 403
    assert client.get(f"{PAGE}?person={JANE}").status_code == 200  # their own, named


def test_another_organisations_person_is_404(client, demo, login_as):
    make_user(make_org(), email="outsider@elsewhere.com")
    login_as(demo[ADMIN])
    assert client.get(f"{PAGE}?person=outsider@elsewhere.com").status_code == 404
    assert client.get(f"{PAGE}?person=ghost@company.com").status_code == 404


def test_the_autocomplete_reads_the_stand_in_field(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    html = client.get("/people/search?delegate_email=arj").get_data(as_text=True)
    assert MANAGER in html
