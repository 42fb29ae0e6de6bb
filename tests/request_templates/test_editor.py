"""The template editor's translation: form values <-> definition JSON, row actions, keys
suggested from labels, and where each problem path shows. No database needed."""

import json

import pytest
from werkzeug.datastructures import MultiDict

from momoflow.errors import ValidationFailed
from momoflow.request_templates import editor
from momoflow.request_templates.definition import parse_definition
from tests.request_templates.conftest import purchase_request_definition


def hiring_definition():
    return {
        "name": "New hire", "description": "", "category": "People", "instructions": "",
        "defaultPriority": "EXPRESS", "defaultSpectators": [{"email": "hr@royalenfield.com"}], "whenNoApprover": "SKIP",
        "fields": [
            {"key": "hire", "label": "Hire", "type": "PERSON", "required": True, "help": "Who joins"},
            {"key": "team", "label": "Team", "type": "CHOICE", "required": False, "help": None,
             "options": ["Sales", "Support"]},
            {"key": "salary", "label": "Salary", "type": "NUMBER", "required": False, "help": None, "min": 1.5,
             "max": 900000},
        ],
        "levels": [
            {"levelName": "Hiring manager", "tatHours": 24, "approvalMode": "ANY", "minApprovals": 1,
             "rejectionPolicy": "VETO", "onBreach": "NOTIFY",
             "approverRule": {"type": "FIELD_MANAGER", "field": "hire", "levelsUp": 2}, "condition": None},
            {"levelName": "HR", "tatHours": 8.5, "approvalMode": "QUORUM", "minApprovals": 2,
             "rejectionPolicy": "UNREACHABLE", "onBreach": "ESCALATE",
             "approverRule": {"type": "GROUP", "group": "hr-leads"},
             "condition": {"any": [{"field": "team", "op": "in", "value": ["Sales", "Support"]},
                                   {"field": "salary", "op": "is not empty"}]}},
        ],
        "onApproval": [{"flowId": "flow_1", "assignTo": {"field": "hire"}, "dueInDays": 5},
                       {"flowId": "flow_2", "assignTo": "REQUESTER", "dueInDays": 0}],
    }


def as_form(values):
    """``values`` posted as the page's inputs name them."""
    form = MultiDict({name: values[name] for name in ("name", "category", "description", "instructions",
                                                      "default_priority", "spectators", "when_no_approver")})
    for name in ("fields", "levels", "flows"):
        form[f"{name}.count"] = str(len(values[name]))
        for index, row in enumerate(values[name]):
            for key, value in row.items():
                if key == "conditions":
                    form[f"{name}.{index}.conditions.count"] = str(len(value))
                    for number, part in enumerate(value):
                        for part_key, text in part.items():
                            form[f"{name}.{index}.conditions.{number}.{part_key}"] = text
                elif key == "kept_condition":
                    if value:
                        form[f"{name}.{index}.condition"] = value
                elif key == "required":
                    if value:
                        form[f"{name}.{index}.required"] = "1"
                else:
                    form[f"{name}.{index}.{key}"] = value
    return form


@pytest.mark.parametrize("definition", [purchase_request_definition(), hiring_definition()])
def test_a_definition_comes_back_unchanged_through_the_form(definition):
    values = editor.values_from_form(as_form(editor.values_from_definition(definition)))
    assert parse_definition(editor.definition_json(values)).as_json() == parse_definition(definition).as_json()


def test_the_form_shows_a_definition_as_text():
    values = editor.values_from_definition(hiring_definition())
    assert values["spectators"] == "hr@royalenfield.com" and values["fields"][1]["options"] == "Sales\nSupport"
    assert (values["fields"][2]["min"], values["fields"][2]["max"]) == ("1.5", "900000")
    level = values["levels"][1]
    assert (level["join"], level["rule_type"], level["group"], level["tat"], level["min"]) == (
        "any", "GROUP", "hr-leads", "8.5", "2")
    assert level["conditions"] == [{"field": "team", "op": "in", "value": "Sales, Support"},
                                   {"field": "salary", "op": "is not empty", "value": ""}]
    assert values["flows"][0]["assign_to"] == "hire" and values["flows"][1]["assign_to"] == "REQUESTER"


def test_a_condition_too_deep_for_rows_is_kept_whole_and_described():
    definition = purchase_request_definition()
    deep = {"any": [{"field": "amount", "op": ">=", "value": 5}, {"all": [{"field": "item", "op": "is empty"}]}]}
    definition["levels"][1]["condition"] = deep
    values = editor.values_from_definition(definition)
    level = values["levels"][1]
    assert json.loads(level["kept_condition"]) == deep and level["conditions"] == []
    assert editor.kept_condition_text(values, level) == "Amount >= 5 or (Item is empty)"
    assert editor.definition_json(values)["levels"][1]["condition"] == deep
    for hostile in ("{not json", "[" * 19_000 + "]" * 19_000, '{"all": ' * 3000 + "1" + "}" * 3000):
        level["kept_condition"] = hostile
        assert editor.kept_condition_text(values, level) == hostile  # shown as it came
        with pytest.raises(ValidationFailed) as refused:
            parse_definition(editor.definition_json(values))
        assert refused.value.problems[0][0] == "levels.1.condition"


