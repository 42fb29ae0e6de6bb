"""What the analytics pages' filter bars share: days typed as ``YYYY-MM-DD`` and the list of
departments (flow analytics and approval analytics filter the same way)."""

from datetime import datetime

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.extensions import db


def parse_day(text):
    """The date ``text`` names (``2024-10-31``), or None for anything else."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date() if len(text) == 10 else None
    except ValueError:
        return None


class QueryArgs:
    """For a filters dataclass: its fields as a query string's arguments (links keep them;
    blanks left out)."""

    def query_args(self):
        return {name: value for name, value in vars(self).items() if value}


def people_of_department(organization_id, department):
    """The ids of the organisation's people in ``department``: a subquery to filter by."""
    return sa.select(User.id).where(User.organization_id == organization_id, User.department == department)


def department_choices(organization_id):
    """``[(value, label)]`` of the departments the organisation's people are in, by name."""
    names = db.session.scalars(sa.select(User.department).distinct().order_by(User.department).where(
        User.organization_id == organization_id, User.department.is_not(None)))
    return [(name, name) for name in names]


def choices(enum):
    """``[(value, label)]`` for a filter's list of an enum's members."""
    return [(member.value, member.value.replace("_", " ").capitalize()) for member in enum]
