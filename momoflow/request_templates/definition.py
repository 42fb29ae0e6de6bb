"""A template's definition: read from the API's JSON (checked), and written back as it.

The JSON is what ``GET /api/v1/templates/:id`` shows and what each version stores::

    {"name", "description", "category", "instructions", "defaultPriority",
     "defaultSpectators": [{"email"}], "whenNoApprover": "FAIL" | "SKIP",
     "fields": [{"key", "label", "type", "required", "help", "min", "max", "currency", "options"}],
     "levels": [{"levelName", "tatHours", "approvalMode", "minApprovals", "rejectionPolicy", "onBreach",
                 "approverRule": {"type": "PEOPLE", "emails": [...]} | {"type": "MANAGER", "levelsUp": 1}
                               | {"type": "FIELD_MANAGER", "field": "hire", "levelsUp": 1}
                               | {"type": "GROUP", "group": "finance-approvers"},
                 "condition": {...}}],
     "onApproval": [{"flowId", "assignTo": "REQUESTER" | {"field": "hire"}, "dueInDays"}]}

``dueInDays`` counts from the approval (default 14; 0: no due date).
"""

import enum
from dataclasses import dataclass
from decimal import Decimal

from momoflow import fields
from momoflow.errors import ValidationFailed
from momoflow.fields import Problems
from momoflow.request_templates import conditions
from momoflow.request_templates.form_fields import FieldDef, FieldType, parse_field_defs
from momoflow.workflows import rules
from momoflow.workflows.models import ApprovalMode, BreachAction, Priority, RejectionPolicy
from momoflow.workflows.rules import tat_hours_json
from momoflow.workflows.validation import (
    APPROVAL_MODE_PROBLEM,
    ON_BREACH_PROBLEM,
    REJECTION_POLICY_PROBLEM,
    parse_tat_hours,
)

MAX_NAME = 200
MAX_CATEGORY = 100
MAX_DESCRIPTION = 5_000
MAX_INSTRUCTIONS = 5_000
MAX_CHAIN = 10  # levels up a management chain
MAX_DUE_IN_DAYS = 365
DEFAULT_DUE_IN_DAYS = 14
MAX_ON_APPROVAL = 10


class RuleType(enum.StrEnum):
    PEOPLE = "PEOPLE"  # named people
    MANAGER = "MANAGER"  # the requester's manager, or N levels up
    FIELD_MANAGER = "FIELD_MANAGER"  # the manager of the person named in a person field
    GROUP = "GROUP"  # the members of a directory or local group


class WhenNoApprover(enum.StrEnum):
    FAIL = "FAIL"  # refuse the request, naming the level
    SKIP = "SKIP"  # leave the level out


REQUESTER = "REQUESTER"


@dataclass(frozen=True)
class ApproverRule:
    type: RuleType
    emails: tuple[str, ...] = ()
    levels_up: int = 1
    field: str | None = None
    group: str | None = None

    def as_json(self):
        if self.type == RuleType.PEOPLE:
            return {"type": self.type.value, "emails": list(self.emails)}
        if self.type == RuleType.MANAGER:
            return {"type": self.type.value, "levelsUp": self.levels_up}
        if self.type == RuleType.FIELD_MANAGER:
            return {"type": self.type.value, "field": self.field, "levelsUp": self.levels_up}
        return {"type": self.type.value, "group": self.group}


@dataclass(frozen=True)
class LevelRule:
    level_name: str
    tat_hours: Decimal
    approver_rule: ApproverRule
    approval_mode: ApprovalMode = ApprovalMode.ANY
    min_approvals: int = 1
    rejection_policy: RejectionPolicy = RejectionPolicy.VETO
    on_breach: BreachAction = BreachAction.NOTIFY
    condition: object = None  # conditions.Comparison | Combination | None

    def as_json(self):
        return {"levelName": self.level_name, "tatHours": tat_hours_json(self.tat_hours),
                "approvalMode": self.approval_mode.value, "minApprovals": self.min_approvals,
                "rejectionPolicy": self.rejection_policy.value, "onBreach": self.on_breach.value,
                "approverRule": self.approver_rule.as_json(), "condition": conditions.condition_json(self.condition)}


@dataclass(frozen=True)
class OnApproval:
    flow_id: str  # the flow's public id
    assign_to_field: str | None  # a person field's key; None: the requester
    due_in_days: int

    def as_json(self):
        return {"flowId": self.flow_id,
                "assignTo": {"field": self.assign_to_field} if self.assign_to_field else REQUESTER,
                "dueInDays": self.due_in_days}