def test_keys_are_suggested_from_labels_and_never_repeat():
    rows = [{**editor.blank_field(), "label": label, "key": key} for label, key in [
        ("Cost centre", ""), ("Cost centre", ""), ("2nd approver?", ""), ("Ünïcode", ""), ("Kept", "mine"),
        ("", "")]]
    editor.suggest_keys(rows)
    assert [row["key"] for row in rows] == ["cost_centre", "cost_centre_2", "f_2nd_approver", "n_code", "mine", ""]


def test_row_actions_add_remove_and_move():
    values = editor.blank_values()
    assert editor.apply_action(values, "add-field") and editor.apply_action(values, "add-field")
    values["fields"][0]["label"], values["fields"][1]["label"] = "A", "B"
    assert editor.apply_action(values, "down-field-0")
    assert [row["label"] for row in values["fields"]] == ["B", "A"]
    assert editor.apply_action(values, "up-field-0")  # already first: nothing moves, nothing refused
    assert editor.apply_action(values, "add-condition-0") and len(values["levels"][0]["conditions"]) == 1
    assert editor.apply_action(values, "remove-condition-0-0") and values["levels"][0]["conditions"] == []
    assert editor.apply_action(values, "remove-level-0") and values["levels"] == []
    for wrong in ("remove-field-7", "add-condition-3", "explode", "remove-field", "add-field-1", "up-flow-0",
                  "replace-condition-0", "remove-condition-0"):
        assert not editor.apply_action(values, wrong), wrong


def test_rows_stop_at_the_most_a_definition_takes():
    values = editor.blank_values()
    for _ in range(40):
        editor.apply_action(values, "add-field")
    assert len(values["fields"]) == 30


def test_a_hostile_post_stays_text_and_bounded():
    form = MultiDict({"fields.count": "99999999999999999999", "levels.count": "-1", "flows.count": "2",
                      "flows.0.due": "x" * 50_000, "name": "N"})
    values = editor.values_from_form(form)
    assert len(values["fields"]) == 0 and values["levels"] == [] and len(values["flows"]) == 2
    assert len(values["flows"][0]["due"]) == editor.MAX_TEXT
    with pytest.raises(ValidationFailed):
        parse_definition(editor.definition_json(values))


@pytest.mark.parametrize("path, key", [
    ("name", "name"), ("defaultSpectators.2.email", "spectators"), ("whenNoApprover", "when_no_approver"),
    ("fields", "fields"), ("fields.1", "fields.1"), ("fields.1.key", "fields.1.key"),
    ("fields.0.options.3", "fields.0.options"), ("levels", "levels"), ("levels.0.levelName", "levels.0.name"),
    ("levels.0.tatHours", "levels.0.tat"), ("levels.0.minApprovals", "levels.0.min"),
    ("levels.0.approverRule", "levels.0.rule_type"), ("levels.0.approverRule.emails.1", "levels.0.emails"),
    ("levels.0.approverRule.group", "levels.0.group"), ("levels.0.approverRule.field", "levels.0.person_field"),
    ("levels.0.approverRule.levelsUp", "levels.0.levels_up"),
    ("levels.0.condition.value", "levels.0.conditions.0.value"),
    ("levels.0.condition.all.1.field", "levels.0.conditions.1.field"),
    ("levels.0.condition.any.0.value.2", "levels.0.conditions.0.value"),
    ("levels.0.condition", "levels.0.conditions"), ("levels.0.condition.all", "levels.0.conditions"),
    ("levels.1.condition.any.0.all.0.field", "levels.1.condition"),
    ("onApproval", "flows"), ("onApproval.0.flowId", "flows.0.flow"), ("onApproval.0.assignTo", "flows.0.assign_to"),
    ("onApproval.0.dueInDays", "flows.0.due"), ("nonsense", None), ("levels.x", "levels"),
])
def test_each_problem_path_has_its_input(path, key):
    values = editor.blank_values()
    values["levels"].append({**editor.blank_level(), "kept_condition": '{"any": []}'})
    assert editor.error_key(path, values) == key


def test_person_and_condition_fields_offered():
    values = editor.values_from_definition(hiring_definition())
    values["fields"].append({**editor.blank_field(), "key": "cv", "label": "CV", "type": "FILE"})
    assert editor.person_fields(values) == [("hire", "Hire")]
    assert [key for key, _ in editor.condition_fields(values)] == ["hire", "team", "salary"]
