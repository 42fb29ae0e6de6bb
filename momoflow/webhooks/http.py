"""POST a webhook to a URL an admin typed in, without letting that URL reach our own network.

The host is resolved once, every address is checked, and the socket is opened to a
checked address itself: re-resolving the name later (as ``http.client`` would) would
let a DNS answer that changes between check and connect (rebinding) reach an internal
service. Redirects are never followed, for the same reason. TLS still verifies the
certificate against the host *name*.
"""

import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

USER_AGENT = "MomoFlow-Webhooks/1"
EXCERPT_BYTES = 1024
DEFAULT_TIMEOUT = (5, 15)  # (connect, whole response) seconds
MAX_ADDRESSES = 2  # tried per post (e.g. one IPv6 and one IPv4)

SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, not global
# Cloud instance metadata services. Most are also private or link-local; the rest are
# in ranges Python's ipaddress still calls global, so they are listed by hand.
METADATA_ADDRESSES = frozenset(map(ipaddress.ip_address, (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack
    "169.254.170.2",    # AWS ECS task metadata
    "fd00:ec2::254",    # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
    "192.0.0.192",      # Oracle Cloud
)))


class DeliveryError(Exception):
    """The request could not be delivered; ``reason`` is fit to show to an admin."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class InvalidURL(DeliveryError):
    pass


class DNSError(DeliveryError):
    pass


class BlockedAddress(DeliveryError):
    pass


class DeliveryTimeout(DeliveryError):
    pass


class ConnectionFailed(DeliveryError):
    pass


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict  # lower-case names; repeated headers joined with ", "
    body_excerpt: str
    elapsed: float  # seconds, resolution included


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str


def post(url, body: bytes, headers: dict, timeout=DEFAULT_TIMEOUT, allow_loopback=False) -> Response:
    """POST ``body`` once; any HTTP status (3xx included) is a Response, anything else a DeliveryError.

    ``timeout`` is (connect, read): connect bounds each TCP connect and the TLS handshake,
    read bounds the whole wait for the response from the moment the request is sent, so a
    receiver that trickles bytes cannot hold a worker indefinitely.
    """
    started = time.monotonic()
    target = _parse(url)
    addresses = _allowed_addresses(target, allow_loopback)
    connection = _connection(target, addresses, *timeout)
    try:
        connection.request("POST", target.path, body, _request_headers(headers, body))
        with connection.getresponse() as reply:
            excerpt = reply.read(EXCERPT_BYTES)
    except TimeoutError:
        raise DeliveryTimeout(_timeout_reason(connection, timeout)) from None
    except ssl.SSLError as error:
        raise ConnectionFailed(f"TLS failed: {error.strerror or error}") from None
    except (OSError, http.client.HTTPException) as error:
        raise ConnectionFailed(f"connection failed: {str(error) or type(error).__name__}") from None
    finally:
        connection.close()
    return Response(reply.status, _response_headers(reply), excerpt.decode("utf-8", errors="replace"),
                     time.monotonic() - started)


def check_url(url, allow_loopback=False):
    """Why an endpoint URL cannot be used (a message for the form), or None when it can."""
    try:
        _allowed_addresses(_parse(url), allow_loopback)
    except DeliveryError as error:
        return error.reason
    return None


# --- the URL and its addresses --------------------------------------------------------


def _parse(url):
    if not isinstance(url, str) or any(char.isspace() or not char.isprintable() for char in url):
        raise InvalidURL("the URL must not contain spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidURL("the URL must start with http:// or https://")
    if not parts.hostname:
        raise InvalidURL("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise InvalidURL("credentials in the URL are not supported")
    try:
        port = parts.port
    except ValueError:
        raise InvalidURL("the URL has an invalid port") from None
    if port == 0:  # ``:0`` is not "the default port": nothing listens there
        raise InvalidURL("the URL has an invalid port")
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not path.isascii():
        raise InvalidURL("the URL path must be ASCII; percent-encode other characters")
    return _Target(parts.scheme, parts.hostname, port, path)


def _allowed_addresses(target, allow_loopback):
    """The (family, sockaddr) pairs to connect to; refuses the host if any address is off-limits."""
    addresses = _resolve(target)
    for _, sockaddr in addresses:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        refusal = _refusal(ip, allow_loopback)
        if refusal:
            # Never the address a name resolved to: admins of any organisation must not
            # be able to map our internal DNS through this message.
            raise BlockedAddress(f"{target.host} is {refusal}" if _is_literal(target.host)
                                 else f"{target.host} resolves to {refusal}")
    return addresses


def _is_literal(host):
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


# getaddrinfo takes no timeout, and a resolver that never answers would hold a drain's
# slot (or an admin's form) for as long as the system resolver retries. Lookups run on
# these threads and are given up on after DNS_TIMEOUT; a stuck one finishes on its own.
_RESOLVERS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="webhook-dns")
DNS_TIMEOUT = 5  # seconds


def _resolve(target):
    lookup = _RESOLVERS.submit(socket.getaddrinfo, target.host, target.port, type=socket.SOCK_STREAM)
    try:
        answers = lookup.result(timeout=DNS_TIMEOUT)
    except FutureTimeout:
        raise DNSError(f"cannot resolve {target.host}: no answer within {DNS_TIMEOUT} seconds") from None
    except (socket.gaierror, UnicodeError) as error:
        raise DNSError(f"cannot resolve {target.host}: {error}") from None
    addresses = list(dict.fromkeys((family, sockaddr) for family, _, _, _, sockaddr in answers))
    if not addresses:
        raise DNSError(f"cannot resolve {target.host}: no addresses")
    return addresses


def _refusal(ip, allow_loopback):
    """Why ``ip`` must not be contacted, or None when it may."""
    embedded = ip.version == 6 and (ip.ipv4_mapped or ip.sixtofour)
    if embedded:
        refusal = _refusal(embedded, allow_loopback)
        return refusal and f"an IPv6 address that embeds {refusal}"
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else "a loopback address"
    for is_refused, kind in (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.version == 6 and ip.is_site_local, "a site-local address"),
        (ip in SHARED_ADDRESS_SPACE, "a shared (carrier-grade NAT) address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    ):
        if is_refused:
            return kind
    return None


# --- the connection -------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to addresses already checked instead of resolving ``host`` again."""

    def __init__(self, target, addresses, connect_timeout, read_timeout):
        super().__init__(target.host, target.port, timeout=connect_timeout)
        self.addresses = addresses
        self.read_timeout = read_timeout
        self.connected = False  # tells a connect timeout from a read timeout
        self.response_class = _deadline_response(read_timeout)

    def connect(self):
        self.sock = self._secure(_open_socket(self.addresses, self.timeout))
        self.sock.settimeout(self.read_timeout)
        self.connected = True

    def _secure(self, sock):
        return sock


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = http.client.HTTPS_PORT

    def _secure(self, sock):
        try:
            return _tls_context().wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


