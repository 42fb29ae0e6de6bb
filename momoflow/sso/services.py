"""Configuring an organisation's identity provider, and deciding who signs in through it.
Callers own the transaction."""

import re

import sqlalchemy as sa
from flask import current_app, url_for

from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import Role, User
from momoflow.database import utcnow
from momoflow.errors import Conflict, DomainError, NotFound
from momoflow.extensions import db
from momoflow.fields import Problems, is_valid_text, text
from momoflow.sso import oidc, secrets
from momoflow.sso.models import SsoDomain, SsoIdentity, SsoProvider

MAX_DOMAINS = 20
MAX_MAPPINGS = 50
_DOMAIN = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+")
ROLE_RANK = {Role.EMPLOYEE: 0, Role.MANAGER: 1, Role.ADMIN: 2}

NOT_VERIFIED = "Your provider has not verified your email address, so MomoFlow cannot sign you in with it."
NO_EMAIL = "Your provider did not send an email address. Ask your administrator to add the email scope."
DOMAIN_NOT_ALLOWED = "{email} is not an address your organisation signs in with here."
DEACTIVATED = "Your MomoFlow account is deactivated. Ask your administrator if you need it back."
ELSEWHERE = "{email} belongs to another MomoFlow organisation."
LINKED_ELSEWHERE = ("{email} is already linked to another account at your provider. "
                    "Ask your administrator to check your account there.")
USE_PROVIDER = "Your organisation signs in with {name}. Use “Sign in with {name}”."


class SsoRefused(DomainError):
    """The provider vouched for someone MomoFlow will not sign in."""

    status = 403
    code = "forbidden"
    title = "Sign-in refused"


# --- finding a provider ---------------------------------------------------------------


def provider_of(organization_id):
    return db.session.scalar(sa.select(SsoProvider).where(SsoProvider.organization_id == organization_id))


def provider_for_email(email):
    """The enabled provider that answers for ``email``'s domain, or None."""
    email = normalize_email(email)
    if not email:
        return None
    return db.session.scalar(
        sa.select(SsoProvider).join(SsoDomain).where(SsoDomain.domain == email.rpartition("@")[2],
                                                     SsoProvider.enabled))


def _is_slug(text):
    # PostgreSQL cannot even compare text holding NUL; no slug is longer than its column.
    return isinstance(text, str) and 0 < len(text) <= 64 and "\x00" not in text and is_valid_text(text)


def provider_by_slug(slug):
    from momoflow.accounts.models import Organization

    provider = db.session.scalar(sa.select(SsoProvider).join(Organization)
                                 .where(Organization.slug == slug, SsoProvider.enabled)) if _is_slug(slug) else None
    if provider is None:
        raise NotFound("This organisation has no single sign-on set up.")
    return provider


def login_buttons(slug=None):
    """The providers ``/login`` offers buttons for: the organisation ``?org=`` names, else
    the only one when the whole installation has one (a company's own MomoFlow)."""
    from momoflow.accounts.models import Organization

    statement = sa.select(SsoProvider).join(Organization).where(SsoProvider.enabled)
    if slug:
        return db.session.scalars(statement.where(Organization.slug == slug)).all() if _is_slug(slug) else []
    providers = db.session.scalars(statement.limit(2)).all()
    return providers if len(providers) == 1 else []


def any_enabled():
    return db.session.scalar(sa.select(sa.exists().where(SsoProvider.enabled)))


def client_for(provider):
    return oidc.Client(provider.issuer, provider.client_id, secrets.decrypt(provider.client_secret_encrypted),
                       redirect_uri())


def redirect_uri():
    return url_for("sso.callback", _external=True)


# --- signing in -------------------------------------------------------------------------


def sign_in_with(provider, claims):
    """The person ``claims`` (a verified ID token's) names, linked, provisioned or updated;
    SsoRefused when they may not sign in. Sets ``last_login_at``."""
    email = normalize_email(claims.get("email")) if isinstance(claims.get("email"), str) else None
    if not _email_verified(claims):
        raise SsoRefused(NOT_VERIFIED if email else NO_EMAIL)
    identity = db.session.scalar(sa.select(SsoIdentity).where(SsoIdentity.provider_id == provider.id,
                                                              SsoIdentity.subject == claims["sub"]))
    if identity is not None:
        user = db.session.get(User, identity.user_id)
        _follow_email_change(user, email, provider)
        _require_allowed_domain(provider, user.email)  # a domain the admin took off the list
    else:
        if not email:
            raise SsoRefused(NO_EMAIL)
        _require_allowed_domain(provider, email)
        user = _person_for(provider, email, claims)
        identity = SsoIdentity(provider_id=provider.id, subject=claims["sub"], user_id=user.id)
        db.session.add(identity)
    if not user.active:
        raise SsoRefused(DEACTIVATED)
    _apply_roles(provider, user, claims)
    identity.last_sign_in_at = user.last_login_at = utcnow()
    db.session.flush()
    return user


