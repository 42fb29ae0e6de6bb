"""The sign-in page, sessions, CSRF, redirects and the pages' security headers."""

import pytest
import sqlalchemy as sa

from momoflow.auth.models import UserSession
from tests.conftest import csrf_token_from, make_test_app
from tests.factories import make_user

PASSWORD = "page-password-1"


@pytest.fixture
def person(db):
    return make_user(email="employee@company.com", password=PASSWORD, display_name="Priya Sharma")


def sign_in(client, email, password, next_url=None, remember=False):
    page = client.get("/login")
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), "email": email, "password": password}
    if remember:
        form["remember"] = "y"
    return client.post("/login" + (f"?next={next_url}" if next_url else ""), data=form)


def test_dashboard_needs_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_shows_who_you_are(client, person):
    response = sign_in(client, "employee@company.com", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Priya" in page
    assert "employee@company.com" in page
    assert "Welcome, Priya Sharma." in page  # the toast


def test_bad_credentials_show_one_generic_error(client, person):
    for email, password in [("employee@company.com", "nope"), ("ghost@company.com", PASSWORD)]:
        response = sign_in(client, email, password)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Invalid email or password" in page
        assert 'value="' + email + '"' in page  # the email stays filled in
    assert client.get("/").status_code == 302


def test_empty_form_shows_inline_field_errors(client, db):
    response = sign_in(client, "", "")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your work email." in page and "Enter your password." in page
    assert 'aria-invalid="true"' in page


def test_post_without_csrf_token_is_refused(client, person):
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_htmx_post_needs_the_csrf_header(client, person, login_as):
    login_as(person)
    page = client.get("/").get_data(as_text=True)
    token = csrf_token_from(page)
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page
    assert client.post("/logout", headers={"HX-Request": "true"}).status_code == 400
    response = client.post("/logout", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


def test_session_is_renewed_at_sign_in(client, db, person):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before = session["csrf_token"]
    sign_in(client, person.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before
        # The person and their one recorded sign-in (momoflow.auth.services).
        sign_in_id = db.session.scalar(sa.select(UserSession.id).where(UserSession.user_id == person.id))
        assert session["_user_id"] == f"{person.id}:{sign_in_id}"


@pytest.mark.parametrize("next_url, expected", [
    ("/profile?tab=1", "/profile?tab=1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("/%09/evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_only_goes_to_local_paths(client, person, next_url, expected):
    response = sign_in(client, person.email, PASSWORD, next_url=next_url)
    assert response.headers["Location"] == expected


def test_remember_me_sets_a_remember_cookie(client, person):
    sign_in(client, person.email, PASSWORD, remember=True)
    assert client.get_cookie("remember_token") is not None


def test_sign_out(client, person):
    sign_in(client, person.email, PASSWORD)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert "You have signed out." in client.get("/login").get_data(as_text=True)


def test_sign_out_is_post_only(client, person, login_as):
    login_as(person)
    assert client.get("/logout").status_code == 405


def test_deactivated_user_is_signed_out(client, db, person, login_as):
    login_as(person)
    person.active = False
    db.session.flush()
    assert client.get("/").status_code == 302


def test_htmx_request_without_session_gets_a_full_page_redirect(client, db):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_page_sign_in_attempts_are_throttled(app, client, person):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        sign_in(client, person.email, "wrong")
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page and f"Please wait {retry_after} seconds, then try again." in page
    assert "Back to sign in" in page  # not a dashboard link that leads back to the sign-in form


def test_friendly_404_page(client, db):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "couldn&#39;t find that page" in response.get_data(as_text=True)


def test_unexpected_errors_are_a_friendly_500_page_or_json(database_url, tmp_path):
    app = make_test_app(database_url, tmp_path)

    @app.get("/__boom")
    @app.get("/api/v1/__boom")
    def boom():
        raise RuntimeError("boom")

    client = app.test_client()
    page = client.get("/__boom")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.get_data(as_text=True)
    api = client.get("/api/v1/__boom")
    assert api.status_code == 500
    assert api.get_json() == {"success": False, "error": "Internal server error",
                              "details": "Something went wrong on our side."}


def test_security_headers(client, db):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in headers["Vary"]


def test_pages_have_no_inline_script(client, person, login_as):
    login_page = client.get("/login").get_data(as_text=True)
    login_as(person)
    dashboard = client.get("/").get_data(as_text=True)
    for html in (login_page, dashboard):
        assert "<script>" not in html and " on" + "click=" not in html
        assert 'src="/static/vendor/htmx-2.0.11.min.js"' in html