@functools.cache
def _tls_context():
    """Built once: loading the system CA certificates for every delivery would be wasted work."""
    return ssl.create_default_context()


def _connection(target, addresses, connect_timeout, read_timeout):
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    return kind(target, addresses, connect_timeout, read_timeout)


def _open_socket(addresses, timeout):
    """The first address that accepts a connection, like socket.create_connection but pinned.
    At most MAX_ADDRESSES are tried, so a post never outlasts the lease a drain holds on it
    (a name with ten dead addresses would otherwise take ten connect timeouts)."""
    last_error = None
    for family, sockaddr in addresses[:MAX_ADDRESSES]:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
    raise last_error


def _timeout_reason(connection, timeout):
    connect_timeout, read_timeout = timeout
    if connection.connected:
        return f"no complete response within {read_timeout:g}s"
    return f"could not connect within {connect_timeout:g}s"


# --- reading the response within a deadline ------------------------------------------


def _deadline_response(seconds):
    """A response_class for http.client whose reads all share one deadline, set when it is built."""
    def build(sock, **kwargs):
        return http.client.HTTPResponse(_DeadlineSocket(sock, time.monotonic() + seconds), **kwargs)
    return build


class _DeadlineSocket:
    """What HTTPResponse needs of a socket (``makefile``), with reads cut off at a deadline."""

    def __init__(self, sock, deadline):
        self.sock = sock
        self.deadline = deadline

    def makefile(self, mode):
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock, deadline):
        super().__init__()
        self.sock = sock
        self.raw = sock.makefile("rb", buffering=0)  # holds the socket open until closed
        self.deadline = deadline

    def readable(self):
        return True

    def readinto(self, buffer):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("response deadline passed")
        self.sock.settimeout(remaining)
        return self.raw.readinto(buffer)

    def close(self):
        self.raw.close()
        super().close()


# --- headers --------------------------------------------------------------------------


def _request_headers(headers, body):
    """The caller's headers over our defaults; Host and Content-Length always describe the request itself."""
    combined = {name: value for name, value in headers.items() if name.lower() not in ("host", "content-length")}
    given = {name.lower() for name in combined}
    for name, value in (("Content-Type", "application/json"), ("User-Agent", USER_AGENT)):
        if name.lower() not in given:
            combined[name] = value
    combined["Content-Length"] = str(len(body))
    return combined


def _response_headers(reply):
    collected = {}
    for name, value in reply.getheaders():
        name = name.lower()
        collected[name] = f"{collected[name]}, {value}" if name in collected else value
    return collected
