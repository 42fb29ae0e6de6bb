"""Settings → Sign-in: configuring the provider, the secret at rest, and the refusals."""

import sqlalchemy as sa

from momoflow.sso import secrets, services
from momoflow.sso.models import SsoDomain, SsoProvider
from tests.factories import make_org
from tests.flows.pages import ADMIN, EMPLOYEE, error_of, post, token_on
from tests.sso.helpers import set_up_sso
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET

PAGE = "/settings/sign-in"


def form(idp, **changes):
    values = {"name": "Okta", "issuer": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
              "domains": "company.com\n@RoyalEnfield.com, company.com", "groups_claim": "groups",
              "role_mapping": "MomoFlow Admins = admin", "password_sign_in": "1", "enabled": "1"}
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def test_an_admin_sets_up_single_sign_on(client, demo, login_as, idp, db, app):
    login_as(demo[ADMIN])
    page = client.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "http://localhost/login/sso/callback" in html  # the redirect URI to register
    saved = post(client, PAGE, form(idp), token=token_on(client, PAGE))
    assert saved.status_code == 303
    provider = db.session.scalar(sa.select(SsoProvider))
    assert provider.name == "Okta" and provider.issuer == idp.issuer and provider.enabled
    assert [domain.domain for domain in provider.domains] == ["company.com", "royalenfield.com"]
    assert provider.role_mapping == "MomoFlow Admins = admin"
    # The secret: encrypted at rest, never shown again; a blank field keeps it.
    assert CLIENT_SECRET not in provider.client_secret_encrypted
    assert secrets.decrypt(provider.client_secret_encrypted) == CLIENT_SECRET
    html = client.get(PAGE).get_data(as_text=True)
    assert CLIENT_SECRET not in html and "Single sign-on with Okta saved." in html
    assert post(client, PAGE, form(idp, client_secret="", name="Okta Workforce"),
                token=token_on(client, PAGE)).status_code == 303
    db.session.refresh(provider)
    assert provider.name == "Okta Workforce" and secrets.decrypt(provider.client_secret_encrypted) == CLIENT_SECRET
    assert "Sign in with Okta Workforce" in app.test_client().get("/login?org=demo").get_data(as_text=True)


def test_mistakes_are_inline_errors_and_nothing_is_saved(client, demo, login_as, idp, db):
    login_as(demo[ADMIN])
    token = token_on(client, PAGE)
    cases = {
        "sso-name": (form(idp, name=" "), "Name is required"),
        "sso-client_secret": (form(idp, client_secret=""), "Client secret is required"),
        "sso-domains": (form(idp, domains="not a domain!"), "is not an email domain"),
        "sso-role_mapping": (form(idp, role_mapping="Admins = overlord"), "the role must be employee, manager or admin"),
        "sso-issuer": (form(idp, issuer="ftp://idp.example"), "Issuer URL must start with https://"),
    }
    for input_id, (values, message) in cases.items():
        answer = post(client, PAGE, values, token=token)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422, (input_id, answer.status_code)
        assert message in (error_of(html, input_id) or ""), (input_id, html[:3000])
        assert CLIENT_SECRET not in html  # never echoed back
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoProvider)) == 0


def test_an_issuer_that_does_not_answer_is_refused(client, demo, login_as, idp, db):
    login_as(demo[ADMIN])
    token = token_on(client, PAGE)
    for issuer, words in ((idp.issuer + "/nowhere", "answered HTTP 404"),
                          ("http://127.0.0.1:9", "cannot reach"),
                          ("http://169.254.169.254", "a cloud metadata address")):
        answer = post(client, PAGE, form(idp, issuer=issuer), token=token)
        assert answer.status_code == 422 and words in error_of(answer.get_data(as_text=True), "sso-issuer")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoProvider)) == 0


def test_plain_http_and_private_issuers_are_refused_in_production_settings(client, demo, login_as, idp, app):
    login_as(demo[ADMIN])
    token = token_on(client, PAGE)
    app.config["SSO_ALLOW_LOOPBACK"] = False
    try:
        answer = post(client, PAGE, form(idp), token=token)
        assert "must start with https://" in error_of(answer.get_data(as_text=True), "sso-issuer")
        answer = post(client, PAGE, form(idp, issuer="https://127.0.0.1:9"), token=token)
        assert "a loopback address" in error_of(answer.get_data(as_text=True), "sso-issuer")
    finally:
        app.config["SSO_ALLOW_LOOPBACK"] = True


def test_a_domain_belongs_to_one_organisation(client, demo, login_as, idp, db):
    make_org(slug="rival")
    set_up_sso(idp, organization_slug="rival", domains="rival.example\nroyalenfield.com")
    login_as(demo[ADMIN])
    answer = post(client, PAGE, form(idp), token=token_on(client, PAGE))
    assert "royalenfield.com already signs in through another organisation" in \
        error_of(answer.get_data(as_text=True), "sso-domains")
    assert db.session.get(SsoDomain, "royalenfield.com").provider_id != services.provider_of(
        demo[ADMIN].organization_id)


def test_hostile_input_is_an_inline_error_never_a_500(client, demo, login_as, idp):
    login_as(demo[ADMIN])
    token = token_on(client, PAGE)
    for field in ("name", "issuer", "client_id", "client_secret", "domains", "groups_claim", "role_mapping"):
        for value in ("%ED%A0%80", "x" * 100_000, "%00"):
            body = "&".join(f"{name}={value if name == field else 'ok'}" for name in form(idp))
            answer = client.post(PAGE, data=body, content_type="application/x-www-form-urlencoded",
                                 headers={"X-CSRFToken": token})
            assert answer.status_code == 422, (field, value[:10], answer.status_code)


def test_removing_it_and_who_may(client, demo, login_as, idp, db):
    set_up_sso(idp)
    login_as(demo[EMPLOYEE])
    assert client.get(PAGE).status_code == 403
    login_as(demo[ADMIN])
    assert client.post(f"{PAGE}/remove").status_code == 400  # no CSRF token
    assert post(client, f"{PAGE}/remove", token=token_on(client, PAGE)).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoProvider)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoDomain)) == 0
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)


def test_without_an_encryption_key_nothing_is_saved(client, demo, login_as, idp, app, db):
    login_as(demo[ADMIN])
    key = app.config["SSO_ENCRYPTION_KEY"]
    app.config["SSO_ENCRYPTION_KEY"] = None
    try:
        page = client.get(PAGE).get_data(as_text=True)
        assert "Set <code>SSO_ENCRYPTION_KEY</code>" in page
        answer = post(client, PAGE, form(idp), token=token_on(client, PAGE))
        assert answer.status_code == 409 and "SSO_ENCRYPTION_KEY" in answer.get_data(as_text=True)
    finally:
        app.config["SSO_ENCRYPTION_KEY"] = key
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SsoProvider)) == 0
