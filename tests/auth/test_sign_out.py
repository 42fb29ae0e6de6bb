"""Signing out revokes: cookies copied before sign-out (session and remember-me) are
refused afterwards, signing out everywhere ends every sign-in and API token, and so does
a new role or deactivation. Each test signs in through the real form and replays the
real cookies on a fresh client, as someone who copied them would."""

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Role
from momoflow.auth.models import UserSession
from tests.auth.test_pages import sign_in
from tests.conftest import csrf_token_from
from tests.factories import make_user

PASSWORD = "sign-out-password-1"


@pytest.fixture
def person(db):
    return make_user(email="admin@company.com", password=PASSWORD, role=Role.ADMIN, display_name="Ada Admin")


def signed_in_client(app, person, remember=False):
    client = app.test_client()
    assert sign_in(client, person.email, PASSWORD, remember=remember).status_code == 302
    return client


def replay(app, name, value):
    """A fresh browser holding only the cookie ``name`` copied from another."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def is_signed_in(client):
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def post_form(client, path):
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token})


def api_token(client, person):
    response = client.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 200
    return response.get_json()["data"]["token"]


def api_me(client, token):
    return client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_a_session_cookie_replayed_after_sign_out_is_refused(app, person):
    browser = signed_in_client(app, person)
    copied = browser.get_cookie("session").value
    assert is_signed_in(replay(app, "session", copied))  # the copy works while the sign-in lasts

    assert post_form(browser, "/logout").headers["Location"] == "/login"

    response = replay(app, "session", copied).get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_remember_me_cookie_replayed_after_sign_out_is_refused(app, person):
    browser = signed_in_client(app, person, remember=True)
    copied = browser.get_cookie("remember_token").value
    assert is_signed_in(replay(app, "remember_token", copied))  # signs a fresh browser in before sign-out

    post_form(browser, "/logout")

    assert not is_signed_in(replay(app, "remember_token", copied))


@pytest.mark.parametrize("path", ["/logout", "/logout/everywhere"])
def test_signing_out_deletes_the_remember_me_cookie(app, person, path):
    browser = signed_in_client(app, person, remember=True)
    post_form(browser, path)
    assert browser.get_cookie("remember_token") is None


def test_signing_out_one_browser_keeps_the_others(app, person):
    laptop, phone = signed_in_client(app, person), signed_in_client(app, person, remember=True)
    token = api_token(app.test_client(), person)

    post_form(laptop, "/logout")

    assert not is_signed_in(laptop)
    assert is_signed_in(phone)
    assert is_signed_in(replay(app, "remember_token", phone.get_cookie("remember_token").value))
    assert api_me(app.test_client(), token).status_code == 200


def test_the_account_menu_offers_sign_out_everywhere(app, person):
    page = signed_in_client(app, person).get("/").get_data(as_text=True)
    form = page[page.index('action="/logout/everywhere"'):]
    assert 'name="csrf_token"' in form[:form.index("</form>")]
    assert "Sign out everywhere" in form


def test_sign_out_everywhere_needs_the_csrf_token(app, person):
    browser = signed_in_client(app, person)
    assert browser.post("/logout/everywhere").status_code == 400
    assert is_signed_in(browser)


def test_sign_out_everywhere_ends_every_sign_in_and_api_token(app, db, person):
    laptop, phone = signed_in_client(app, person), signed_in_client(app, person, remember=True)
    remembered = phone.get_cookie("remember_token").value
    token = api_token(app.test_client(), person)

    response = post_form(laptop, "/logout/everywhere")

    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You have signed out everywhere" in laptop.get("/login").get_data(as_text=True)
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(replay(app, "remember_token", remembered))
    answer = api_me(app.test_client(), token)
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "Token revoked"
    assert db.session.scalar(sa.select(sa.func.count()).where(UserSession.user_id == person.id)) == 0


def test_signing_in_again_after_sign_out_everywhere_works(app, person):
    browser = signed_in_client(app, person)
    post_form(browser, "/logout/everywhere")

    assert is_signed_in(signed_in_client(app, person))
    assert api_me(app.test_client(), api_token(app.test_client(), person)).status_code == 200


def test_a_new_role_ends_sign_ins_and_tokens(app, db, person):
    browser = signed_in_client(app, person, remember=True)
    remembered = browser.get_cookie("remember_token").value
    token = api_token(app.test_client(), person)

    person.role = Role.EMPLOYEE
    db.session.flush()

    assert not is_signed_in(browser)
    assert not is_signed_in(replay(app, "remember_token", remembered))
    assert api_me(app.test_client(), token).status_code == 401


def test_setting_the_same_role_again_keeps_sign_ins(app, db, person):
    browser = signed_in_client(app, person)
    person.role = Role.ADMIN  # the demo seed and directory refreshes write every field back
    db.session.flush()
    assert is_signed_in(browser)


def test_sign_ins_from_before_a_deactivation_stay_ended_after_reactivation(app, db, person):
    browser = signed_in_client(app, person)
    token = api_token(app.test_client(), person)

    person.active = False
    db.session.flush()
    assert not is_signed_in(browser)
    person.active = True
    db.session.flush()

    assert not is_signed_in(browser)
    assert api_me(app.test_client(), token).status_code == 401


def test_a_cookie_from_before_sign_ins_were_recorded_signs_in_again(client, person):
    """Sessions from the previous release name the person only: they no longer count."""
    with client.session_transaction() as session:
        session["_user_id"] = str(person.id)
    assert not is_signed_in(client)


def test_loading_the_signed_in_person_is_one_query(app, person, count_queries):
    browser = signed_in_client(app, person)
    with count_queries() as statements:
        browser.get("/people/search?q=zz")
    assert len([s for s in statements if "user_sessions" in s]) == 1