@dataclass(frozen=True)
class Definition:
    name: str
    description: str
    category: str
    instructions: str
    default_priority: Priority
    default_spectators: tuple[str, ...]
    fields: tuple[FieldDef, ...]
    levels: tuple[LevelRule, ...]
    when_no_approver: WhenNoApprover = WhenNoApprover.FAIL
    on_approval: tuple[OnApproval, ...] = ()

    def field(self, key):
        return next((definition for definition in self.fields if definition.key == key), None)

    @property
    def labels(self):
        return {definition.key: definition.label for definition in self.fields}

    def as_json(self):
        return {"name": self.name, "description": self.description, "category": self.category,
                "instructions": self.instructions, "defaultPriority": self.default_priority.value,
                "defaultSpectators": [{"email": email} for email in self.default_spectators],
                "whenNoApprover": self.when_no_approver.value,
                "fields": [definition.as_json() for definition in self.fields],
                "levels": [level.as_json() for level in self.levels],
                "onApproval": [action.as_json() for action in self.on_approval]}


def parse_definition(data):
    """A Definition from the API's JSON; ValidationFailed lists every problem."""
    problems = Problems()
    name = fields.text(data.get("name"), "name", problems, label="Name", max_length=MAX_NAME,
                       required="Name is required")
    description = fields.text(data.get("description"), "description", problems, label="Description",
                              max_length=MAX_DESCRIPTION) or ""
    category = fields.text(data.get("category"), "category", problems, label="Category",
                           max_length=MAX_CATEGORY) or ""
    instructions = fields.text(data.get("instructions"), "instructions", problems, label="Instructions",
                               max_length=MAX_INSTRUCTIONS) or ""
    priority = fields.choice(data.get("defaultPriority"), Priority, "defaultPriority", problems,
                             "defaultPriority must be STANDARD or EXPRESS", default=Priority.STANDARD)
    spectators = _spectators(data.get("defaultSpectators"), problems)
    when_nobody = fields.choice(data.get("whenNoApprover"), WhenNoApprover, "whenNoApprover", problems,
                                "whenNoApprover must be FAIL or SKIP", default=WhenNoApprover.FAIL)
    field_defs = parse_field_defs(data.get("fields"), problems)
    levels = _levels(data.get("levels"), field_defs, problems)
    on_approval = _on_approval(data.get("onApproval"), field_defs, problems)
    problems.raise_if_any()
    return Definition(name, description, category, instructions, priority, tuple(spectators), tuple(field_defs),
                      tuple(levels), when_nobody, tuple(on_approval))


def load(stored):
    """A stored (already checked) definition, read again."""
    try:
        return parse_definition(stored)
    except ValidationFailed as error:  # a stored definition is one we wrote: this is a bug
        raise RuntimeError(f"stored template definition no longer reads: {error.message}") from error


def _spectators(value, problems):
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > rules.MAX_SPECTATORS:
        problems.add("defaultSpectators", f"defaultSpectators must be a list of at most {rules.MAX_SPECTATORS} "
                                          "{\"email\": …}")
        return []
    emails = []
    for index, item in enumerate(value):
        email = fields.email(item.get("email") if isinstance(item, dict) else None,
                             f"defaultSpectators.{index}.email", problems)
        if email and email not in emails:
            emails.append(email)
    return emails


def _levels(value, field_defs, problems):
    if not isinstance(value, list) or not value:
        problems.add("levels", "At least one approval level is required")
        return []
    if len(value) > rules.MAX_LEVELS:
        problems.add("levels", f"At most {rules.MAX_LEVELS} approval levels are allowed")
        return []
    levels = []
    for index, item in enumerate(value):
        path = f"levels.{index}"
        if not isinstance(item, dict):
            problems.add(path, "Each level must be an object with levelName, tatHours and approverRule")
            continue
        level = _level(item, path, field_defs, problems)
        if level is not None:
            levels.append(level)
    return levels


