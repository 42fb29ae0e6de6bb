"""The sign-in throttle slows guessing but cannot lock a person out from addresses that
are not theirs: per source address every attempt counts; per email only failures count,
against a slower backstop that browsers the person signed in on before never meet."""

import pytest

from momoflow.accounts.models import Role
from momoflow.auth.throttle import KNOWN_BROWSER_COOKIE
from tests.auth.test_pages import sign_in
from tests.conftest import csrf_token_from
from tests.factories import make_user

PASSWORD = "throttle-password-1"
EMAIL = "admin@company.com"


@pytest.fixture
def admin(db):
    return make_user(email=EMAIL, password=PASSWORD, role=Role.ADMIN)


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def api_sign_in(client, password, email=EMAIL):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def attempts_per_address(app):
    return int(app.config["LOGIN_RATE_LIMIT"].split()[0])


@pytest.fixture
def backstop_of_three(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_EMAIL", "3 per hour")


def test_wrong_passwords_from_other_addresses_do_not_lock_the_person_out(app, admin):
    for n in range(attempts_per_address(app)):
        assert sign_in(from_address(app, f"198.51.100.{n + 1}"), EMAIL, "wrong").status_code == 400
    assert api_sign_in(from_address(app, "198.51.100.99"), "wrong").status_code == 401

    real_admin = from_address(app, "203.0.113.7")
    assert sign_in(real_admin, EMAIL, PASSWORD).status_code == 302
    assert real_admin.get("/").status_code == 200


def test_attempts_from_one_address_are_refused_past_the_limit(app, admin):
    attacker = from_address(app, "198.51.100.1")
    for _ in range(attempts_per_address(app)):
        sign_in(attacker, EMAIL, "wrong")
    response = sign_in(attacker, EMAIL, PASSWORD)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert f"Please wait {retry_after} seconds, then try again." in response.get_data(as_text=True)


def test_one_address_cannot_go_round_the_limit_by_changing_email(app, admin):
    attacker = from_address(app, "198.51.100.1")
    for n in range(attempts_per_address(app)):
        api_sign_in(attacker, "wrong", email=f"someone{n}@company.com")
    response = api_sign_in(attacker, PASSWORD)
    assert response.status_code == 429
    assert response.get_json()["details"] == (
        f"Too many requests. Please try again in {response.headers['Retry-After']} seconds")


def test_failures_from_many_addresses_meet_the_per_email_backstop(app, admin, backstop_of_three):
    for n in range(3):
        assert api_sign_in(from_address(app, f"198.51.100.{n + 1}"), "wrong").status_code == 401
    response = api_sign_in(from_address(app, "198.51.100.50"), PASSWORD)
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 3600
    # Another person's sign-in is not held by it.
    other = make_user(email="other@company.com", password=PASSWORD)
    assert api_sign_in(from_address(app, "198.51.100.50"), PASSWORD, email=other.email).status_code == 200


def test_successful_sign_ins_do_not_count_towards_the_backstop(app, admin, backstop_of_three):
    for n in range(4):
        assert api_sign_in(from_address(app, f"203.0.113.{n + 1}"), PASSWORD).status_code == 200
    assert api_sign_in(from_address(app, "203.0.113.9"), "wrong").status_code == 401


def test_a_browser_the_person_signed_in_on_before_is_not_held_by_the_backstop(app, admin, backstop_of_three):
    own_browser = from_address(app, "203.0.113.7")
    assert sign_in(own_browser, EMAIL, PASSWORD).status_code == 302
    assert own_browser.get_cookie(KNOWN_BROWSER_COOKIE) is not None
    own_browser.post("/logout/everywhere", data={"csrf_token": _csrf(own_browser)})

    for n in range(3):
        api_sign_in(from_address(app, f"198.51.100.{n + 1}"), "wrong")
    assert sign_in(from_address(app, "203.0.113.8"), EMAIL, PASSWORD).status_code == 429  # a new browser

    assert sign_in(own_browser, EMAIL, PASSWORD).status_code == 302


def test_the_known_browser_cookie_counts_only_for_its_own_person(app, admin, backstop_of_three):
    other = make_user(email="other@company.com", password=PASSWORD)
    browser = from_address(app, "203.0.113.7")
    assert sign_in(browser, other.email, PASSWORD).status_code == 302
    for n in range(3):
        api_sign_in(from_address(app, f"198.51.100.{n + 1}"), "wrong")

    browser.set_cookie("session", "")  # signed out, the cookie kept
    assert sign_in(browser, EMAIL, PASSWORD).status_code == 429


def test_a_forged_known_browser_cookie_does_not_count(app, admin, backstop_of_three):
    for n in range(3):
        api_sign_in(from_address(app, f"198.51.100.{n + 1}"), "wrong")
    attacker = from_address(app, "198.51.100.60")
    attacker.set_cookie(KNOWN_BROWSER_COOKIE, "forged.value.here")
    assert sign_in(attacker, EMAIL, PASSWORD).status_code == 429


def _csrf(client):
    return csrf_token_from(client.get("/").get_data(as_text=True))
