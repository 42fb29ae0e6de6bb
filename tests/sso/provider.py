"""The test OpenID provider: ``tests/sso/provider/server.mjs`` (oidc-provider from npm, pinned
in its package-lock) run by Node on a free loopback port.

``OpenIDProvider.sign_in(authorize_url, login)`` walks its real redirects and its sign-in
form with an HTTP client and returns the URL it redirects the browser back to (our
callback, with ``code`` and ``state``)."""

import json
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

HERE = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "momoflow-test"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"


def node_ready():
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider is not installed (make install runs npm ci in tests/sso/provider)"
    return None


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OpenIDProvider:
    def __init__(self, folder, redirect_uris):
        self.folder = Path(folder)
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.redirect_uris = list(redirect_uris)
        self.accounts = {}
        self.process = None
        self.key = self._new_key()

    # --- people -----------------------------------------------------------------------

    def add(self, sub, email, *, verified=True, name=None, groups=(), **claims):
        self.accounts[sub] = {"email": email, "email_verified": verified, "name": name or email.split("@")[0],
                              "groups": list(groups), **claims}
        if verified is None:  # as Entra ID: no email_verified at all
            del self.accounts[sub]["email_verified"]
        self._write_accounts()

    def change(self, sub, **claims):
        self.accounts[sub].update(claims)
        self._write_accounts()

    def _write_accounts(self):
        (self.folder / "accounts.json").write_text(json.dumps(self.accounts))

    # --- the process --------------------------------------------------------------------

    def _new_key(self):
        kid = f"key-{time.monotonic_ns()}"
        return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)

    def start(self):
        self._write_accounts()
        config = {"issuer": self.issuer, "port": self.port, "accountsFile": str(self.folder / "accounts.json"),
                  "jwks": {"keys": [self.key.as_dict(private=True)]},
                  "clients": [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                               "redirect_uris": self.redirect_uris, "grant_types": ["authorization_code"],
                               "response_types": ["code"], "token_endpoint_auth_method": "client_secret_basic"}]}
        (self.folder / "config.json").write_text(json.dumps(config))
        self.log = open(self.folder / "provider.log", "ab")
        self.process = subprocess.Popen(["node", str(HERE / "server.mjs"), str(self.folder / "config.json")],
                                        cwd=HERE, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_up()
        return self

    def _wait_until_up(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the OpenID provider exited: {(self.folder / 'provider.log').read_text()[-2000:]}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the OpenID provider did not start within 30 s")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.log.close()

    def rotate_keys(self):
        """Restart with a new signing key (and only that one), as a provider rotating its keys."""
        self.stop()
        self.key = self._new_key()
        self.start()

    # --- a person at the provider's pages -------------------------------------------------

    def sign_in(self, authorize_url, login, browser=None):
        """Follow the authorization request through the provider's sign-in form as ``login``
        (an email or sub); the redirect back to us, as a URL."""
        browser = browser or requests.Session()
        url = authorize_url
        for _ in range(10):
            answer = browser.get(url, allow_redirects=False, timeout=10)
            if answer.status_code in (302, 303):
                url = urljoin(url, answer.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                continue
            assert answer.status_code == 200, answer.text[:500]
            action = answer.text.split('action="', 1)[1].split('"', 1)[0]
            posted = browser.post(urljoin(url, action), data={"login": login}, allow_redirects=False, timeout=10)
            assert posted.status_code in (302, 303), posted.text[:500]
            url = urljoin(url, posted.headers["Location"])
            if not url.startswith(self.issuer):
                return url
        raise AssertionError("the provider kept redirecting")
