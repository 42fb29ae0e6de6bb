"""Settings → Approvals: admins only; revisions a whole number from 0 to 20, shown next to
its field when wrong; the two switches stored; htmx gets the panel and a toast."""

import pytest

from momoflow.accounts.models import Organization
from tests.conftest import csrf_token_from

URL = "/settings/approvals"
ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"


def organization(db, demo):
    return db.session.get(Organization, demo[ADMIN].organization_id, populate_existing=True)


def token_on(client):
    response = client.get(URL)
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def test_the_page_shows_the_stored_settings_under_its_tab(client, demo, login_as):
    login_as(demo[ADMIN])
    response = client.get(URL)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert '<a href="/settings/approvals" aria-current="page">Approvals</a>' in html
    assert 'name="max_revisions" value="3"' in html
    for field in ("approvals-max-revisions", "approvals-restart", "approvals-email-sign-in"):
        assert f'for="{field}"' in html
    assert 'name="email_decisions_need_sign_in" value="1" aria-describedby="approvals-email-sign-in-hint">' in html


def test_saving_stores_every_field(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = client.post(URL, data={"csrf_token": token_on(client), "max_revisions": "5",
                                      "rounds_restart_at_first_level": "1", "email_decisions_need_sign_in": "1"})
    assert response.status_code == 303
    stored = organization(db, demo)
    assert (stored.max_revisions, stored.rounds_restart_at_first_level, stored.email_decisions_need_sign_in) == (
        5, True, True)
    assert "Approval settings saved." in client.get(URL).get_data(as_text=True)

    response = client.post(URL, data={"csrf_token": token_on(client), "max_revisions": "0"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Approval settings saved." in response.get_data(as_text=True)
    stored = organization(db, demo)
    assert (stored.max_revisions, stored.rounds_restart_at_first_level, stored.email_decisions_need_sign_in) == (
        0, False, False)


@pytest.mark.parametrize("value", ["21", "-1", "2.5", "", "abc", "9" * 400, "\uff11"])
def test_revisions_must_be_a_whole_number_from_0_to_20(client, demo, login_as, db, value):
    login_as(demo[ADMIN])
    response = client.post(URL, data={"csrf_token": token_on(client), "max_revisions": value,
                                      "email_decisions_need_sign_in": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="field__error" id="approvals-max-revisions-error">Revisions: enter a whole number from 0 to 20.' \
        in html
    stored = organization(db, demo)
    assert stored.max_revisions == 3 and stored.email_decisions_need_sign_in is False  # nothing saved


def test_only_admins_open_or_change_it(client, demo, login_as, db):
    login_as(demo[EMPLOYEE])
    assert client.get(URL).status_code == 403
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    assert client.post(URL, data={"csrf_token": token, "max_revisions": "1"}).status_code == 403
    assert organization(db, demo).max_revisions == 3
