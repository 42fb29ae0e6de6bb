"""Signing in through a real OpenID provider (oidc-provider on loopback), over HTTP: the
redirects, the provider's own sign-in form, our callback. Failures the provider cannot be
made to produce (an expired or tampered ID token) are injected around the real answer."""

import base64
import html
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Role, User
from momoflow.sso import oidc
from momoflow.sso.models import SsoIdentity
from tests.factories import make_org, make_user
from tests.flows.pages import ADMIN, EMPLOYEE, MANAGER, post
from tests.sso.helpers import TEST_HOST, set_up_sso, sso_sign_in, start


def signed_in_as(client):
    page = client.get("/")
    return page.status_code == 200 and "Sign out" in page.get_data(as_text=True)


def text(answer):
    return answer.get_data(as_text=True)


# --- success -----------------------------------------------------------------------------


def test_a_person_signs_in_through_the_provider(client, demo, idp, db):
    idp.add("okta-0001", EMPLOYEE)
    provider = set_up_sso(idp)
    authorize = urlsplit(start(client))
    query = parse_qs(authorize.query)
    # The code flow with PKCE (S256), state and nonce, for our client and callback.
    assert f"{authorize.scheme}://{authorize.netloc}" == idp.issuer
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == ["momoflow-test"] and query["redirect_uri"] == [f"{TEST_HOST}/login/sso/callback"]
    assert {"state", "nonce", "code_challenge"} <= query.keys()
    assert set(query["scope"][0].split()) >= {"openid", "email", "profile"}

    with client.session_transaction() as session:
        session["from_before"] = "anything"
    answer = sso_sign_in(client, idp, EMPLOYEE)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"
    assert signed_in_as(client)
    with client.session_transaction() as session:
        assert "from_before" not in session and "sso_pending" not in session  # renewed
    identity = db.session.scalar(sa.select(SsoIdentity).where(SsoIdentity.provider_id == provider.id))
    assert identity.subject == "okta-0001" and identity.user_id == demo[EMPLOYEE].id
    db.session.refresh(demo[EMPLOYEE])
    assert demo[EMPLOYEE].last_login_at is not None


def test_first_sign_in_provisions_the_person(client, demo, idp, db):
    idp.add("okta-new", "new.starter@company.com", name="New Starter")
    provider = set_up_sso(idp)
    assert sso_sign_in(client, idp, "new.starter@company.com").status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == "new.starter@company.com"))
    assert user.display_name == "New Starter" and user.role == Role.EMPLOYEE and user.active
    assert user.organization_id == provider.organization_id and user.password_hash is None
    assert signed_in_as(client)


def test_the_next_page_is_kept_and_only_if_it_is_ours(client, demo, idp):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    back = idp.sign_in(start(client, next="/my-flows"), EMPLOYEE)
    assert client.get(back.removeprefix(TEST_HOST)).headers["Location"] == "/my-flows"
    client.post("/logout", headers={"X-CSRFToken": "x"})
    with client.session_transaction() as session:
        session.clear()
    back = idp.sign_in(start(client, next="https://evil.example/"), EMPLOYEE)
    assert client.get(back.removeprefix(TEST_HOST)).headers["Location"] == "/"


def test_the_providers_id_wins_over_a_changed_email(client, demo, idp, db):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    with client.session_transaction() as session:
        session.clear()
    idp.change("okta-0001", email="employee.renamed@company.com")
    assert sso_sign_in(client, idp, "okta-0001").status_code == 303
    db.session.refresh(demo[EMPLOYEE])
    assert demo[EMPLOYEE].email == "employee.renamed@company.com"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                             .where(User.email.like("employee%@company.com"))) == 1


def test_new_signing_keys_are_fetched_when_the_provider_rotates(client, demo, idp):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303  # its keys are cached now
    with client.session_transaction() as session:
        session.clear()
    idp.rotate_keys()
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    assert signed_in_as(client)


# --- roles from the groups claim -----------------------------------------------------------


