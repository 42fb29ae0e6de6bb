"""Settings → Templates' editor: the page's form <-> a template definition's JSON.

The form's values are plain text, as typed (``blank_values``, ``values_from_form``,
``values_from_definition``); ``definition_json`` turns them into the JSON that
``definition.parse_definition`` checks, so the page and the API share every rule and
message, and ``error_key`` places each problem path (``levels.1.approverRule.group``)
on the input it belongs to. Input names are those keys (``levels.1.group``), so a
re-rendered form needs no other bookkeeping. Rows are added, removed and moved by
``apply_action`` (the page's submit buttons), which keeps whatever was typed.
"""

import json
import re

from momoflow import fields
from momoflow.fields import Problems
from momoflow.request_templates import conditions
from momoflow.request_templates.definition import MAX_ON_APPROVAL, REQUESTER
from momoflow.request_templates.form_fields import MAX_FIELDS, FieldDef, FieldType
from momoflow.workflows import rules

EDITABLE_DEPTH = 2  # a list of comparisons joined by all / any: deeper ones are kept, read-only
MAX_TEXT = 20_000  # what a hostile post can make us split into lines


def blank_field():
    return {"key": "", "label": "", "type": "SHORT_TEXT", "required": False, "help": "", "min": "", "max": "",
            "currency": "", "options": ""}


def blank_level():
    return {"name": "", "tat": "24", "mode": "ANY", "min": "2", "policy": "VETO", "breach": "NOTIFY",
            "rule_type": "MANAGER", "emails": "", "levels_up": "1", "person_field": "", "group": "",
            "join": "all", "conditions": [], "kept_condition": ""}


def blank_condition():
    return {"field": "", "op": "==", "value": ""}


def blank_flow():
    return {"flow": "", "assign_to": REQUESTER, "due": "14"}


def blank_values():
    return {"name": "", "category": "", "description": "", "instructions": "", "default_priority": "STANDARD",
            "spectators": "", "when_no_approver": "FAIL", "fields": [], "levels": [blank_level()], "flows": []}


ROWS = {"field": ("fields", blank_field, MAX_FIELDS), "level": ("levels", blank_level, rules.MAX_LEVELS),
        "flow": ("flows", blank_flow, MAX_ON_APPROVAL)}


# --- reading the posted form ----------------------------------------------------------


def values_from_form(form):
    """The editor's values as posted (any shape a hostile client sends stays text)."""
    def get(name, default=""):
        value = form.get(name, default)
        return value[:MAX_TEXT] if isinstance(value, str) else default

    values = {name: get(name, blank_values()[name]) for name in
              ("name", "category", "description", "instructions", "default_priority", "spectators",
               "when_no_approver")}
    values["fields"] = [_field_from_form(get, f"fields.{index}") for index in range(_count(form, "fields", MAX_FIELDS))]
    values["levels"] = [_level_from_form(get, form, f"levels.{index}")
                        for index in range(_count(form, "levels", rules.MAX_LEVELS))]
    values["flows"] = [{name: get(f"flows.{index}.{name}", default) for name, default in blank_flow().items()}
                       for index in range(_count(form, "flows", MAX_ON_APPROVAL))]
    suggest_keys(values["fields"])
    return values


def _count(form, name, most):
    count = fields.form_whole_number(form.get(f"{name}.count", "0"))
    return min(count, most) if isinstance(count, int) else 0


def _field_from_form(get, prefix):
    row = {name: get(f"{prefix}.{name}") for name in blank_field() if name != "required"}
    row["type"] = row["type"] or "SHORT_TEXT"
    row["required"] = bool(get(f"{prefix}.required"))
    return row


def _level_from_form(get, form, prefix):
    row = {name: get(f"{prefix}.{name}", default) for name, default in blank_level().items()
           if name not in ("conditions", "kept_condition")}
    row["kept_condition"] = get(f"{prefix}.condition")
    row["conditions"] = [{name: get(f"{prefix}.conditions.{index}.{name}") for name in blank_condition()}
                         for index in range(_count(form, f"{prefix}.conditions", conditions.MAX_PARTS))]
    return row


def suggest_keys(field_rows):
    """Give each field left without a key one made from its label (``Cost centre`` ->
    ``cost_centre``), unlike the other fields' keys."""
    taken = {row["key"].strip() for row in field_rows}
    for row in field_rows:
        if row["key"].strip() or not row["label"].strip():
            continue
        base = re.sub(r"[^a-z0-9]+", "_", row["label"].casefold()).strip("_")[:36] or "field"
        base = base if base[0].isalpha() else f"f_{base}"[:36]
        key, number = base, 2
        while key in taken:
            key, number = f"{base}_{number}", number + 1
        row["key"] = key
        taken.add(key)


# --- rows: add, remove, move ----------------------------------------------------------

ACTION = re.compile(r"^(add|remove|up|down)-(field|level|flow|condition)((?:-\d{1,3}){0,2})$")
REPLACE_CONDITION = re.compile(r"^replace-condition-(\d{1,3})$")


