"""Serving the app the way production does (the ``web:`` line of ``Procfile``), and counting
the CPU every process on the path spent.

The Procfile's command is run as written, with two substitutions: the WSGI app (for the
bare baseline) and ``127.0.0.1`` for ``0.0.0.0`` (the benchmark stays on loopback). The
access log goes to a file, as it would go to the platform's log collector.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
def _procfile_workers():
    """The Procfile's default worker count (``${WEB_CONCURRENCY:-N}``)."""
    return re.search(r"WEB_CONCURRENCY:-(\d+)", (ROOT / "Procfile").read_text()).group(1)


WORKERS = int(os.environ.get("WEB_CONCURRENCY") or _procfile_workers())
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def procfile_web_command(app_spec="wsgi:app"):
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line[len("web:"):].strip().replace("wsgi:app", app_spec).replace("0.0.0.0", "127.0.0.1")
    raise SystemExit("Procfile has no web: line")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master and its workers, started from the Procfile's command."""

    def __init__(self, app_spec, environment, log_path):
        self.port = free_port()
        self.command = procfile_web_command(app_spec)
        env = {**os.environ, **environment, "WEB_CONCURRENCY": str(WORKERS), "PORT": str(self.port),
               "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
        self.log = open(log_path, "ab")
        self.process = subprocess.Popen(["sh", "-c", f"exec {self.command}"], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=self.log)
        self._wait_until_ready()

    def _wait_until_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}); see {self.log.name}")
            if len(self.worker_pids()) == WORKERS and _accepts(self.port):
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start in {timeout} s; see {self.log.name}")

    def worker_pids(self):
        return children_of(self.process.pid)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat and int(stat[1]) == pid:
                found.append(int(entry))
    return found


def pids_named(name):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == name:
                    found.append(int(entry))
            except OSError:
                pass
    return found


def _stat(pid):
    """Fields after the command name of /proc/PID/stat (index 0 is the state), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def cpu_seconds(pids):
    """User + system CPU seconds the processes have used so far (gone processes count 0)."""
    total = 0
    for pid in pids:
        stat = _stat(pid)
        if stat:
            total += int(stat[11]) + int(stat[12])
    return total / CLOCK_TICKS


def machine_cpu():
    """(busy, total, iowait) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / CLOCK_TICKS, sum(fields[:8]) / CLOCK_TICKS, fields[4] / CLOCK_TICKS


@dataclass
class CpuWindow:
    """CPU seconds per component over one measured case."""

    components: dict  # name -> seconds
    machine_busy: float
    machine_total: float
    machine_iowait: float  # idle time with disk I/O outstanding: someone waits on the disk
    wall: float


class CpuMeter:
    """Snapshots the CPU of named groups of processes; ``groups`` maps name -> callable giving pids."""

    def __init__(self, groups):
        self.groups = groups

    def start(self):
        self._pids = {name: list(pids()) for name, pids in self.groups.items()}
        self._before = {name: cpu_seconds(pids) for name, pids in self._pids.items()}
        self._machine = machine_cpu()
        self._started = time.monotonic()

    def stop(self):
        busy, total, iowait = machine_cpu()
        components = {name: cpu_seconds(self._pids[name]) - self._before[name] for name in self.groups}
        return CpuWindow(components, busy - self._machine[0], total - self._machine[1], iowait - self._machine[2],
                         time.monotonic() - self._started)


def machine_busy_share(seconds):
    """How busy both cores were over the next ``seconds`` (0–1): is something else running?"""
    busy, total, _ = machine_cpu()
    time.sleep(seconds)
    busy_after, total_after, _ = machine_cpu()
    return (busy_after - busy) / max(total_after - total, 1e-9)