def test_groups_map_to_roles_on_every_sign_in(client, demo, idp, db):
    idp.add("okta-0001", EMPLOYEE, groups=["Everyone", "MomoFlow Managers"])
    set_up_sso(idp, role_mapping="MomoFlow Managers = manager\nMomoFlow Admins = admin")
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    db.session.refresh(demo[EMPLOYEE])
    assert demo[EMPLOYEE].role == Role.MANAGER
    with client.session_transaction() as session:
        session.clear()
    idp.change("okta-0001", groups=["Everyone"])
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    db.session.refresh(demo[EMPLOYEE])
    assert demo[EMPLOYEE].role == Role.EMPLOYEE


def test_the_last_admin_is_never_demoted_by_the_mapping(client, demo, idp, db):
    for person in demo.values():
        if person.role == Role.ADMIN and person.email != ADMIN:
            person.role = Role.EMPLOYEE
    idp.add("okta-admin", ADMIN, groups=[])
    set_up_sso(idp, role_mapping="MomoFlow Admins = admin")
    assert sso_sign_in(client, idp, ADMIN).status_code == 303
    db.session.refresh(demo[ADMIN])
    assert demo[ADMIN].role == Role.ADMIN


# --- refusals --------------------------------------------------------------------------------


def refused(answer, status, words):
    assert answer.status_code == status, text(answer)[:800]
    assert words in text(answer)
    return True


def test_a_wrong_state_is_refused(client, demo, idp):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    back = idp.sign_in(start(client), EMPLOYEE)
    forged = back.replace("state=", "state=x", 1)
    assert refused(client.get(forged.removeprefix(TEST_HOST)), 400, "has expired or was already used")
    assert not signed_in_as(client)


def test_a_replayed_code_is_refused(client, demo, idp):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    back = idp.sign_in(start(client), EMPLOYEE)
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert client.get(back.removeprefix(TEST_HOST)).status_code == 303
    with client.session_transaction() as session:
        session.clear()
    # The same callback again: its state was used up.
    assert refused(client.get(back.removeprefix(TEST_HOST)), 400, "has expired or was already used")
    # The code under a fresh sign-in's state: the provider refuses a code twice (and the verifier differs).
    fresh_state = parse_qs(urlsplit(start(client)).query)["state"][0]
    answer = client.get("/login/sso/callback", query_string={"code": code, "state": fresh_state})
    assert refused(answer, 502, "the provider refused the sign-in (invalid_grant)")
    assert not signed_in_as(client)


def test_an_expired_id_token_is_refused(client, demo, idp, monkeypatch):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    back = idp.sign_in(start(client), EMPLOYEE)
    real_now = oidc._now
    monkeypatch.setattr(oidc, "_now", lambda: real_now() + timedelta(hours=3).total_seconds())
    assert refused(client.get(back.removeprefix(TEST_HOST)), 400, "could not be trusted")
    assert not signed_in_as(client)


@pytest.mark.parametrize("part", ["payload", "signature"])
def test_a_tampered_id_token_is_refused(client, demo, idp, monkeypatch, part):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    back = idp.sign_in(start(client), EMPLOYEE)
    real_fetch = oidc.OAuth2Session.fetch_token

    def tampered(self, *args, **kwargs):
        token = real_fetch(self, *args, **kwargs)
        header, payload, signature = token["id_token"].split(".")
        if part == "payload":  # claims of another person, the original signature
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            payload = base64.urlsafe_b64encode(json.dumps({**claims, "email": ADMIN}).encode()).rstrip(b"=").decode()
        else:
            signature = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
        token["id_token"] = ".".join((header, payload, signature))
        return token

    monkeypatch.setattr(oidc.OAuth2Session, "fetch_token", tampered)
    assert refused(client.get(back.removeprefix(TEST_HOST)), 400, "signature does not verify")
    assert not signed_in_as(client)


