"""Percentiles on either database: PostgreSQL's ``percentile_cont``; SQLite has none, so its
values are read and interpolated here in the same way (between the closest ranks)."""

from collections import defaultdict

import sqlalchemy as sa

from momoflow.database import session_dialect
from momoflow.extensions import db


def grouped_percentiles(keys, value, conditions, joins=(), select_from=None, fractions=(0.5, 0.9)):
    """``{key tuple: [percentile per fraction]}`` of ``value`` per group of ``keys`` (no keys:
    one group, ``()``), over ``select_from`` joined with ``joins`` where ``conditions`` hold."""
    statement = sa.select(*keys).select_from(select_from) if select_from is not None else sa.select(*keys)
    for target, on in joins:
        statement = statement.join(target, on)
    statement = statement.where(*conditions)
    if session_dialect() == "postgresql":
        columns = [sa.func.percentile_cont(fraction).within_group(value) for fraction in fractions]
        statement = statement.add_columns(*columns)
        rows = db.session.execute(statement.group_by(*keys) if keys else statement).all()
        return {tuple(row[:len(keys)]): [float(number) for number in row[len(keys):]] for row in rows
                if row[len(keys)] is not None}
    values = defaultdict(list)
    for row in db.session.execute(statement.add_columns(value)):
        values[tuple(row[:len(keys)])].append(float(row[-1]))
    return {key: [interpolated(sorted(items), fraction) for fraction in fractions] for key, items in values.items()}


def interpolated(ordered, fraction):
    """Linear interpolation between the closest ranks, as percentile_cont does."""
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