def apply_action(values, action):
    """``values`` after one of the page's row buttons (``add-level``, ``remove-field-2``,
    ``up-flow-1``, ``add-condition-0``, ``remove-condition-0-1``,
    ``replace-condition-0``); False for an action the page never sends."""
    replace = REPLACE_CONDITION.match(action)
    if replace:
        level = _row(values["levels"], int(replace.group(1)))
        if level is None:
            return False
        level["kept_condition"], level["conditions"] = "", [blank_condition()]
        return True
    match = ACTION.match(action)
    if not match:
        return False
    verb, noun, numbers = match.group(1), match.group(2), [int(n) for n in match.group(3).split("-")[1:]]
    if noun == "condition":
        level = _row(values["levels"], numbers.pop(0)) if numbers else None
        if level is None:
            return False
        return _change_rows(level["conditions"], verb, numbers, blank_condition, conditions.MAX_PARTS)
    name, blank, most = ROWS[noun]
    return _change_rows(values[name], verb, numbers, blank, most)


def _row(rows, index):
    return rows[index] if 0 <= index < len(rows) else None


def _change_rows(rows, verb, numbers, blank, most):
    if verb == "add":
        if numbers or len(rows) >= most:
            return not numbers
        rows.append(blank())
        return True
    if len(numbers) != 1 or _row(rows, numbers[0]) is None:
        return False
    index = numbers[0]
    if verb == "remove":
        rows.pop(index)
    else:
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
    return True


# --- a stored definition, as the form shows it ----------------------------------------


def values_from_definition(data):
    """The form's values for a stored definition (the API's JSON)."""
    return {
        "name": data.get("name") or "", "category": data.get("category") or "",
        "description": data.get("description") or "", "instructions": data.get("instructions") or "",
        "default_priority": data.get("defaultPriority") or "STANDARD",
        "spectators": "\n".join(item["email"] for item in data.get("defaultSpectators") or []),
        "when_no_approver": data.get("whenNoApprover") or "FAIL",
        "fields": [_field_values(item) for item in data.get("fields") or []],
        "levels": [_level_values(item) for item in data.get("levels") or []],
        "flows": [{"flow": item["flowId"], "due": str(item.get("dueInDays", 14)),
                   "assign_to": item["assignTo"]["field"] if isinstance(item.get("assignTo"), dict) else REQUESTER}
                  for item in data.get("onApproval") or []],
    }


def _text(value):
    return "" if value is None else str(value)


def _field_values(item):
    return {"key": item["key"], "label": item["label"], "type": item["type"], "required": bool(item.get("required")),
            "help": _text(item.get("help")), "min": _text(item.get("min")), "max": _text(item.get("max")),
            "currency": _text(item.get("currency")), "options": "\n".join(item.get("options") or [])}


def _level_values(item):
    rule = item.get("approverRule") or {}
    row = {**blank_level(), "name": item.get("levelName") or "", "tat": _text(item.get("tatHours")),
           "mode": item.get("approvalMode") or "ANY", "min": _text(item.get("minApprovals") or 2),
           "policy": item.get("rejectionPolicy") or "VETO", "breach": item.get("onBreach") or "NOTIFY",
           "rule_type": rule.get("type") or "MANAGER", "emails": "\n".join(rule.get("emails") or []),
           "levels_up": _text(rule.get("levelsUp") or 1), "person_field": rule.get("field") or "",
           "group": rule.get("group") or ""}
    condition = item.get("condition")
    parts = _editable_parts(condition)
    if parts is None:
        row["kept_condition"] = json.dumps(condition)
    else:
        row["join"] = next((join for join in ("all", "any") if join in (condition or {})), "all")
        row["conditions"] = [{"field": part["field"], "op": part["op"], "value": _operand_text(part.get("value"))}
                             for part in parts]
    return row


def _editable_parts(condition):
    """The comparisons of a condition the editor shows as rows, or None if it is deeper."""
    if condition is None:
        return []
    if "field" in condition:
        return [condition]
    parts = condition.get("all", condition.get("any")) or []
    return parts if all("field" in part for part in parts) else None


def _operand_text(value):
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return _text(value)


# --- the form, as a definition --------------------------------------------------------


def definition_json(values):
    """The API's JSON for the form's values: what ``create_template``/``update_template`` take."""
    return {
        "name": values["name"], "category": values["category"], "description": values["description"],
        "instructions": values["instructions"], "defaultPriority": values["default_priority"],
        "defaultSpectators": [{"email": email} for email in lines(values["spectators"])],
        "whenNoApprover": values["when_no_approver"],
        "fields": [_field_json(row) for row in values["fields"]],
        "levels": [_level_json(row) for row in values["levels"]],
        "onApproval": [{"flowId": row["flow"], "dueInDays": fields.form_whole_number(row["due"]),
                        "assignTo": REQUESTER if row["assign_to"] in ("", REQUESTER) else {"field": row["assign_to"]}}
                       for row in values["flows"]],
    }


def lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def _field_json(row):
    return {"key": row["key"], "label": row["label"], "type": row["type"], "required": row["required"],
            "help": row["help"] or None, "min": row["min"].strip() or None, "max": row["max"].strip() or None,
            "currency": row["currency"].strip() or None, "options": lines(row["options"])}


