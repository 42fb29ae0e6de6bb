"""A small closed-loop HTTP load generator: N connections, each sending its next request as soon
as the previous answer is in.

Threads with blocking sockets and hand-built HTTP/1.1 bytes: no client library between
us and the server, so the generator spends as little of the machine's CPU as Python
allows (it shares the cores with the server it measures; ``Result.cpu_seconds`` says how
much it took). A connection is reused while the server keeps it open; gunicorn's sync
workers close it after every answer, so then each request opens a new one (and its
latency includes the connect, as a client's would).

Latency is from just before connecting/sending to the last byte of the body. Only requests
that complete inside the measured window count (after ``warmup`` seconds, until the end).
"""

import itertools
import os
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Result:
    connections: int
    seconds: float  # the measured window
    latencies: list = field(repr=False)  # seconds, every request completed in the window
    statuses: Counter  # status code (or "connection error") -> count, same requests
    all_statuses: Counter  # the same over every request sent, warm-up and tail included
    issued: int  # every request sent, warm-up and tail included (each used one request number)
    cpu_seconds: float  # this process's user + system CPU over the whole run
    examples: dict = field(default_factory=dict, repr=False)  # status -> one response body

    @property
    def requests_per_second(self):
        return len(self.latencies) / self.seconds

    def percentile_ms(self, q):
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000

    @property
    def errors(self):
        return {status: count for status, count in self.statuses.items() if status != 200}


def http_request(method, path, headers, body=b""):
    """The request's bytes, ready to send."""
    lines = [f"{method} {path} HTTP/1.1"] + [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def run(host, port, make_request, connections, seconds, warmup=2.0, first=0):
    """Drive ``make_request(n)`` (bytes) for n = first, first+1, … over ``connections``."""
    numbers = itertools.count(first)
    cpu_started = _cpu()
    started = time.perf_counter()
    window = (started + warmup, started + warmup + seconds)
    threads = [_Connection(host, port, make_request, numbers, window) for _ in range(connections)]
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)  # a thread whose answer arrived should not wait 5 ms for the GIL
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous_interval)
    latencies, statuses, all_statuses, examples = [], Counter(), Counter(), {}
    for thread in threads:
        latencies.extend(thread.latencies)
        statuses.update(thread.statuses)
        all_statuses.update(thread.all_statuses)
        for status, body in thread.examples.items():
            examples.setdefault(status, body)
    issued = sum(thread.issued for thread in threads)
    return Result(connections, seconds, latencies, statuses, all_statuses, issued, _cpu() - cpu_started, examples)


def _cpu():
    times = os.times()
    return times.user + times.system


class _Connection(threading.Thread):
    def __init__(self, host, port, make_request, numbers, window):
        super().__init__(daemon=True)
        self.address, self.make_request, self.numbers = (host, port), make_request, numbers
        self.measure_from, self.stop_at = window
        self.latencies, self.statuses, self.all_statuses, self.examples, self.issued = [], Counter(), Counter(), {}, 0

    def run(self):
        sock, perf_counter = None, time.perf_counter
        while perf_counter() < self.stop_at:
            payload = self.make_request(next(self.numbers))
            self.issued += 1
            began = perf_counter()
            try:
                if sock is None:
                    sock = socket.create_connection(self.address)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.sendall(payload)
                status, keep_alive, body = _read_response(sock)
            except OSError as error:
                status, keep_alive, body = "connection error", False, repr(error).encode()
            ended = perf_counter()
            self.all_statuses[status] += 1
            if self.measure_from <= ended <= self.stop_at:
                self.latencies.append(ended - began)
                self.statuses[status] += 1
                if status not in self.examples:
                    self.examples[status] = body[:500]
            if not keep_alive and sock is not None:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()


def _read_response(sock):
    """(status, keep the connection?, body) of one HTTP/1.1 answer with a Content-Length."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers ended")
        buffer += chunk
    head, _, body = buffer.partition(b"\r\n\r\n")
    lower = head.lower()
    start = lower.find(b"\r\ncontent-length:")
    if start < 0:
        raise ConnectionError("answer without Content-Length")
    end = lower.find(b"\r\n", start + 2)
    length = int(lower[start + 17:end if end > 0 else len(lower)])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the middle of the body")
        body += chunk
    return int(head[9:12]), b"\r\nconnection: close" not in lower, body