def test_an_unverified_email_is_refused(client, demo, idp):
    idp.add("okta-0001", EMPLOYEE, verified=False)
    set_up_sso(idp)
    assert refused(sso_sign_in(client, idp, EMPLOYEE), 403, "has not verified your email address")
    assert not signed_in_as(client)


def test_a_domain_not_allowed_is_refused(client, demo, idp, db):
    idp.add("okta-0002", "someone@elsewhere.example", name="Someone")
    set_up_sso(idp)
    assert refused(sso_sign_in(client, idp, "someone@elsewhere.example"), 403, "is not an address your organisation")
    assert db.session.scalar(sa.select(User).where(User.email == "someone@elsewhere.example")) is None


def test_a_deactivated_person_cannot_sign_in(client, demo, idp, db):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    with client.session_transaction() as session:
        session.clear()
    demo[EMPLOYEE].active = False
    db.session.flush()
    assert refused(sso_sign_in(client, idp, EMPLOYEE), 403, "deactivated")
    assert not signed_in_as(client)


def test_a_person_of_another_organisation_is_refused(client, demo, idp, db):
    make_user(make_org(), email="outsider@company.com")
    idp.add("okta-0003", "outsider@company.com")
    set_up_sso(idp)
    assert refused(sso_sign_in(client, idp, "outsider@company.com"), 403, "another MomoFlow organisation")


def test_an_error_from_the_provider_is_shown(client, demo, idp):
    set_up_sso(idp)
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    answer = client.get("/login/sso/callback", query_string={
        "state": state, "error": "access_denied", "error_description": "<b>User is not assigned</b>"})
    assert refused(answer, 400, "did not sign you in: &lt;b&gt;User is not assigned&lt;/b&gt;")


def test_a_switched_off_or_unknown_provider_sends_nobody(client, demo, idp, db):
    provider = set_up_sso(idp, enabled=False)
    assert client.get("/login/sso/start/demo").status_code == 404
    assert client.get("/login/sso/start/nobody").status_code == 404
    provider.enabled = True
    db.session.flush()
    assert client.get("/login/sso/start/demo").status_code == 303


# --- passwords and the login page ----------------------------------------------------------


def password_sign_in(client, email, password):
    page = client.get("/login")
    from tests.conftest import csrf_token_from

    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token_from(text(page))})


def test_password_sign_in_can_be_switched_off_except_for_admins(client, demo, idp, db, app):
    password = app.config["DEMO_PASSWORD"]
    set_up_sso(idp, password_sign_in=False)
    refused_answer = password_sign_in(client, EMPLOYEE, password)
    assert refused(refused_answer, 400, "Your organisation signs in with Test IdP")
    # A wrong password learns nothing about how the address signs in.
    assert "signs in with Test IdP" not in text(password_sign_in(client, EMPLOYEE, "wrong password"))
    assert password_sign_in(client, ADMIN, password).status_code == 302  # break-glass
    assert signed_in_as(client)


def test_the_login_page_offers_the_provider(client, demo, idp):
    before = text(client.get("/login"))
    assert "Sign in with" not in before and "Use single sign-on" not in before
    set_up_sso(idp)
    page = text(client.get("/login"))
    assert 'href="/login/sso/start/demo"' in page and "Sign in with Test IdP" in page
    assert "Use single sign-on" in page
    other = make_org(slug="other-co")
    set_up_sso(idp, organization_slug="other-co", name="Other IdP", domains="other.example")
    page = text(client.get("/login"))  # two organisations: buttons only for the one ?org= names
    assert "Sign in with" not in page and "Use single sign-on" in page
    assert "Sign in with Other IdP" in text(client.get("/login?org=other-co"))
    assert other


