"""A throwaway OpenLDAP server (slapd) for the test suite.

Everything lives in a caller-supplied work directory: config, MDB database,
pid file and log. Nothing under /etc/ldap/slapd.d or the system service is
touched. slapd runs in the foreground as the current user (root included) on
a free loopback port.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import subprocess
import time
from pathlib import Path

import ldap3
from ldap3.core.exceptions import LDAPException

SBIN = Path("/usr/sbin")
SLAPD, SLAPADD = SBIN / "slapd", SBIN / "slapadd"
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")  # Debian builds back_mdb as a loadable module
DATA_DIR = Path(__file__).parent / "ldap"

BASE_DN = "dc=momoflow,dc=test"
READER_DN = f"cn=reader,ou=service,{BASE_DN}"
READER_PASSWORD = "reader-secret"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "admin-secret"
USER_PASSWORD = "ldap-pass-123"  # every person in people.ldif


def slapd_available() -> bool:
    return all(p.is_file() for p in (SLAPD, SLAPADD, SBIN / "slappasswd", SCHEMA_DIR / "core.schema"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class SlapdError(RuntimeError):
    pass


class SlapdServer:
    base_dn = BASE_DN
    bind_dn = READER_DN
    bind_password = READER_PASSWORD
    admin_dn = ADMIN_DN
    admin_password = ADMIN_PASSWORD
    user_password = USER_PASSWORD

    def __init__(self, workdir: Path, start_timeout: float = 10.0):
        self.workdir = Path(workdir)
        self.start_timeout = start_timeout
        self.port: int | None = None
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        self._log_start = 0
        self._conf = self.workdir / "slapd.conf"
        self._log = self.workdir / "slapd.log"
        atexit.register(self.stop)  # never leak a slapd past the test session

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def user_dn(self, uid: str) -> str:
        return f"uid={uid},ou=people,{BASE_DN}"

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "SlapdServer":
        if self.running:
            return self
        if not slapd_available():
            raise SlapdError("slapd/slapadd/slappasswd not found in /usr/sbin")
        if not self._conf.exists():
            self._provision()
        if self.port is None:
            self.port = _free_port()

        self._log_file = open(self._log, "ab")
        self._log_start = self._log_file.tell()  # report only this run's output on failure
        self._proc = subprocess.Popen(
            # -d keeps slapd in the foreground (so we own the pid) and logs to
            # stderr; "stats" records connections/binds, handy when a test fails.
            [str(SLAPD), "-f", str(self._conf), "-h", f"{self.url}/", "-d", "stats"],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self._wait_ready()
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        deadline = time.monotonic() + 5
        while self.port and _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> "SlapdServer":
        self.stop()
        return self.start()  # keeps self.port and the loaded database

    def __enter__(self) -> "SlapdServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------

    def log_text(self, start: int = 0) -> str:
        if not self._log.exists():
            return ""
        with open(self._log, "rb") as f:
            f.seek(start)
            return f.read().decode(errors="replace")

    def _provision(self) -> None:
        db_dir = self.workdir / "db"
        shutil.rmtree(db_dir, ignore_errors=True)  # leftovers of a failed slapadd
        db_dir.mkdir(parents=True)
        schemas = [SCHEMA_DIR / f"{n}.schema" for n in ("core", "cosine", "inetorgperson", "nis")]
        schemas.append(DATA_DIR / "ad-compat.schema")
        modules = (
            f"modulepath {MODULE_DIR}\nmoduleload back_mdb\n"
            if (MODULE_DIR / "back_mdb.so").exists()
            else ""
        )
        conf = "".join(f"include \"{s}\"\n" for s in schemas) + modules + f"""
pidfile "{self.workdir / "slapd.pid"}"
argsfile "{self.workdir / "slapd.args"}"

database mdb
directory "{db_dir}"
suffix "{BASE_DN}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
maxsize 16777216

access to attrs=userPassword
    by self write
    by anonymous auth
    by * none
# Let bound users search from the base/people containers (not read them),
# otherwise their own searches fail with noSuchObject before reaching self.
access to dn.regex="^(ou=people,)?{BASE_DN}$" attrs=entry
    by dn.exact="{READER_DN}" read
    by users search
    by * none
access to *
    by dn.exact="{READER_DN}" read
    by self read
    by * none
"""
        self._conf.write_text(conf)
        res = subprocess.run(
            [str(SLAPADD), "-f", str(self._conf), "-l", str(DATA_DIR / "people.ldif")],
            capture_output=True,
            text=True,
        )
        if res.returncode != 0:
            self._conf.unlink()  # so the next start() retries provisioning
            raise SlapdError(f"slapadd failed ({res.returncode}):\n{res.stdout}{res.stderr}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        last_err: Exception | None = None
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                break
            if _port_open(self.port):
                conn = ldap3.Connection(
                    ldap3.Server(self.url, connect_timeout=1, get_info=ldap3.NONE),
                    self.bind_dn, self.bind_password, receive_timeout=2,
                )
                try:
                    if conn.bind():
                        return
                    last_err = SlapdError(f"reader bind refused: {conn.result}")
                except LDAPException as e:
                    last_err = e
                finally:
                    conn.unbind()
            time.sleep(0.05)
        rc = self._proc.poll()
        self.stop()
        why = f"exited with code {rc}" if rc is not None else f"not ready after {self.start_timeout}s"
        raise SlapdError(
            f"slapd on {self.url} {why} (last error: {last_err!r}); "
            f"log {self._log}:\n{self.log_text(self._log_start)[-4000:]}"
        )
