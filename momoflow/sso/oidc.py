"""OpenID Connect's authorization code flow, for one provider: discovery, the authorization
request (PKCE S256, ``state``, ``nonce``), the code exchange and the ID token's checks.

Authlib's requests client builds the authorization URL and exchanges the code; joserfc
(Authlib's JOSE library) verifies the ID token: signature against the provider's JWKS
(fetched again once when a token names a key we have not seen: key rotation), issuer,
audience, expiry, issued-at and nonce. Every URL we fetch is checked first like a
webhook's (no private or metadata addresses) unless ``SSO_ALLOW_LOOPBACK`` is set, and
redirects are never followed.
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.common.errors import AuthlibBaseError
from flask import current_app
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from momoflow.webhooks.http import check_url

TIMEOUT = (5, 10)  # seconds: connecting, answering
MAX_DOCUMENT_BYTES = 512 * 1024
METADATA_TTL = 3600  # seconds a provider's discovery document and keys are kept
LEEWAY = 60  # seconds of clock skew allowed on exp and iat
# Asymmetric algorithms only: "none" and HMAC (keyed with the client secret) are never accepted.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
SCOPES = ("openid", "email", "profile")


class ProviderError(Exception):
    """The provider could not be reached or answered something unusable; ``message`` is
    fit to show to an admin or the person signing in."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InvalidIdToken(ProviderError):
    pass


@dataclass(frozen=True)
class Client:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str


# --- discovery and keys ---------------------------------------------------------------

_cache = {}  # (kind, url) -> (fetched at, value); per process, like any HTTP cache
_cache_lock = threading.Lock()


def _now():
    return time.time()


def discover(issuer, fresh=False):
    """The provider's ``/.well-known/openid-configuration``, checked to be for ``issuer``."""
    def fetch():
        document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != issuer:
            raise ProviderError(f"the provider says its issuer is {str(document.get('issuer'))[:200]!r}, "
                                f"not {issuer!r}: use exactly the issuer it names")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(name), str):
                raise ProviderError(f"the provider's discovery document has no {name}")
        return document
    return _cached("metadata", issuer, fetch, fresh)


def _keys(metadata, fresh=False):
    def fetch():
        try:
            return KeySet.import_key_set(_get_json(metadata["jwks_uri"]))
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise ProviderError(f"the provider's signing keys cannot be read ({error})") from None
    return _cached("jwks", metadata["jwks_uri"], fetch, fresh)


def _cached(kind, url, fetch, fresh):
    with _cache_lock:
        entry = _cache.get((kind, url))
    if entry and not fresh and _now() - entry[0] < METADATA_TTL:
        return entry[1]
    value = fetch()
    with _cache_lock:
        _cache[(kind, url)] = (_now(), value)
    return value


def _check(url):
    reason = check_url(url, allow_loopback=current_app.config["SSO_ALLOW_LOOPBACK"])
    if reason:
        raise ProviderError(f"{url[:200]} cannot be used: {reason}")


def _get_json(url):
    _check(url)
    try:
        with requests.get(url, timeout=TIMEOUT, allow_redirects=False, stream=True,
                          headers={"Accept": "application/json"}) as response:
            body = response.raw.read(MAX_DOCUMENT_BYTES + 1, decode_content=True)
    except (requests.RequestException, OSError) as error:
        raise ProviderError(f"cannot reach {url[:200]}: {type(error).__name__}") from None
    if response.status_code != 200:
        raise ProviderError(f"{url[:200]} answered HTTP {response.status_code}")
    if len(body) > MAX_DOCUMENT_BYTES:
        raise ProviderError(f"{url[:200]} answered more than {MAX_DOCUMENT_BYTES // 1024} KiB")
    try:
        document = json.loads(body)
    except ValueError:
        raise ProviderError(f"{url[:200]} did not answer JSON") from None
    if not isinstance(document, dict):
        raise ProviderError(f"{url[:200]} did not answer a JSON object")
    return document


# --- the code flow --------------------------------------------------------------------


def authorization_request(client, login_hint=None):
    """``(url, pending)``: where to send the browser, and what the callback must be shown
    (kept in the session until then)."""
    metadata = discover(client.issuer)
    pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
               "verifier": secrets.token_urlsafe(48)}
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _ = _session(client, metadata).create_authorization_url(
        metadata["authorization_endpoint"], state=pending["state"], code_verifier=pending["verifier"],
        nonce=pending["nonce"], **extra)
    return url, pending


def _session(client, metadata):
    scopes = list(SCOPES)
    if "groups" in (metadata.get("scopes_supported") or ()):
        scopes.append("groups")  # Okta's; Entra ID sends groups without a scope
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    return OAuth2Session(client.client_id, client.client_secret, scope=" ".join(scopes),
                         redirect_uri=client.redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method=auth_method)


def exchange_code(client, code, pending):
    """The verified ID token's claims for the authorization ``code`` the callback got."""
    metadata = discover(client.issuer)
    _check(metadata["token_endpoint"])
    try:
        token = _session(client, metadata).fetch_token(
            metadata["token_endpoint"], code=code, code_verifier=pending["verifier"],
            timeout=TIMEOUT, allow_redirects=False)
    except AuthlibBaseError as error:
        raise ProviderError(f"the provider refused the sign-in ({error.error})") from None
    except (requests.RequestException, ValueError) as error:
        raise ProviderError(f"the provider's token endpoint failed ({type(error).__name__})") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ProviderError("the provider sent no ID token")
    return verify_id_token(client, metadata, id_token, pending["nonce"])


def verify_id_token(client, metadata, id_token, nonce):
    try:
        token = _decode(metadata, id_token)
    except (JoseError, ValueError) as first:
        # A key we have not seen yet: the provider rotated its keys. Fetch them again, once.
        try:
            token = _decode(metadata, id_token, fresh_keys=True)
        except (JoseError, ValueError):
            raise InvalidIdToken(f"the ID token's signature does not verify ({first})") from None
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        now=lambda: int(_now()), leeway=LEEWAY,
        iss={"essential": True, "value": client.issuer}, aud={"essential": True, "value": client.client_id},
        exp={"essential": True}, iat={"essential": True}, sub={"essential": True},
        nonce={"essential": True, "value": nonce})
    try:
        registry.validate(claims)
    except JoseError as error:
        raise InvalidIdToken(f"the ID token is not valid ({error})") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client.client_id:
        raise InvalidIdToken("the ID token is for several clients and not authorised for this one")
    if not isinstance(claims["sub"], str) or not 0 < len(claims["sub"]) <= 255:
        raise InvalidIdToken("the ID token's subject is not usable")
    return claims


def _decode(metadata, id_token, fresh_keys=False):
    allowed = [name for name in metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
               if name in ALGORITHMS]
    return jwt.decode(id_token, _keys(metadata, fresh=fresh_keys), algorithms=allowed or ["RS256"])
