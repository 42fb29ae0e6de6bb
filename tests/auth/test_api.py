"""POST /api/v1/auth/login and bearer tokens, exactly as the workflow seed shows them."""

from datetime import timedelta

import jwt
import pytest

from momoflow.accounts.models import Role
from momoflow.auth.tokens import AUDIENCE, ALGORITHM, ISSUER, _key
from momoflow.database import utcnow
from tests.factories import make_user

PASSWORD = "correct horse battery"


@pytest.fixture
def person(db):
    return make_user(email="Manager@Example.com", password=PASSWORD, role=Role.MANAGER,
                     display_name="Jordan Lee", designation="Engineering Manager", department="Engineering")


def login(client, **body):
    return client.post("/api/v1/auth/login", json=body)


def assert_error(response, status, error, details=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["success"] is False
    assert body["error"] == error
    if details is not None:
        assert body["details"] == details


def test_login_returns_token_and_user_in_seed_shape(client, db, person):
    response = login(client, email="manager@example.com", password=PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    assert set(body["data"]) == {"token", "user"}
    assert body["data"]["user"] == {
        "userId": str(person.id),
        "email": "manager@example.com",
        "displayName": "Jordan Lee",
        "designation": "Engineering Manager",
        "department": "Engineering",
        "role": "manager",
    }
    db.session.refresh(person)
    assert person.last_login_at is not None


def test_email_is_case_insensitive(client, person):
    assert login(client, email="  MANAGER@example.COM ", password=PASSWORD).status_code == 200


def test_token_is_accepted_as_bearer(client, person):
    token = login(client, email=person.email, password=PASSWORD).get_json()["data"]["token"]
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["data"]["user"]["email"] == person.email


def test_token_is_a_signed_jwt_with_expiry(app, client, person):
    token = login(client, email=person.email, password=PASSWORD).get_json()["data"]["token"]
    with app.app_context():
        claims = jwt.decode(token, _key(), algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER)
    assert claims["sub"] == str(person.id)
    assert claims["exp"] - claims["iat"] == app.config["JWT_EXPIRES_SECONDS"]


@pytest.mark.parametrize("email, password", [
    ("manager@example.com", "wrong password"),
    ("nobody@example.com", PASSWORD),
    ("MANAGER@example.com", PASSWORD.upper()),
])
def test_bad_credentials_are_401_and_do_not_say_which_part_was_wrong(client, person, email, password):
    assert_error(login(client, email=email, password=password), 401, "Invalid credentials",
                 "Invalid email or password")


def test_inactive_user_cannot_sign_in(client, db, person):
    person.active = False
    db.session.flush()
    assert_error(login(client, email=person.email, password=PASSWORD), 401, "Invalid credentials")


def test_missing_fields_are_400_with_field_paths(client, db):
    assert_error(login(client), 400, "Validation failed",
                 "email: Valid email is required; password: Password is required")


@pytest.mark.parametrize("body", [
    {"email": "not-an-email", "password": "x"},
    {"email": ["manager@example.com"], "password": "x"},
    {"email": "*)(mail=*", "password": "x"},
])
def test_invalid_email_is_400(client, db, body):
    assert_error(login(client, **body), 400, "Validation failed", "email: Valid email is required")


@pytest.mark.parametrize("password", [None, "", 12345, {"a": 1}])
def test_invalid_password_is_400(client, db, password):
    assert_error(login(client, email="manager@example.com", password=password), 400, "Validation failed",
                 "password: Password is required")


def test_malformed_json_is_400(client, db):
    response = client.post("/api/v1/auth/login", data='{"email": ', content_type="application/json")
    assert_error(response, 400, "Validation failed", "body: Request body is not valid JSON")


def test_json_that_is_not_an_object_is_400(client, db):
    response = client.post("/api/v1/auth/login", json=["manager@example.com"])
    assert_error(response, 400, "Validation failed", "body: Request body must be a JSON object")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_is_400(client, db, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post("/api/v1/auth/login", data='{"email": "a@b.com", "password": "x"}', **kwargs)
    assert_error(response, 400, "Validation failed", "body: Content-Type must be application/json")


def test_missing_token_is_401(client, db):
    assert_error(client.get("/api/v1/auth/me"), 401, "Unauthorized")


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer    ", "token abc"])
def test_malformed_authorization_header_is_401(client, db, header):
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": header}), 401, "Unauthorized")


def test_tampered_token_is_401(client, person):
    token = login(client, email=person.email, password=PASSWORD).get_json()["data"]["token"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tampered}"})
    assert_error(response, 401, "Invalid token", "Invalid token")


def test_token_signed_with_another_key_is_401(client, person):
    forged = jwt.encode({"sub": str(person.id), "iss": ISSUER, "aud": AUDIENCE, "iat": utcnow(),
                         "exp": utcnow() + timedelta(hours=1)}, "a-guessed-secret-of-a-decent-length!!", algorithm=ALGORITHM)
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}), 401, "Invalid token")


def test_unsigned_token_is_401(client, person):
    forged = jwt.encode({"sub": str(person.id), "iss": ISSUER, "aud": AUDIENCE}, None, algorithm="none")
    assert_error(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}), 401, "Invalid token")


def test_expired_token_is_401(app, client, person):
    with app.app_context():
        expired = jwt.encode({"sub": str(person.id), "iss": ISSUER, "aud": AUDIENCE,
                              "iat": utcnow() - timedelta(hours=9), "exp": utcnow() - timedelta(hours=1)},
                             _key(), algorithm=ALGORITHM)
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert_error(response, 401, "Token expired")


def test_token_of_deactivated_user_is_401(client, db, person):
    token = login(client, email=person.email, password=PASSWORD).get_json()["data"]["token"]
    person.active = False
    db.session.flush()
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401, "Invalid token")


def test_login_attempts_are_throttled(app, client, person):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        login(client, email=person.email, password="wrong")
    response = login(client, email=person.email, password=PASSWORD)
    assert_error(response, 429, "Too many requests")
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.get_json()["details"] == f"Too many requests. Please try again in {retry_after} seconds"


def test_unknown_api_path_is_json_404(client, db):
    assert_error(client.get("/api/v1/nothing-here"), 404, "Not found")


def test_wrong_method_is_json_405(client, db):
    assert_error(client.get("/api/v1/auth/login"), 405, "Method not allowed")