def test_email_first_sends_people_of_a_domain_to_their_provider(client, demo, idp):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    page = client.get("/login/sso")
    from tests.conftest import csrf_token_from

    token = csrf_token_from(text(page))
    assert client.post("/login/sso", data={"email": EMPLOYEE}).status_code == 400  # CSRF
    answer = client.post("/login/sso?next=/my-flows", data={"email": f"  {EMPLOYEE.upper()} ", "csrf_token": token})
    # A page that moves on (a redirect after a form's post would break the CSP's form-action 'self').
    assert answer.status_code == 200 and "Taking you to Test IdP" in text(answer)
    start_url = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', text(answer)).group(1)
    assert f'href="{start_url}"' in text(answer)
    location = client.get(html.unescape(start_url)).headers["Location"]
    assert parse_qs(urlsplit(location).query)["login_hint"] == [EMPLOYEE.upper()]
    back = idp.sign_in(location, EMPLOYEE)
    assert client.get(back.removeprefix(TEST_HOST)).headers["Location"] == "/my-flows"

    with client.session_transaction() as session:
        session.clear()
    token = csrf_token_from(text(client.get("/login/sso")))
    for hostile in ("someone@nowhere.example", "%ED%A0%80@x", "a" * 5000, ""):  # a lone surrogate, as bytes
        answer = client.post("/login/sso", data=f"email={hostile}&csrf_token={token}",
                             content_type="application/x-www-form-urlencoded")
        assert answer.status_code == 400 and "No single sign-on is set up" in text(answer)


def test_a_manager_cannot_open_sign_in_settings(client, demo, login_as):
    login_as(demo[MANAGER])
    assert client.get("/settings/sign-in").status_code == 403
    assert post(client, "/settings/sign-in/remove", token="x").status_code in (400, 403)


def test_hostile_slugs_and_hints_are_a_404_or_ignored_never_a_500(client, demo, idp):
    set_up_sso(idp)
    for slug in ("%00", "x" * 300, "%ED%A0%80"):
        assert client.get(f"/login/sso/start/{slug}").status_code == 404
        assert client.get(f"/login?org={slug}").status_code == 200
    assert client.get("/login/sso/start/demo", query_string={"login_hint": "\x00" * 5000,
                                                              "next": "\x00"}).status_code == 303
    assert client.get("/login/sso/callback?state=%00&code=%00").status_code == 400


def test_a_new_issuer_forgets_the_old_ones_links(client, demo, idp, db):
    idp.add("okta-0001", EMPLOYEE)
    provider = set_up_sso(idp)
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoIdentity)) == 1
    set_up_sso(idp, client_id="momoflow-test")  # the same issuer: the links stay
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoIdentity)) == 1
    provider.issuer = idp.issuer + "/old"
    db.session.flush()
    set_up_sso(idp)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoIdentity)) == 0


def test_a_domain_taken_off_the_list_stops_its_people_signing_in(client, demo, idp):
    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    with client.session_transaction() as session:
        session.clear()
    set_up_sso(idp, domains="royalenfield.com")
    assert refused(sso_sign_in(client, idp, EMPLOYEE), 403, "is not an address your organisation")


def test_settings_people_says_who_signs_in_with_the_provider(client, demo, idp, app, db):
    from tests.conftest import sign_in

    idp.add("okta-0001", EMPLOYEE)
    set_up_sso(idp)
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    admin = app.test_client()
    sign_in(admin, demo[ADMIN])
    page = admin.get("/settings/people", query_string={"q": "company.com"}).get_data(as_text=True)
    row = page.split(f'id="person-{demo[EMPLOYEE].id}"', 1)[1].split("</tr>", 1)[0]
    assert "Single sign-on, last" in row
    other = page.split(f'id="person-{demo[ADMIN].id}"', 1)[1].split("</tr>", 1)[0]
    assert "Single sign-on" not in other


def test_entra_ids_domain_verified_claim_stands_for_email_verified(client, demo, idp):
    idp.add("entra-oid-1", EMPLOYEE, verified=None, xms_edov=True)
    idp.add("entra-oid-2", "sam.lee@company.com", verified=None)
    set_up_sso(idp)
    assert sso_sign_in(client, idp, EMPLOYEE).status_code == 303
    with client.session_transaction() as session:
        session.clear()
    assert refused(sso_sign_in(client, idp, "sam.lee@company.com"), 403, "has not verified your email address")
