"""Conditions on a template form's values: data, read by our own small evaluator.

A condition is ``{"field": "amount", "op": ">", "value": 50000}``, or ``{"all": [...]}``,
``{"any": [...]}`` of them (nested at most ``MAX_DEPTH`` deep). Nothing is ever passed
to ``eval``: each operator is a function below, and each comparison is between values
already checked by the field's own type (numbers as decimals, dates as dates, text
without regard to case). An empty optional field fails every comparison except
``!=``, ``is empty`` and ``not in``.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from momoflow import fields
from momoflow.request_templates.form_fields import FieldType, decimal_value, number_json, number_text

MAX_DEPTH = 3
MAX_PARTS = 20
MAX_VALUES = 50

ORDERED = (">", ">=", "<", "<=")
OPERATORS = ("==", "!=", *ORDERED, "in", "not in", "is empty", "is not empty")
NEEDS_NO_VALUE = ("is empty", "is not empty")


@dataclass(frozen=True)
class Comparison:
    field: str
    op: str
    value: object  # a Decimal, a date, text, or a tuple of those for in / not in


@dataclass(frozen=True)
class Combination:
    join: str  # "all" or "any"
    parts: tuple


def parse_condition(value, path, field_defs, problems):
    """A Comparison or Combination, or None (absent, or wrong: problems say why)."""
    if value is None:
        return None
    counter = [0]
    return _parse(value, path, {definition.key: definition for definition in field_defs}, problems, 1, counter)


def _parse(value, path, by_key, problems, depth, counter):
    counter[0] += 1
    if counter[0] > MAX_PARTS:
        problems.add(path, f"A condition can have at most {MAX_PARTS} parts")
        return None
    if not isinstance(value, dict):
        problems.add(path, 'A condition must be {"field", "op", "value"} or {"all": [...]} / {"any": [...]}')
        return None
    joins = [join for join in ("all", "any") if join in value]
    if joins:
        return _combination(value, joins, path, by_key, problems, depth, counter)
    return _comparison(value, path, by_key, problems)


def _combination(value, joins, path, by_key, problems, depth, counter):
    join = joins[0]
    parts = value.get(join)
    if len(joins) > 1 or "field" in value:
        problems.add(path, "Use one of all, any or field in each condition")
        return None
    if depth >= MAX_DEPTH:
        problems.add(path, f"Conditions can be nested at most {MAX_DEPTH} deep")
        return None
    if not isinstance(parts, list) or not parts:
        problems.add(f"{path}.{join}", f"{join} must be a list of at least one condition")
        return None
    parsed = [_parse(part, f"{path}.{join}.{index}", by_key, problems, depth + 1, counter)
              for index, part in enumerate(parts)]
    return Combination(join, tuple(parsed)) if None not in parsed else None


def _comparison(value, path, by_key, problems):
    key = value.get("field")
    definition = by_key.get(key) if isinstance(key, str) else None
    if definition is None:
        problems.add(f"{path}.field", "field must be the key of one of the template's fields")
        return None
    if definition.type == FieldType.FILE:
        problems.add(f"{path}.field", "A condition cannot look at a file field")
        return None
    op = value.get("op")
    if op not in OPERATORS:
        problems.add(f"{path}.op", f"op must be one of {', '.join(OPERATORS)}")
        return None
    if op in ORDERED and not definition.type.is_ordered:
        problems.add(f"{path}.op", f"{op} compares numbers, amounts and dates; {definition.label} is not one")
        return None
    if op in NEEDS_NO_VALUE:
        return Comparison(key, op, None)
    if op in ("in", "not in"):
        raw = value.get("value")
        if not isinstance(raw, list) or not raw or len(raw) > MAX_VALUES:
            problems.add(f"{path}.value", f"{op} needs a list of 1 to {MAX_VALUES} values")
            return None
        items = [_operand(definition, item, f"{path}.value.{index}", problems) for index, item in enumerate(raw)]
        return Comparison(key, op, tuple(items)) if None not in items else None
    operand = _operand(definition, value.get("value"), f"{path}.value", problems)
    return Comparison(key, op, operand) if operand is not None else None


def _operand(definition, raw, path, problems):
    """``raw`` read as the field's type reads its values."""
    if definition.type.is_numeric:  # read as the field reads its values
        return decimal_value(raw, path, problems, f"value must be a number ({definition.label} is one)",
                             label="value")
    if definition.type == FieldType.DATE:
        try:
            if isinstance(raw, str) and len(raw) == 10:
                return date.fromisoformat(raw)
        except ValueError:
            pass
        problems.add(path, "value must be a date such as 2026-12-31")
        return None
    text = fields.text(raw, path, problems, label="value", max_length=200, required="value is required")
    if text is not None and definition.type == FieldType.CHOICE and text.casefold() not in {
            option.casefold() for option in definition.options}:
        problems.add(path, f"value must be one of {definition.label}'s options: {', '.join(definition.options)}")
        return None
    return text


