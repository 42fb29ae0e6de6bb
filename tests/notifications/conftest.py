"""Notification fixtures: the demo organisation, API callers, and a real SMTP server
(aiosmtpd) on a free loopback port that keeps every message it receives."""

import socket
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from tests.workflows.conftest import api_as  # noqa: F401  (a fixture used here too)

BASE_URL = "https://momoflow.example.com"


class SmtpServer:
    """aiosmtpd's Controller on 127.0.0.1; ``stop()`` and ``start()`` simulate an outage
    (the port stays the same, so the app's configuration keeps pointing at it)."""

    def __init__(self, port, **options):
        self.port = port
        self.options = options
        self.messages = []  # email.message.EmailMessage, in order of arrival
        self.envelopes = []
        self.refuse = set()  # addresses answered "550 no such user"
        self.controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's hook
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content,
                                                policy=default_policy))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    """A running SMTP server the app sends to (SMTP_SECURITY none, no credentials)."""
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed (pip install -r requirements-dev.txt)")
    server = SmtpServer(free_port()).start()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": server.port, "SMTP_SECURITY": "none",
                        "SMTP_USERNAME": None, "SMTP_PASSWORD": None, "SMTP_TIMEOUT": 5,
                        "BASE_URL": BASE_URL, "MAIL_FROM": "MomoFlow <no-reply@momoflow.example.com>"}.items():
        monkeypatch.setitem(app.config, name, value)
    yield server
    server.stop()


@pytest.fixture
def no_smtp_server(app, monkeypatch):
    """SMTP pointed at a loopback port nobody listens on: every attempt fails at once."""
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