def _level_json(row):
    return {"levelName": row["name"], "tatHours": fields.form_number(row["tat"]), "approvalMode": row["mode"],
            "minApprovals": fields.form_whole_number(row["min"]), "rejectionPolicy": row["policy"],
            "onBreach": row["breach"], "approverRule": _rule_json(row), "condition": _condition_json(row)}


def _rule_json(row):
    kind = row["rule_type"]
    if kind == "PEOPLE":
        return {"type": kind, "emails": lines(row["emails"])}
    if kind == "GROUP":
        return {"type": kind, "group": row["group"]}
    levels_up = fields.form_whole_number(row["levels_up"]) if row["levels_up"].strip() else 1
    if kind == "FIELD_MANAGER":
        return {"type": kind, "field": row["person_field"], "levelsUp": levels_up}
    return {"type": kind, "levelsUp": levels_up}


def _condition_json(row):
    if row["kept_condition"]:
        try:
            return fields.json_document(row["kept_condition"])
        except fields.NotJson:
            return row["kept_condition"]  # refused by the parser, in its words
    parts = [_comparison_json(part) for part in row["conditions"]]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {row["join"] if row["join"] in ("all", "any") else "all": parts}


def _comparison_json(part):
    data = {"field": part["field"], "op": part["op"]}
    if part["op"] in ("in", "not in"):
        data["value"] = [item.strip() for item in part["value"].split(",") if item.strip()]
    elif part["op"] not in conditions.NEEDS_NO_VALUE:
        data["value"] = part["value"].strip()
    return data


# --- where a problem shows --------------------------------------------------------------

TOP = {"name": "name", "category": "category", "description": "description", "instructions": "instructions",
       "defaultPriority": "default_priority", "defaultSpectators": "spectators", "whenNoApprover": "when_no_approver",
       "fields": "fields", "levels": "levels", "onApproval": "flows"}
LEVEL = {"levelName": "name", "tatHours": "tat", "approvalMode": "mode", "minApprovals": "min",
         "rejectionPolicy": "policy", "onBreach": "breach", "approverRule": "rule_type"}
RULE = {"type": "rule_type", "emails": "emails", "levelsUp": "levels_up", "field": "person_field", "group": "group"}
FLOW = {"flowId": "flow", "assignTo": "assign_to", "dueInDays": "due"}
ORDER = ["name", "category", "description", "instructions", "default_priority", "spectators", "when_no_approver",
         "fields", "levels", "flows"]


def error_key(path, values):
    """The form key of the input a problem path belongs to, or None (shown above the form)."""
    parts = path.split(".")
    top = TOP.get(parts[0])
    if top is None or len(parts) == 1:
        return top
    if top == "spectators" or not parts[1].isdigit():
        return top
    row = f"{top}.{parts[1]}"
    rest = parts[2:]
    if not rest:
        return row
    if top == "fields":
        return f"{row}.{rest[0]}"
    if top == "flows":
        return f"{row}.{FLOW.get(rest[0], 'flow')}"
    if rest[0] == "approverRule" and len(rest) > 1:
        return f"{row}.{RULE.get(rest[1], 'rule_type')}"
    if rest[0] == "condition":
        return _condition_key(row, rest[1:], values["levels"][int(parts[1])] if int(parts[1]) < len(
            values["levels"]) else None)
    return f"{row}.{LEVEL.get(rest[0], 'name')}"


def _condition_key(row, rest, level):
    if level is None or level["kept_condition"]:
        return f"{row}.condition"
    if rest and rest[0] in ("all", "any"):
        rest = rest[1:]
        if not rest or not rest[0].isdigit():
            return f"{row}.conditions"
        index, rest = rest[0], rest[1:]
    else:
        index = "0"
    if not rest:
        return f"{row}.conditions"
    return f"{row}.conditions.{index}.{rest[0]}"


# --- what the page shows beside the inputs ----------------------------------------------


def person_fields(values):
    """[(key, label)] of the form's person fields: the choices for a rule or an assignee."""
    return [(row["key"], row["label"] or row["key"]) for row in values["fields"]
            if row["type"] == FieldType.PERSON and row["key"]]


def condition_fields(values):
    """[(key, label)] of the fields a condition can look at (all but files)."""
    return [(row["key"], row["label"] or row["key"]) for row in values["fields"]
            if row["type"] != FieldType.FILE and row["key"]]


def kept_condition_text(values, level):
    """A kept (too deep to edit) condition in words, e.g. ``Amount > 10,000 and (…)``."""
    try:
        data = fields.json_document(level["kept_condition"])
    except fields.NotJson:
        return level["kept_condition"]
    defs = [FieldDef(row["key"], row["label"], FieldType(row["type"]), options=tuple(lines(row["options"])))
            for row in values["fields"] if row["key"] and row["type"] in FieldType.__members__]
    problems = Problems()
    condition = conditions.parse_condition(data, "condition", defs, problems)
    if problems or condition is None:
        return level["kept_condition"]
    return conditions.describe(condition, {row["key"]: row["label"] for row in values["fields"]})
