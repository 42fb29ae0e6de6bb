"""A real webhook receiver on 127.0.0.1 for tests (and the ``receiver`` fixture): it checks every signature with
``signing.verify``, records what arrived, and answers as scripted.

    with Receiver() as receiver:
        receiver.secret = secret          # from create_endpoint
        receiver.script(500, 500, 200)    # then the default (200) for everything after
        ...
        receiver.deliveries               # [Received(msg_id, verified, body, headers, path)]

Run alone it is a receiver to try webhooks with locally (README, "Webhooks"):
``python -m tests.webhooks.receiver [PORT] [SECRET]`` prints each delivery as it
arrives, and whether its signature verifies with SECRET (the endpoint's ``whsec_…``).

Scripted answers: a status code (``302`` comes with a Location), or ``"hang"`` to say
nothing until the test ends (or a minute passes). ``delay`` slows every answer down;
``spread`` staggers them (the n-th request waits ``(n mod 16) × spread`` more), so replies
come back one by one, as they do on a busy machine; by its path (one endpoint each), the
n-th is each path's requests taken in turn, so no endpoint lags behind the others
because its requests happened to arrive late; ``max_in_flight`` says how many
requests it held at once.
"""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from momoflow.webhooks.signing import SignatureError, verify

HANG_SECONDS = 60  # stop() ends a hang sooner
SPREAD_GROUP = 16


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    msg_id: str | None
    verified: bool
    problem: str | None = None
    at: float = field(default_factory=time.time)  # when it arrived (the wall clock, as the app's utcnow)

    @property
    def json(self):
        return json.loads(self.body)


class Receiver:
    def __init__(self, secret=None, default=200, delay=0, spread=0, port=0):
        self.secret = secret
        self.default = default
        self.delay = delay  # seconds before each answer
        self.spread = spread
        self._paths = {}  # path -> (its rank among the paths, requests to it so far)
        self.deliveries = []
        self.in_flight = self.max_in_flight = 0
        self._answers = deque()
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self._server.receiver = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_port}/hooks/momoflow"

    def script(self, *answers):
        with self._lock:
            self._answers.extend(answers)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def received(self, event_type=None):
        return [d for d in self.deliveries if event_type is None or d.json.get("type") == event_type]

    def _take(self, path, headers, body):
        """Record a request; the answer to give it, and how long to wait before giving it."""
        try:
            msg_id, verified, problem = verify(self.secret, headers, body), True, None
        except (SignatureError, ValueError, TypeError) as error:
            msg_id, verified, problem = headers.get("webhook-id"), False, str(error)
        with self._lock:
            delay = self.delay + self.spread * (self._turn(path) % SPREAD_GROUP)
            self.deliveries.append(Received(path, headers, body, msg_id, verified, problem))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return (self._answers.popleft() if self._answers else self.default), delay

    def _turn(self, path):
        """The request's place when every path's requests take turns (the caller holds the lock):
        the k-th request of the path ranked r among p paths is number k × p + r."""
        rank, taken = self._paths.get(path, (len(self._paths), 0))
        self._paths[path] = (rank, taken + 1)
        return taken * len(self._paths) + rank

    def _done(self):
        with self._lock:
            self.in_flight -= 1


@pytest.fixture
def receiver(app, monkeypatch):
    """A receiver the app may reach (loopback allowed), retries without waiting, a short timeout."""
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOOPBACK", True)
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", "0,0,0")
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 1)
    with Receiver() as server:
        yield server


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops connections when a drain posts 16 at once


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        answer, delay = receiver._take(self.path, {name.lower(): value for name, value in self.headers.items()},
                                       body)
        try:
            if answer == "hang":
                receiver._release.wait(HANG_SECONDS)
                return
            receiver._release.wait(delay)
            self._answer(answer)
        finally:
            receiver._done()

    def _answer(self, answer):
        self.send_response(answer)
        if 300 <= answer < 400:
            self.send_header("Location", "/elsewhere")
        payload = b"ok" if answer < 300 else f"answer {answer}".encode()
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def main(argv):
    port = int(argv[0]) if argv else 8001
    receiver = Receiver(secret=argv[1] if len(argv) > 1 else None, port=port).start()
    print(f"Receiving webhooks at {receiver.url} (Ctrl-C stops)", flush=True)
    shown = 0
    try:
        while True:
            time.sleep(0.2)
            for delivery in receiver.deliveries[shown:]:
                check = "signature verified" if delivery.verified else f"not verified: {delivery.problem}"
                print(f"{delivery.msg_id} ({check})\n{delivery.body.decode(errors='replace')}\n", flush=True)
            shown = len(receiver.deliveries)
    except KeyboardInterrupt:
        receiver.stop()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
