from momoflow.accounts.models import Organization
from momoflow.extensions import db
from momoflow.sso import services
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET

TEST_HOST = "http://localhost"


def set_up_sso(idp, organization_slug="demo", **values):
    """The organisation's provider, configured as an admin would on Settings → Sign-in."""
    organization = db.session.scalar(db.select(Organization).where(Organization.slug == organization_slug))
    form = {"name": "Test IdP", "issuer": idp.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "domains": "company.com\nroyalenfield.com", "groups_claim": "groups", "role_mapping": "",
            "password_sign_in": True, "enabled": True}
    form.update(values)
    provider = services.configure(organization, form)
    db.session.flush()
    return provider


def start(client, slug="demo", **query):
    answer = client.get(f"/login/sso/start/{slug}", query_string=query)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    return answer.headers["Location"]


def sso_sign_in(client, idp, login, slug="demo"):
    """Through the provider's real pages and back to our callback; the callback's answer."""
    back = idp.sign_in(start(client, slug), login)
    assert back.startswith(f"{TEST_HOST}/login/sso/callback?"), back
    return client.get(back.removeprefix(TEST_HOST))
