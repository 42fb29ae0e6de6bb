"""The outbound webhook client against a real HTTP server on 127.0.0.1.

Only DNS is faked (monkeypatched getaddrinfo), because a name resolving to a private or
metadata address cannot be produced otherwise; every request below is a real one.
"""

import re
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from momoflow.webhooks import http as webhooks_http
from momoflow.webhooks.http import (BlockedAddress, ConnectionFailed, DeliveryError, DeliveryTimeout, DNSError,
                                    InvalidURL, check_url, post)
from momoflow.webhooks.signing import headers as signature_headers
from momoflow.webhooks.signing import new_secret, verify

BODY = b'{"type": "workflow.approved"}'
FAST = (1, 0.3)  # (connect, read) seconds: short enough to keep the slow tests quick

# A self-signed certificate for hooks.example.test, valid 2000-2100, made with
# `openssl ca -selfsign` (P-256); only the TLS tests trust it.
TLS_NAME = "hooks.example.test"
TLS_CERT = """-----BEGIN CERTIFICATE-----
MIIBxTCCAWqgAwIBAgIBATAKBggqhkjOPQQDAjAdMRswGQYDVQQDDBJob29rcy5l
eGFtcGxlLnRlc3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMB0x
GzAZBgNVBAMMEmhvb2tzLmV4YW1wbGUudGVzdDBZMBMGByqGSM49AgEGCCqGSM49
AwEHA0IABNDt6H6MV7odviIth9NSmmxp1LM8OBN6AVh+d+I7PAB7hldrUx+NAD/6
39MXsT0wm1DW1Ol4mB5R9IIToNuMjHWjgZgwgZUwDwYDVR0TAQH/BAUwAwEB/zAO
BgNVHQ8BAf8EBAMCAoQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwHQYDVR0RBBYwFIIS
aG9va3MuZXhhbXBsZS50ZXN0MB0GA1UdDgQWBBSp/M0K+1hLHvmijPfOLX97hfRd
WjAfBgNVHSMEGDAWgBSp/M0K+1hLHvmijPfOLX97hfRdWjAKBggqhkjOPQQDAgNJ
ADBGAiEAz1pSgpROiUxMSP6Eb224FEWN88YrgwvEmvcMi1PUrVQCIQD5lAslcBa7
8kytm1K7m0QIcICC10zkVizrxb7QsT9lAg==
-----END CERTIFICATE-----
"""
TLS_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYG4kN/axglpK84s/
Iwc7dU9l0gV7nAkMumsBJZaneX6hRANCAATQ7eh+jFe6Hb4iLYfTUppsadSzPDgT
egFYfnfiOzwAe4ZXa1MfjQA/+t/TF7E9MJtQ1tTpeJgeUfSCE6DbjIx1
-----END PRIVATE KEY-----
"""


class Receiver(BaseHTTPRequestHandler):
    """Answers according to the path and records what it was sent."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.path, self.headers, body))
        getattr(self, "answer_" + self.path.strip("/").split("?")[0], self.answer_ok)()

    def answer_ok(self):
        self.reply(200, b"thanks")

    def answer_fail(self):
        self.reply(500, b"database down")

    def answer_redirect(self):
        self.send_response(302)
        self.send_header("Location", "/ok")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def answer_big(self):
        self.reply(200, b"\xff" + b"x" * 100_000)

    def answer_slow(self):
        self.server.release.wait(5)
        self.reply(200, b"late")

    def answer_trickle(self):
        """Each byte arrives well within the read timeout; the whole reply never does."""
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok":
            if self.server.release.wait(0.05):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield from _serve(server)


@pytest.fixture
def tls_receiver(tmp_path):
    (tmp_path / "cert.pem").write_text(TLS_CERT)
    (tmp_path / "key.pem").write_text(TLS_KEY)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from _serve(server)


def _serve(server):
    server.daemon_threads = True
    server.received = []
    server.release = threading.Event()
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_dns(monkeypatch):
    """Make every name resolve to the given addresses; returns the list of names looked up."""
    lookups = []

    def resolve_to(*addresses):
        def getaddrinfo(host, port, *args, **kwargs):
            lookups.append(host)
            return [_answer(address, port) for address in addresses]
        monkeypatch.setattr(webhooks_http.socket, "getaddrinfo", getaddrinfo)
        return lookups
    return resolve_to


def _answer(address, port):
    if ":" in address:
        return socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)
    return socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- delivering -----------------------------------------------------------------------


def test_loopback_is_refused_by_default(receiver):
    with pytest.raises(BlockedAddress, match="127.0.0.1 is a loopback address"):
        post(receiver.url + "/ok", BODY, {})
    assert receiver.received == []


