"""Small functions that build test data; each flushes so ids exist, none commits."""

import itertools

from momoflow.accounts.models import Organization, Role, Source, Tier, User
from momoflow.accounts.passwords import hash_password
from momoflow.extensions import db

_numbers = itertools.count(1)


def make_org(slug=None, name=None, tier=Tier.STANDARD):
    number = next(_numbers)
    organization = Organization(slug=slug or f"org-{number}", name=name or f"Org {number}", tier=tier)
    db.session.add(organization)
    db.session.flush()
    return organization


def make_user(organization=None, email=None, password=None, role=Role.EMPLOYEE, **fields):
    number = next(_numbers)
    fields.setdefault("display_name", f"Person {number}")
    user = User(
        organization=organization or make_org(),
        email=(email or f"person{number}@example.com").lower(),
        password_hash=hash_password(password) if password else None,
        role=role,
        source=fields.pop("source", Source.LOCAL),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user