# --- evaluating ---------------------------------------------------------------------


def holds(condition, values, field_defs):
    """Whether ``condition`` holds for the checked ``values`` (None: always)."""
    if condition is None:
        return True
    types = {definition.key: definition.type for definition in field_defs}
    return _holds(condition, values, types)


def _holds(condition, values, types):
    if isinstance(condition, Combination):
        results = (_holds(part, values, types) for part in condition.parts)
        return all(results) if condition.join == "all" else any(results)
    value = _typed(values.get(condition.field), types.get(condition.field))
    return _COMPARE[condition.op](value, condition.value)


def _typed(value, kind):
    if value is None or value == "":
        return None
    if kind is not None and kind.is_numeric:
        return Decimal(value)
    if kind == FieldType.DATE:
        return date.fromisoformat(value)
    return str(value).casefold()


def _same(left, right):
    return left is not None and left == (right.casefold() if isinstance(right, str) else right)


_COMPARE = {
    "==": _same,
    "!=": lambda left, right: not _same(left, right),
    ">": lambda left, right: left is not None and left > right,
    ">=": lambda left, right: left is not None and left >= right,
    "<": lambda left, right: left is not None and left < right,
    "<=": lambda left, right: left is not None and left <= right,
    "in": lambda left, right: any(_same(left, item) for item in right),
    "not in": lambda left, right: not any(_same(left, item) for item in right),
    "is empty": lambda left, right: left is None,
    "is not empty": lambda left, right: left is not None,
}


# --- showing ------------------------------------------------------------------------


def condition_json(condition):
    if condition is None:
        return None
    if isinstance(condition, Combination):
        return {condition.join: [condition_json(part) for part in condition.parts]}
    data = {"field": condition.field, "op": condition.op}
    if condition.op not in NEEDS_NO_VALUE:
        data["value"] = ([_operand_json(item) for item in condition.value] if isinstance(condition.value, tuple)
                         else _operand_json(condition.value))
    return data


def _operand_json(value):
    if isinstance(value, Decimal):
        return number_json(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def describe(condition, labels=None):
    """``Amount > 50,000``, ``Category == "IT" and Amount > 10,000``."""
    if condition is None:
        return ""
    labels = labels or {}
    if isinstance(condition, Combination):
        joined = f" {'and' if condition.join == 'all' else 'or'} ".join(
            f"({describe(part, labels)})" if isinstance(part, Combination) else describe(part, labels)
            for part in condition.parts)
        return joined
    name = labels.get(condition.field, condition.field)
    if condition.op in NEEDS_NO_VALUE:
        return f"{name} {condition.op}"
    if isinstance(condition.value, tuple):
        return f"{name} {condition.op} ({', '.join(_operand_text(item) for item in condition.value)})"
    return f"{name} {condition.op} {_operand_text(condition.value)}"


def _operand_text(value):
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return f'"{value}"'