def test_delivers_body_and_headers_to_an_allowed_loopback(receiver):
    secret = new_secret()
    signed = signature_headers(secret, "msg_1", int(time.time()), BODY)

    response = post(receiver.url + "/ok?x=1", BODY, signed, allow_loopback=True)

    assert (response.status, response.body_excerpt) == (200, "thanks")
    assert response.headers["content-length"] == "6"
    assert 0 < response.elapsed < 1
    [(path, received_headers, received_body)] = receiver.received
    assert (path, received_body) == ("/ok?x=1", BODY)
    assert received_headers["Host"] == f"127.0.0.1:{receiver.server_port}"
    assert received_headers["Content-Type"] == "application/json"
    assert received_headers["User-Agent"] == "MomoFlow-Webhooks/1"
    assert received_headers["Content-Length"] == str(len(BODY))
    assert verify(secret, received_headers, received_body) == "msg_1"


def test_caller_headers_win_except_host_and_length(receiver):
    post(receiver.url, BODY, {"content-type": "application/cloudevents+json", "Host": "evil.example",
                              "Content-Length": "1"}, allow_loopback=True)
    [(_, received_headers, received_body)] = receiver.received
    assert received_headers.get_all("Content-Type") == ["application/cloudevents+json"]
    assert received_headers.get_all("Host") == [f"127.0.0.1:{receiver.server_port}"]
    assert received_body == BODY


def test_a_server_error_is_a_response_not_an_exception(receiver):
    response = post(receiver.url + "/fail", BODY, {}, allow_loopback=True)
    assert (response.status, response.body_excerpt) == (500, "database down")


def test_redirects_are_returned_not_followed(receiver):
    response = post(receiver.url + "/redirect", BODY, {}, allow_loopback=True)
    assert response.status == 302
    assert response.headers["location"] == "/ok"
    assert [path for path, _, _ in receiver.received] == ["/redirect"]


def test_only_the_start_of_a_large_body_is_read_and_bad_utf8_is_tolerated(receiver):
    response = post(receiver.url + "/big", BODY, {}, allow_loopback=True)
    assert response.body_excerpt == "\ufffd" + "x" * 1023


def test_a_slow_receiver_times_out_quickly(receiver):
    started = time.monotonic()
    with pytest.raises(DeliveryTimeout, match="no complete response within 0.3s"):
        post(receiver.url + "/slow", BODY, {}, timeout=FAST, allow_loopback=True)
    assert time.monotonic() - started < 1


def test_the_read_timeout_bounds_the_whole_response_not_each_byte(receiver):
    started = time.monotonic()
    with pytest.raises(DeliveryTimeout):
        post(receiver.url + "/trickle", BODY, {}, timeout=FAST, allow_loopback=True)
    assert time.monotonic() - started < 1


def test_a_closed_port_is_a_connection_failure():
    with pytest.raises(ConnectionFailed, match="refused"):
        post(f"http://127.0.0.1:{_free_port()}/", BODY, {}, timeout=FAST, allow_loopback=True)


def test_https_to_a_plain_http_server_fails_cleanly(receiver):
    with pytest.raises(ConnectionFailed, match="TLS failed"):
        post(f"https://127.0.0.1:{receiver.server_port}/ok", BODY, {}, timeout=FAST, allow_loopback=True)


@pytest.fixture
def trust_test_certificate(monkeypatch):
    monkeypatch.setattr(webhooks_http, "_tls_context", lambda: ssl.create_default_context(cadata=TLS_CERT))


def test_https_checks_the_certificate_against_the_name_while_connecting_to_the_checked_ip(
        tls_receiver, fake_dns, trust_test_certificate):
    fake_dns("127.0.0.1")
    response = post(f"https://{TLS_NAME}:{tls_receiver.server_port}/ok", BODY, {}, allow_loopback=True)
    assert response.status == 200
    [(_, received_headers, _)] = tls_receiver.received
    assert received_headers["Host"] == f"{TLS_NAME}:{tls_receiver.server_port}"


def test_https_refuses_a_certificate_for_another_name(tls_receiver, fake_dns, trust_test_certificate):
    fake_dns("127.0.0.1")
    with pytest.raises(ConnectionFailed, match="Hostname mismatch"):
        post(f"https://other.example.test:{tls_receiver.server_port}/ok", BODY, {}, allow_loopback=True)
    assert tls_receiver.received == []


def test_https_refuses_an_untrusted_certificate(tls_receiver, fake_dns):
    fake_dns("127.0.0.1")
    with pytest.raises(ConnectionFailed, match="certificate verify failed"):
        post(f"https://{TLS_NAME}:{tls_receiver.server_port}/ok", BODY, {}, allow_loopback=True)


# --- refusing addresses ---------------------------------------------------------------