def _level(item, path, field_defs, problems):
    before = len(problems)
    name = fields.text(item.get("levelName"), f"{path}.levelName", problems, label="Level name",
                       max_length=rules.MAX_LEVEL_NAME_LENGTH, required="Level name is required")
    tat = parse_tat_hours(item.get("tatHours"), f"{path}.tatHours", problems)
    mode = fields.choice(item.get("approvalMode"), ApprovalMode, f"{path}.approvalMode", problems,
                         APPROVAL_MODE_PROBLEM, default=ApprovalMode.ANY)
    min_approvals = 1
    if mode == ApprovalMode.QUORUM:
        min_approvals = fields.whole_number(item.get("minApprovals"), f"{path}.minApprovals", problems, low=1,
                                            high=rules.MAX_APPROVERS_PER_LEVEL,
                                            message=f"minApprovals must be a whole number from 1 to "
                                                    f"{rules.MAX_APPROVERS_PER_LEVEL} for a QUORUM level")
    policy = fields.choice(item.get("rejectionPolicy"), RejectionPolicy, f"{path}.rejectionPolicy", problems,
                           REJECTION_POLICY_PROBLEM, default=RejectionPolicy.VETO)
    on_breach = fields.choice(item.get("onBreach"), BreachAction, f"{path}.onBreach", problems,
                              ON_BREACH_PROBLEM, default=BreachAction.NOTIFY)
    rule = _approver_rule(item.get("approverRule"), f"{path}.approverRule", field_defs, problems)
    condition = conditions.parse_condition(item.get("condition"), f"{path}.condition", field_defs, problems)
    if len(problems) > before:
        return None
    return LevelRule(name, tat, rule, mode, min_approvals, policy, on_breach, condition)


def _approver_rule(value, path, field_defs, problems):
    if not isinstance(value, dict):
        problems.add(path, "approverRule must be an object with a type: PEOPLE, MANAGER, FIELD_MANAGER or GROUP")
        return None
    kind = fields.choice(value.get("type"), RuleType, f"{path}.type", problems,
                         "type must be PEOPLE, MANAGER, FIELD_MANAGER or GROUP")
    if kind == RuleType.PEOPLE:
        return ApproverRule(kind, emails=tuple(_rule_emails(value.get("emails"), f"{path}.emails", problems)))
    if kind == RuleType.GROUP:
        group = fields.text(value.get("group"), f"{path}.group", problems, label="Group", max_length=200,
                            required="Name the group whose members approve")
        return ApproverRule(kind, group=group)
    if kind in (RuleType.MANAGER, RuleType.FIELD_MANAGER):
        levels_up = fields.whole_number(1 if value.get("levelsUp") is None else value.get("levelsUp"),
                                        f"{path}.levelsUp", problems, low=1, high=MAX_CHAIN,
                                        message=f"levelsUp must be a whole number from 1 to {MAX_CHAIN}")
        field = None
        if kind == RuleType.FIELD_MANAGER:
            field = _person_field(value.get("field"), f"{path}.field", field_defs, problems)
        return ApproverRule(kind, levels_up=levels_up or 1, field=field)
    return None


def _rule_emails(value, path, problems):
    if not isinstance(value, list) or not value or len(value) > rules.MAX_APPROVERS_PER_LEVEL:
        problems.add(path, f"emails must be a list of 1 to {rules.MAX_APPROVERS_PER_LEVEL} addresses")
        return []
    emails = []
    for index, item in enumerate(value):
        email = fields.email(item, f"{path}.{index}", problems)
        if email in emails:
            problems.add(f"{path}.{index}", f"{email} is listed twice")
        elif email:
            emails.append(email)
    return emails


def _person_field(key, path, field_defs, problems):
    definition = next((item for item in field_defs if item.key == key), None) if isinstance(key, str) else None
    if definition is None or definition.type != FieldType.PERSON:
        problems.add(path, "field must be the key of one of the template's person fields")
        return None
    return key


def _on_approval(value, field_defs, problems):
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ON_APPROVAL:
        problems.add("onApproval", f"onApproval must be a list of at most {MAX_ON_APPROVAL} flow assignments")
        return []
    actions = []
    for index, item in enumerate(value):
        path = f"onApproval.{index}"
        if not isinstance(item, dict):
            problems.add(path, "Each entry must be {flowId, assignTo, dueInDays}")
            continue
        before = len(problems)
        flow_id = fields.text(item.get("flowId"), f"{path}.flowId", problems, label="flowId", max_length=40,
                              required="flowId is required: the flow to assign")
        assign_to = REQUESTER if item.get("assignTo") is None else item["assignTo"]
        field = None
        if assign_to != REQUESTER:
            key = assign_to.get("field") if isinstance(assign_to, dict) else None
            field = _person_field(key, f"{path}.assignTo", field_defs, problems)
        due_in_days = item.get("dueInDays")
        due = fields.whole_number(DEFAULT_DUE_IN_DAYS if due_in_days is None else due_in_days, f"{path}.dueInDays",
                                  problems, low=0,
                                  high=MAX_DUE_IN_DAYS,
                                  message=f"dueInDays must be a whole number from 0 to {MAX_DUE_IN_DAYS}")
        if len(problems) == before:
            actions.append(OnApproval(flow_id, field, due))
    return actions