def _email_verified(claims):
    """``email_verified`` (some providers send it as text). Entra ID sends none: its optional
    ``xms_edov`` claim says the email's domain is verified by the tenant that owns it."""
    return claims.get("email_verified") in (True, "true") or claims.get("xms_edov") in (True, "true", "1", 1)


def _is_allowed(provider, email):
    return email.rpartition("@")[2] in {domain.domain for domain in provider.domains}


def _require_allowed_domain(provider, email):
    if not _is_allowed(provider, email):
        raise SsoRefused(DOMAIN_NOT_ALLOWED.format(email=email))


def _person_for(provider, email, claims):
    """Their record in the provider's organisation: found by email, else made now
    (just-in-time, as a directory sign-in does)."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, organization_id=provider.organization_id, display_name=_name(claims, email))
        db.session.add(user)
        db.session.flush()
        return user
    if user.organization_id != provider.organization_id:
        raise SsoRefused(ELSEWHERE.format(email=email))
    if db.session.scalar(sa.select(sa.exists().where(SsoIdentity.provider_id == provider.id,
                                                     SsoIdentity.user_id == user.id))):
        raise SsoRefused(LINKED_ELSEWHERE.format(email=email))
    return user


def _follow_email_change(user, email, provider):
    """The provider's id wins: a person whose address changed there keeps their record and
    gets the new address, when it is allowed and nobody else here has it."""
    if not email or email == user.email:
        return
    if not _is_allowed(provider, email):
        return
    if db.session.scalar(sa.select(sa.exists().where(User.email == email))):
        return
    user.email = email


def _name(claims, email):
    name = claims.get("name")
    if isinstance(name, str) and is_valid_text(name) and name.strip() and "\x00" not in name:
        return name.strip()[:200]
    return email.partition("@")[0]


def _apply_roles(provider, user, claims):
    """With a mapping set, the provider's groups decide the role: the highest one mapped,
    else employee. The organisation's last active admin is never demoted by it, so a
    mapping mistake cannot lock everyone out of Settings."""
    mapping = parse_role_mapping(provider.role_mapping)
    if not mapping:
        return
    groups = claims.get(provider.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    mapped = [mapping[group] for group in groups if isinstance(group, str) and group in mapping]
    role = max(mapped, key=ROLE_RANK.get, default=Role.EMPLOYEE)
    if role == user.role:
        return
    if user.role == Role.ADMIN:
        from momoflow.accounts.admin import is_last_active_admin

        if is_last_active_admin(user):
            return
    user.role = role


def password_refusal(user):
    """Why ``user`` may not sign in with a password (their organisation signs in through
    its provider only), or None. Admins with a password always may: the break-glass way
    in when the provider is down or misconfigured."""
    if user.role == Role.ADMIN:
        return None
    provider = provider_of(user.organization_id)
    if provider is None or not provider.enabled or provider.password_sign_in:
        return None
    return USE_PROVIDER.format(name=provider.name)


# --- configuring ------------------------------------------------------------------------


def parse_role_mapping(raw):
    """``{group: Role}`` from "group = role" lines (the last "=" splits: group names may hold one)."""
    mapping = {}
    for line in (raw or "").splitlines():
        group, _, role = line.rpartition("=")
        if group.strip() and role.strip() in Role.__members__.values():
            mapping[group.strip()] = Role(role.strip())
    return mapping


def configure(organization, values):
    """Create or replace ``organization``'s provider from the form's ``values``; the issuer's
    discovery document is fetched, so a typo is refused here rather than at sign-in."""
    provider = provider_of(organization.id)
    problems = Problems()
    name = text(values.get("name"), "name", problems, label="Name", max_length=60, required="Name is required")
    issuer = text(values.get("issuer"), "issuer", problems, label="Issuer URL", max_length=500,
                  required="Issuer URL is required")
    client_id = text(values.get("client_id"), "client_id", problems, label="Client ID", max_length=255,
                     required="Client ID is required")
    secret = text(values.get("client_secret"), "client_secret", problems, label="Client secret", max_length=2000,
                  required=None if provider else "Client secret is required")
    groups_claim = text(values.get("groups_claim"), "groups_claim", problems, label="Groups claim",
                        max_length=100) or "groups"
    domains = _domains(values.get("domains"), problems)
    mapping = _role_mapping(values.get("role_mapping"), problems)
    if issuer and not _is_http_url(issuer):
        problems.add("issuer", "Issuer URL must start with https://")
    problems.raise_if_any()
    if not secrets.is_configured():
        raise Conflict(secrets.NO_KEY)
    _claimable(domains, provider)
    try:
        oidc.discover(issuer, fresh=True)
    except oidc.ProviderError as error:
        problems.add("issuer", f"Cannot use this issuer: {error.message}")
        problems.raise_if_any()
    if provider is None:
        provider = SsoProvider(organization_id=organization.id)
        db.session.add(provider)
    elif provider.issuer != issuer:
        # Another issuer's subjects are other people: links to the old one's mean nothing now.
        db.session.execute(sa.delete(SsoIdentity).where(SsoIdentity.provider_id == provider.id))
    provider.name, provider.issuer, provider.client_id = name, issuer, client_id
    if secret:
        provider.client_secret_encrypted = secrets.encrypt(secret)
    provider.groups_claim = groups_claim
    provider.role_mapping = "\n".join(f"{group} = {role}" for group, role in mapping.items())
    provider.password_sign_in = bool(values.get("password_sign_in"))
    provider.enabled = bool(values.get("enabled"))
    provider.domains = [_domain_row(provider, domain) for domain in domains]
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:  # another organisation claimed one of them a moment ago
        problems.add("domains", "One of these domains was just claimed by another organisation's provider")
        problems.raise_if_any()
    return provider


def remove(organization):
    provider = provider_of(organization.id)
    if provider is None:
        raise NotFound("Single sign-on is not set up.")
    db.session.delete(provider)
    db.session.flush()


def _is_http_url(url):
    secure = url.startswith("https://")
    return secure or (url.startswith("http://") and current_app.config["SSO_ALLOW_LOOPBACK"])


def _domains(raw, problems):
    if raw is not None and not (isinstance(raw, str) and is_valid_text(raw)):
        problems.add("domains", "Email domains must be text")
        return []
    domains = []
    for entry in re.split(r"[\s,]+", (raw or "").strip().lower()):
        entry = entry.removeprefix("@")
        if not entry:
            continue
        if not _DOMAIN.fullmatch(entry):
            problems.add("domains", f"{entry[:100]} is not an email domain (like example.com)")
            return []
        if entry not in domains:
            domains.append(entry)
    if not domains:
        problems.add("domains", "Name at least one email domain, like example.com")
    elif len(domains) > MAX_DOMAINS:
        problems.add("domains", f"At most {MAX_DOMAINS} email domains")
    return domains


def _role_mapping(raw, problems):
    if raw is not None and not (isinstance(raw, str) and is_valid_text(raw)):
        problems.add("role_mapping", "Role mapping must be text")
        return {}
    lines = [line for line in (raw or "").splitlines() if line.strip()]
    if len(lines) > MAX_MAPPINGS:
        problems.add("role_mapping", f"At most {MAX_MAPPINGS} lines")
        return {}
    for number, line in enumerate(lines, 1):
        group, equals, role = line.rpartition("=")
        if not equals or not group.strip() or len(group.strip()) > 255 or "\x00" in line:
            problems.add("role_mapping", f"Line {number}: write “group = role”")
            return {}
        if role.strip() not in Role.__members__.values():
            problems.add("role_mapping", f"Line {number}: the role must be employee, manager or admin")
            return {}
    return parse_role_mapping("\n".join(lines))


def _claimable(domains, provider):
    """Each domain belongs to one organisation: refuse one another organisation claimed."""
    taken = db.session.scalars(sa.select(SsoDomain.domain).where(
        SsoDomain.domain.in_(domains),
        SsoDomain.provider_id != provider.id if provider else sa.true())).all()
    if taken:
        problems = Problems()
        problems.add("domains", f"{', '.join(sorted(taken))} already signs in through another organisation's provider")
        problems.raise_if_any()


def _domain_row(provider, domain):
    existing = next((row for row in provider.domains if row.domain == domain), None)
    return existing or SsoDomain(domain=domain)

