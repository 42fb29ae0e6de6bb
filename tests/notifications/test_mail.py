"""Sending email to a real SMTP server (aiosmtpd on loopback): the message as it
arrives, opt-outs, retries while the server is down, never a duplicate, STARTTLS and
SSL with credentials."""

import shutil
import ssl
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.database import utcnow
from momoflow.notifications import mail
from momoflow.notifications.models import Email
from tests.conftest import csrf_token_from, need
from tests.notifications.conftest import BASE_URL, SmtpServer, free_port
from tests.workflows.conftest import simple_request

INITIATOR = "employee@company.com"
MANAGER = "manager@royalenfield.com"
SPECTATOR = "spectator@royalenfield.com"


def raise_request(api_as, *approvers, spectators=(SPECTATOR,)):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(*approvers, spectators=spectators,
                                                                        title="Laptop <b>& dock</b>"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def emails(db):
    return db.session.scalars(sa.select(Email).order_by(Email.to_address)
                              .execution_options(populate_existing=True)).all()


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_an_email_arrives_with_text_and_html_parts_a_subject_and_a_link_back(api_as, smtp_server, db):
    created = raise_request(api_as, MANAGER)  # the API request's end relays the events and sends the mail

    [message] = smtp_server.to(MANAGER)
    assert message["Subject"] == f"{created['requestNumber']}: waiting for your approval"
    assert message["From"] == "MomoFlow <no-reply@momoflow.example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    link = f"{BASE_URL}/requests/{created['requestId']}"
    assert link in body["text/plain"] and f'href="{link}"' in body["text/html"]
    assert "Laptop <b>& dock</b>" in body["text/plain"]  # text is text
    assert "Laptop &lt;b&gt;&amp; dock&lt;/b&gt;" in body["text/html"] and "<b>&" not in body["text/html"]
    assert f"{BASE_URL}/settings/notifications" in body["text/plain"]
    assert "Hello Arjun Mehta," in body["text/plain"]

    sent = {email.to_address: email for email in emails(db)}
    assert set(sent) == {MANAGER, SPECTATOR}
    assert all(email.sent_at and email.attempts == 1 and email.last_error is None for email in sent.values())
    assert message["Message-ID"] == f"<{sent[MANAGER].id}@momoflow.example.com>"


def test_people_who_turned_a_kind_off_get_no_email_of_it(api_as, client, login_as, smtp_server, demo, db):
    login_as(demo[SPECTATOR])
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    kept = ["level.started", "comment.added"]  # workflow.created unticked
    response = client.post("/settings/notifications", data={"csrf_token": token, "email": kept})
    assert response.status_code == 303

    created = raise_request(api_as, MANAGER)
    assert [message["To"] for message in smtp_server.messages] == [MANAGER]
    api_as(MANAGER).post(f"/workflows/{created['requestId']}/comments", json={"comment": "On it"})
    assert sorted(message["To"] for message in smtp_server.messages) == [INITIATOR, MANAGER, SPECTATOR]


def test_while_the_server_is_down_email_waits_and_goes_out_once_when_it_is_back(api_as, smtp_server, db):
    smtp_server.stop()
    before = utcnow()
    raise_request(api_as, MANAGER)
    waiting = emails(db)
    assert [email.to_address for email in waiting] == [MANAGER, SPECTATOR]
    for email in waiting:
        assert email.sent_at is None and email.failed_at is None and email.attempts == 1
        assert "Connection refused" in email.last_error
        assert before + mail.RETRY_AFTER[0] <= email.next_attempt_at <= utcnow() + mail.RETRY_AFTER[0]

    smtp_server.start()
    mail.drain(now=utcnow())  # not due yet
    assert smtp_server.messages == []
    later = utcnow() + mail.RETRY_AFTER[0] + timedelta(seconds=1)
    mail.drain(now=later)
    mail.drain(now=later)  # a second drain (a retried job, a second worker) finds nothing to send
    assert sorted(message["To"] for message in smtp_server.messages) == [MANAGER, SPECTATOR]
    assert all(email.sent_at and email.attempts == 2 and email.last_error is None for email in emails(db))


def test_a_claimed_email_is_not_claimed_again_until_its_lease_runs_out(api_as, no_smtp_server, db):
    raise_request(api_as, MANAGER, spectators=())
    now = utcnow() + timedelta(hours=1)
    [claimed] = mail.claim(now)  # a drain took it and is sending…
    assert mail.claim(now) == []  # …so another drain running meanwhile leaves it alone
    assert [row.id for row in mail.claim(now + mail.LEASE)] == [claimed.id]  # the first one died: taken again


def test_email_is_given_up_after_about_a_day_of_failures(api_as, no_smtp_server, db):
    raise_request(api_as, MANAGER, spectators=())
    moment = utcnow()
    for wait in mail.RETRY_AFTER:
        moment += wait
        mail.drain(now=moment)
    [email] = emails(db)
    assert email.failed_at == moment and email.sent_at is None
    assert email.attempts == len(mail.RETRY_AFTER) + 1
    assert timedelta(hours=20) < moment - email.created_at < timedelta(hours=25)
    mail.drain(now=moment + timedelta(days=1))
    assert emails(db)[0].attempts == email.attempts  # given up means never tried again


def test_a_recipient_the_server_refuses_for_good_does_not_hold_up_the_others(api_as, smtp_server, db):
    smtp_server.refuse.add(MANAGER)
    raise_request(api_as, MANAGER)
    assert [message["To"] for message in smtp_server.messages] == [SPECTATOR]
    refused, sent = emails(db)
    assert refused.failed_at is not None and refused.last_error.startswith("SMTPRecipientsRefused")
    assert sent.sent_at is not None


# --- TLS and credentials ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    need(shutil.which("openssl"), "openssl is not installed (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def secure_smtp(app, monkeypatch, certificate):
    """``secure_smtp("starttls" | "ssl")``: a server that wants TLS and a password, trusted
    by the app as a real certificate authority would be (verification stays on)."""
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    monkeypatch.setattr(mail, "tls_context", lambda: ssl.create_default_context(cafile=str(cert)))
    servers = []

    def start(security):
        from aiosmtpd.smtp import AuthResult

        def authenticate(server, session, envelope, mechanism, auth_data):
            return AuthResult(success=(auth_data.login, auth_data.password) == (b"momoflow", b"s3cret"), handled=False)

        # aiosmtpd only counts STARTTLS as TLS for AUTH, so on an SSL port it must be told.
        tls = ({"ssl_context": server_context, "auth_require_tls": False} if security == "ssl"
               else {"tls_context": server_context, "require_starttls": True})
        server = SmtpServer(free_port(), authenticator=authenticate, auth_required=True, **tls).start()
        servers.append(server)
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_SECURITY": security,
                            "SMTP_USERNAME": "momoflow", "SMTP_PASSWORD": "s3cret", "BASE_URL": BASE_URL}.items():
            monkeypatch.setitem(app.config, name, value)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # the SSL port is TLS throughout
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_goes_over_tls_with_credentials(api_as, secure_smtp, db, security):
    pytest.importorskip("aiosmtpd")
    server = secure_smtp(security)
    raise_request(api_as, MANAGER, spectators=())
    assert [message["To"] for message in server.messages] == [MANAGER]


def test_wrong_credentials_are_retried_later_like_a_server_that_is_down(api_as, secure_smtp, app, monkeypatch, db):
    pytest.importorskip("aiosmtpd")
    server = secure_smtp("starttls")
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "wrong")
    raise_request(api_as, MANAGER, spectators=())
    [email] = emails(db)
    assert server.messages == [] and email.sent_at is None and email.failed_at is None
    assert "535" in email.last_error and email.next_attempt_at > utcnow()

