"""Real processes for end-to-end background tests: a Redis server of our own (so it can
be stopped and started again), an RQ worker pool running ``momoflow.jobs.worker``, and
waiting helpers."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available():
    return shutil.which("redis-server") is not None


class RedisServer:
    """``redis-server`` on a free loopback port, without persistence: a restart loses
    everything queued, the harshest case for "nothing is lost"."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self._pings(), timeout=10, what="redis-server to start")
        return self

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def _pings(self):
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
        except redis.RedisError:
            return False


class WorkerPool:
    """``rq worker-pool`` as the Procfile runs it, configured by the environment alone."""

    def __init__(self, environment, log_path, processes=2):
        self.environment = environment
        self.log_path = log_path
        self.processes = processes
        self.process = None

    def start(self):
        rq = str(Path(sys.executable).with_name("rq"))
        command = [rq, "worker-pool", "-n", str(self.processes), "-w", "momoflow.jobs.worker.AppWorker",
                   "-S", "json", "-u", self.environment["REDIS_URL"],
                   "events", "webhooks", "mail", "exports", "default"]
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.environment},
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def kill(self):
        """SIGKILL the pool and its workers: what a crash or an OOM kill looks like."""
        if self.process:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self):
        if self.process:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def log(self):
        return Path(self.log_path).read_text(errors="replace") if Path(self.log_path).exists() else ""


def wait_for(condition, timeout, what, interval=0.1):
    """``condition()`` once it is truthy; AssertionError naming ``what`` (text, or a function
    giving it, read only then: e.g. the worker log as it is at the timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")
