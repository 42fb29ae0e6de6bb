"""Configuration in layers: defaults, then ``instance/config.py``, then the environment.

Every setting an operator may need is read from an environment variable of the same
name (see ``ENVIRONMENT``), so production is configured by the environment alone.
"""

import base64
import hashlib
import os
import secrets
from pathlib import Path

DEV_SECRET_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The app cannot start with this configuration; the message says why in one line."""


class Defaults:
    MOMOFLOW_ENV = "production"
    SECRET_KEY = None
    DATABASE_URL = None  # None: SQLite file in the instance folder
    REDIS_URL = None  # None: background jobs run in-process
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Directory: LDAP_URL unset means the local directory (people in the database).
    LDAP_URL = None
    LDAP_BIND_DN = None
    LDAP_BIND_PASSWORD = None
    LDAP_BASE_DN = None
    LDAP_FLAVOR = "openldap"  # or "ad": picks the attribute map below
    LDAP_ATTRIBUTE_MAP = None  # overrides, e.g. "name=displayName,department=ou"
    LDAP_USER_FILTER = None  # None: the flavor's filter for people
    LDAP_GROUP_BASE_DN = None  # where groups live; None: under LDAP_BASE_DN
    LDAP_TIMEOUT = 5  # seconds, for connecting and for each answer
    DIRECTORY_ORG = "demo"  # the organisation whose people the directory holds
    DIRECTORY_REFRESH_SECONDS = 3600  # re-read a directory person's details after this

    UPLOAD_FOLDER = None  # None: instance/uploads
    EXPORT_FOLDER = None  # None: instance/exports (report files; never under static/)
    EXPORT_TTL_HOURS = 24  # how long an export's file and its download link last
    MAX_CONTENT_LENGTH = 25 * 1024 * 1024

    SMTP_HOST = "localhost"
    SMTP_PORT = 25
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    SMTP_SECURITY = "none"  # none | starttls | ssl
    MAIL_FROM = "MomoFlow <no-reply@momoflow.local>"
    SMTP_TIMEOUT = 10  # seconds
    BASE_URL = None  # where links in emails point; None: http://HOST:PORT in development, else 127.0.0.1:5000
    BELL_REFRESH_SECONDS = 30  # how often an open page asks for its unread count

    # Background work (momoflow.jobs): the periodic tick, and in-process mode's use of it.
    TICK_SECONDS = 60
    IN_PROCESS_TICK = None  # None: on in development (make run), off otherwise
    WEBHOOK_ALLOW_LOOPBACK = False  # let webhooks reach 127.0.0.1 (tests, local trials)
    WEBHOOK_TIMEOUT = 10  # seconds for the whole answer (connecting: at most 5)
    # Seconds before each retry: about a day in all, then the endpoint is disabled.
    WEBHOOK_RETRY_SCHEDULE = "10,60,300,1800,3600,7200,14400,21600,21600,21600"
    EVENT_RETENTION_DAYS = 30  # dispatched events older than this are purged

    JWT_EXPIRES_SECONDS = 8 * 3600
    LOGIN_RATE_LIMIT = "10 per minute"  # sign-in attempts per source address
    # Failed sign-ins per email from anywhere, except from browsers that person signed in on before.
    LOGIN_RATE_LIMIT_PER_EMAIL = "50 per hour"
    # Integrator API requests per API key, by the organisation's tier.
    LOG_LEVEL = "INFO"
    API_RATE_LIMIT_STANDARD = "100 per minute"
    API_RATE_LIMIT_ENTERPRISE = "1000 per minute"
    SCIM_RATE_LIMIT = "600 per minute"  # per provisioning token (Okta and Entra ID send bursts)
    # POST /v1/flows/report's own bucket; a report over more than 1,000 assignments counts
    # once per started thousand.
    API_REPORT_RATE_LIMIT_STANDARD = "50 per minute"
    API_REPORT_RATE_LIMIT_ENTERPRISE = "500 per minute"
    BULK_DECISIONS_RATE_LIMIT = "30 per minute"  # bulk decisions per person (inbox page and API together)
    # Opening and confirming decision links from emails, per source address.
    EMAIL_DECISION_RATE_LIMIT = "30 per minute"
    EMAIL_DECISION_LINK_HOURS = 72  # how long a decision link in an email can be used
    TRUSTED_PROXIES = 0  # how many reverse proxies set X-Forwarded-* in front of us
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Argon2id parameters (RFC 9106 second recommendation); tests lower them.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 4

    DEMO_PASSWORD = "momoflow-demo"

    # Single sign-on (momoflow.sso): the Fernet key(s) that encrypt client secrets at rest
    # (comma-separated, the first encrypts); outside production, derived from SECRET_KEY
    # when unset. SSO_ALLOW_LOOPBACK lets an issuer be http:// on loopback or a private
    # network (tests, local trials).
    SSO_ENCRYPTION_KEY = None
    SSO_ALLOW_LOOPBACK = False


# name -> parser for every setting read from the environment
ENVIRONMENT = {
    "MOMOFLOW_ENV": str,
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "REDIS_URL": str,
    "LDAP_URL": str,
    "LDAP_BIND_DN": str,
    "LDAP_BIND_PASSWORD": str,
    "LDAP_BASE_DN": str,
    "LDAP_FLAVOR": str,
    "LDAP_ATTRIBUTE_MAP": str,
    "LDAP_USER_FILTER": str,
    "LDAP_GROUP_BASE_DN": str,
    "LDAP_TIMEOUT": float,
    "DIRECTORY_ORG": str,
    "DIRECTORY_REFRESH_SECONDS": int,
    "UPLOAD_FOLDER": str,
    "EXPORT_FOLDER": str,
    "EXPORT_TTL_HOURS": int,
    "MAX_CONTENT_LENGTH": int,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_USERNAME": str,
    "SMTP_PASSWORD": str,
    "SMTP_SECURITY": str,
    "MAIL_FROM": str,
    "JWT_EXPIRES_SECONDS": int,
    "LOGIN_RATE_LIMIT": str,
    "LOGIN_RATE_LIMIT_PER_EMAIL": str,
    "LOG_LEVEL": str,
    "API_RATE_LIMIT_STANDARD": str,
    "API_RATE_LIMIT_ENTERPRISE": str,
    "SCIM_RATE_LIMIT": str,
    "API_REPORT_RATE_LIMIT_STANDARD": str,
    "API_REPORT_RATE_LIMIT_ENTERPRISE": str,
    "BULK_DECISIONS_RATE_LIMIT": str,
    "EMAIL_DECISION_RATE_LIMIT": str,
    "EMAIL_DECISION_LINK_HOURS": int,
    "TRUSTED_PROXIES": int,
    "SESSION_COOKIE_SECURE": lambda v: _parse_bool(v),
    "DEMO_PASSWORD": str,
    "SMTP_TIMEOUT": float,
    "BASE_URL": str,
    "BELL_REFRESH_SECONDS": int,
    "TICK_SECONDS": int,
    "IN_PROCESS_TICK": lambda v: _parse_bool(v),
    "WEBHOOK_ALLOW_LOOPBACK": lambda v: _parse_bool(v),
    "WEBHOOK_TIMEOUT": float,
    "WEBHOOK_RETRY_SCHEDULE": str,
    "EVENT_RETENTION_DAYS": int,
    "SSO_ENCRYPTION_KEY": str,
    "SSO_ALLOW_LOOPBACK": lambda v: _parse_bool(v),
}


def _parse_bool(value):
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(app, overrides=None):
    """Fill ``app.config`` from every layer and derive the settings that depend on others."""
    config = app.config
    config.from_object(Defaults)
    config.from_pyfile(os.path.join(app.instance_path, "config.py"), silent=True)
    for name, parse in ENVIRONMENT.items():
        if os.environ.get(name) not in (None, ""):
            config[name] = parse(os.environ[name])
    config.update(overrides or {})
    _derive(app)


def _derive(app):
    config = app.config
    env = config["MOMOFLOW_ENV"]
    if env not in {"production", "development", "testing"}:
        raise ConfigurationError(f"MOMOFLOW_ENV must be production, development or testing, not {env!r}")
    config["TESTING"] = config.get("TESTING") or env == "testing"
    instance = Path(app.instance_path)
    config.setdefault("SQLALCHEMY_DATABASE_URI", database_uri(config["DATABASE_URL"], instance))
    config["UPLOAD_FOLDER"] = config["UPLOAD_FOLDER"] or str(instance / "uploads")
    config["EXPORT_FOLDER"] = config["EXPORT_FOLDER"] or str(instance / "exports")
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")
    config["BASE_URL"] = config["BASE_URL"] or _local_base_url(env)
    if config["IN_PROCESS_TICK"] is None:
        config["IN_PROCESS_TICK"] = env == "development"
    config["SECRET_KEY"] = _secret_key(config["SECRET_KEY"], env, instance)
    config["SSO_ENCRYPTION_KEY"] = _sso_encryption_key(config["SSO_ENCRYPTION_KEY"], env, config["SECRET_KEY"])
    if env != "production":
        # Local runs are served over plain http; secure cookies would never come back.
        config["SESSION_COOKIE_SECURE"] = config["REMEMBER_COOKIE_SECURE"] = False
    else:
        config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]


def _sso_encryption_key(setting, env, secret_key):
    from momoflow.sso.secrets import keys_from

    if not setting and env != "production":
        # A local run needs no key of its own; production must set one (Settings → Sign-in says so).
        digest = hashlib.sha256(b"momoflow sso secrets:" + secret_key.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode()
    try:
        keys_from(setting)
    except ValueError:
        raise ConfigurationError("SSO_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes), "
                                 "comma-separated") from None
    return setting


def _local_base_url(env):
    """``make run`` serves on HOST:PORT (127.0.0.1:5000 unless chosen); links in emails follow."""
    host, port = "127.0.0.1", "5000"
    if env == "development":
        host = os.environ.get("HOST") or host
        port = os.environ.get("PORT") or port
    if host in ("0.0.0.0", "::"):  # listening everywhere: this machine is still reachable as loopback
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def database_uri(url, instance):
    """SQLAlchemy URL for ``DATABASE_URL``; the common ``postgres://`` spelling means psycopg 3."""
    if not url:
        instance.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance / 'momoflow.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key(key, env, instance):
    if key and len(key) >= MIN_SECRET_KEY_LENGTH:
        return key
    if env == "production":
        raise ConfigurationError(
            "SECRET_KEY is missing or shorter than 32 characters: set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))') "
            "or set MOMOFLOW_ENV=development for a local run."
        )
    if key:
        return key
    return _local_secret(instance)


def _local_secret(instance):
    """A random key kept in the instance folder, so local sessions survive a restart."""
    path = instance / DEV_SECRET_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
