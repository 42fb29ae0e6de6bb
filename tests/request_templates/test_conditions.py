"""Conditions are data, checked when the template is saved and evaluated by our own code."""

from decimal import Decimal

import pytest

from momoflow.fields import Problems
from momoflow.request_templates import conditions
from momoflow.request_templates.form_fields import FieldDef, FieldType

DEFS = [FieldDef("amount", "Amount", FieldType.AMOUNT, currency="USD"),
        FieldDef("category", "Category", FieldType.CHOICE, options=("IT", "Travel", "Office")),
        FieldDef("start", "Start date", FieldType.DATE),
        FieldDef("note", "Note", FieldType.SHORT_TEXT),
        FieldDef("contract", "Contract", FieldType.FILE)]


def parse(value):
    problems = Problems()
    condition = conditions.parse_condition(value, "condition", DEFS, problems)
    return condition, problems


@pytest.mark.parametrize("condition, values, expected", [
    ({"field": "amount", "op": ">", "value": 50000}, {"amount": "50000.01"}, True),
    ({"field": "amount", "op": ">", "value": 50000}, {"amount": "50000"}, False),
    ({"field": "amount", "op": ">=", "value": "50000"}, {"amount": "50000"}, True),
    ({"field": "amount", "op": "<", "value": 10}, {}, False),  # empty fails a comparison
    ({"field": "category", "op": "==", "value": "IT"}, {"category": "IT"}, True),
    ({"field": "category", "op": "==", "value": "it"}, {"category": "IT"}, True),
    ({"field": "category", "op": "!=", "value": "IT"}, {}, True),
    ({"field": "category", "op": "in", "value": ["IT", "Office"]}, {"category": "Office"}, True),
    ({"field": "category", "op": "not in", "value": ["IT", "Office"]}, {"category": "Office"}, False),
    ({"field": "start", "op": "<", "value": "2027-01-01"}, {"start": "2026-12-31"}, True),
    ({"field": "note", "op": "is empty"}, {}, True),
    ({"field": "note", "op": "is not empty"}, {"note": "x"}, True),
    ({"all": [{"field": "amount", "op": ">", "value": 10000}, {"field": "category", "op": "==", "value": "IT"}]},
     {"amount": "20000", "category": "Travel"}, False),
    ({"any": [{"field": "amount", "op": ">", "value": 10000}, {"field": "category", "op": "==", "value": "IT"}]},
     {"amount": "20000", "category": "Travel"}, True),
    ({"all": [{"any": [{"field": "category", "op": "==", "value": "IT"},
                       {"field": "category", "op": "==", "value": "Office"}]},
              {"field": "amount", "op": ">", "value": 100}]}, {"amount": "101", "category": "Office"}, True),
])
def test_conditions_evaluate(condition, values, expected):
    parsed, problems = parse(condition)
    assert not problems
    assert conditions.holds(parsed, values, DEFS) is expected


@pytest.mark.parametrize("condition, path, message", [
    ({"field": "colour", "op": "==", "value": "red"}, "condition.field",
     "field must be the key of one of the template's fields"),
    ({"field": "note", "op": ">", "value": "a"}, "condition.op",
     "> compares numbers, amounts and dates; Note is not one"),
    ({"field": "amount", "op": "=~", "value": 1}, "condition.op", None),
    ({"field": "amount", "op": ">", "value": "lots"}, "condition.value", "value must be a number (Amount is one)"),
    ({"field": "amount", "op": ">", "value": "9" * 5000}, "condition.value", "value must be a number (Amount is one)"),
    ({"field": "category", "op": "==", "value": "Food"}, "condition.value", None),
    ({"field": "start", "op": "<", "value": "soon"}, "condition.value", "value must be a date such as 2026-12-31"),
    ({"field": "contract", "op": "is empty"}, "condition.field", "A condition cannot look at a file field"),
    ({"all": []}, "condition.all", "all must be a list of at least one condition"),
    ({"all": [{"any": [{"all": [{"field": "amount", "op": ">", "value": 1}]}]}]}, "condition.all.0.any.0",
     "Conditions can be nested at most 3 deep"),
    ({"all": [{"field": "amount", "op": ">", "value": 1}], "field": "amount"}, "condition",
     "Use one of all, any or field in each condition"),
    ("amount > 5", "condition", None),
])
def test_bad_conditions_are_refused_when_the_template_is_saved(condition, path, message):
    parsed, problems = parse(condition)
    assert parsed is None
    assert path in [where for where, _ in problems], problems
    if message:
        assert (path, message) in problems


def test_a_condition_is_never_evaluated_as_code():
    parsed, problems = parse({"field": "note", "op": "==", "value": "__import__('os').system('x')"})
    assert not problems
    assert conditions.holds(parsed, {"note": "hello"}, DEFS) is False


def test_conditions_read_in_words():
    parsed, _ = parse({"all": [{"field": "amount", "op": ">", "value": 50000},
                               {"field": "category", "op": "in", "value": ["IT", "Office"]}]})
    assert conditions.describe(parsed, {"amount": "Amount", "category": "Category"}) == \
        'Amount > 50,000 and Category in ("IT", "Office")'
    assert conditions.condition_json(parsed)["all"][0] == {"field": "amount", "op": ">", "value": 50000}
    assert parsed.parts[0].value == Decimal(50000)