def test_the_name_is_resolved_once_and_the_checked_address_is_used(receiver, fake_dns):
    lookups = fake_dns("127.0.0.1")
    response = post(f"http://hooks.example.test:{receiver.server_port}/ok", BODY, {}, allow_loopback=True)
    assert response.status == 200
    assert lookups == ["hooks.example.test"]
    [(_, received_headers, _)] = receiver.received
    assert received_headers["Host"] == f"hooks.example.test:{receiver.server_port}"


@pytest.mark.parametrize("address, reason", [
    ("10.0.0.1", "a private address"),
    ("192.168.1.10", "a private address"),
    ("169.254.169.254", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address"),
    ("192.0.0.192", "a cloud metadata address"),
    ("169.254.1.1", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("100.64.0.1", "a shared (carrier-grade NAT) address"),
    ("0.0.0.0", "an unspecified address"),
    ("::", "an unspecified address"),
    ("224.0.0.1", "a multicast address"),
    ("ff02::1", "a multicast address"),
    ("240.0.0.1", "a private address"),
    ("::ffff:10.0.0.1", "embeds a private address"),
    ("::ffff:169.254.169.254", "embeds a cloud metadata address"),
    ("2002:a00:1::1", "embeds a private address"),
    ("64:ff9b::a00:1", "a reserved address"),
])
def test_resolved_internal_addresses_are_refused_even_with_loopback_allowed(receiver, fake_dns, address, reason):
    fake_dns(address)
    with pytest.raises(BlockedAddress, match=re.escape(reason)):
        post(f"http://hooks.example.test:{receiver.server_port}/ok", BODY, {}, allow_loopback=True)
    assert receiver.received == []


@pytest.mark.parametrize("address", ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"])
def test_loopback_in_any_form_is_refused_unless_allowed(fake_dns, address):
    fake_dns(address)
    assert "loopback" in check_url("https://hooks.example.test/")
    assert check_url("https://hooks.example.test/", allow_loopback=True) is None


def test_one_internal_address_among_public_ones_refuses_the_host(fake_dns):
    fake_dns("93.184.216.34", "2606:2800:220:1::1", "10.1.2.3")
    with pytest.raises(BlockedAddress, match="resolves to a private address") as refused:
        post("https://hooks.example.test/", BODY, {})
    assert "10.1.2.3" not in refused.value.reason  # our internal DNS is nobody's business


def test_ipv6_site_local_is_refused(fake_dns):
    fake_dns("fec0::1")
    with pytest.raises(BlockedAddress, match="site-local"):
        post("https://hooks.example.test/", BODY, {})


def test_dns_failure(monkeypatch):
    def unresolvable(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(webhooks_http.socket, "getaddrinfo", unresolvable)
    with pytest.raises(DNSError, match="cannot resolve nowhere.example.test"):
        post("https://nowhere.example.test/", BODY, {})


def test_a_resolver_that_never_answers_is_given_up_on(monkeypatch):
    answered = threading.Event()

    def silent(host, *args, **kwargs):  # a DNS server that swallows the query (failure injection)
        answered.wait(10)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    monkeypatch.setattr(webhooks_http.socket, "getaddrinfo", silent)
    monkeypatch.setattr(webhooks_http, "DNS_TIMEOUT", 0.2)
    started = time.monotonic()
    try:
        with pytest.raises(DNSError, match="no answer within 0.2 seconds"):
            post("https://slow.example.test/", BODY, {})
        assert time.monotonic() - started < 2
    finally:
        answered.set()


# --- URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize("url, reason", [
    ("ftp://hooks.example.test/", "http:// or https://"),
    ("file:///etc/passwd", "http:// or https://"),
    ("hooks.example.test/path", "http:// or https://"),
    ("https://", "no host"),
    ("https://:443/", "no host"),
    ("https://user:secret@hooks.example.test/", "credentials"),
    ("https://hooks.example.test:99999/", "invalid port"),
    ("https://hooks.example.test/a b", "spaces or control characters"),
    ("https://hooks.example.test/\r\nX-Injected: 1", "spaces or control characters"),
    ("https://hooks.example.test/café", "ASCII"),
])
def test_unusable_urls_are_refused_before_any_lookup(fake_dns, url, reason):
    lookups = fake_dns("93.184.216.34")
    with pytest.raises(InvalidURL, match=reason):
        post(url, BODY, {})
    assert check_url(url) and reason in check_url(url)
    assert lookups == []


def test_check_url_accepts_a_public_https_endpoint(fake_dns):
    fake_dns("93.184.216.34")
    assert check_url("https://hooks.example.test/momoflow?token=abc") is None


def test_every_failure_is_a_delivery_error_with_a_reason():
    with pytest.raises(DeliveryError) as raised:
        post("gopher://hooks.example.test/", BODY, {})
    assert raised.value.reason == str(raised.value)
