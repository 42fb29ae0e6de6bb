"""Turning JSON (or form) input into checked values, with the seed's error paths.

Each problem is reported as ``(path, message)``, e.g. ``("approvalLevels.0.tatHours",
"TAT hours must be positive")``; all problems are collected before raising, so a
person fixes a form in one go. Only shape and limits are checked here; whether the
people exist is the service's business.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from momoflow import fields
from momoflow.errors import DomainError, ValidationFailed
from momoflow.fields import Problems
from momoflow.workflows import rules
from momoflow.workflows.models import (
    ApprovalMode,
    BreachAction,
    DocumentCategory,
    Priority,
    RejectionPolicy,
    TemplateType,
)

LEVEL_OUT_OF_RANGE = f"Level must be a whole number from 1 to {rules.MAX_LEVELS}"


@dataclass
class LevelSpec:
    """One level as asked: the seed's ``{"email", "tatHours"}`` is one approver, ANY."""

    emails: list[str]
    tat_hours: Decimal
    is_final_approver: bool | None = None  # None: decided by position
    level_name: str | None = None
    approval_mode: ApprovalMode = ApprovalMode.ANY
    min_approvals: int = 1
    rejection_policy: RejectionPolicy = RejectionPolicy.VETO
    on_breach: BreachAction = BreachAction.NOTIFY
    email_paths: list[str] = field(default_factory=list)  # where each email was given
    template_level: int | None = None  # the template's level it was planned from (from 0)

    @property
    def email(self):
        return self.emails[0] if self.emails else None


@dataclass
class NewRequest:
    """A request as asked. From a template (``template_id``), the levels come from the
    template and the title, description and priority may be left to its defaults."""

    template_type: TemplateType
    title: str | None
    description: str | None
    priority: Priority | None
    levels: list[LevelSpec]
    spectators: list[str] = field(default_factory=list)
    template_id: str | None = None
    field_values: dict | None = None  # as sent: the template's form checks them


@dataclass
class NewLevel:
    """A level to insert at ``level_number`` (the add-approver-at-level endpoint)."""

    spec: LevelSpec
    level_number: int

    @property
    def email(self):
        return self.spec.email


TEMPLATE_ID_REQUIRED = "templateId is required for a TEMPLATE request: the template to raise it from"
TEMPLATE_HAS_LEVELS = ("A TEMPLATE request takes its levels from the template: give templateId and fields, "
                       "not approvalLevels")


def parse_new_request(data):
    problems = Problems()
    template_type = _choice(data, "templateType", TemplateType, "Template type must be CUSTOM or TEMPLATE", problems)
    if template_type == TemplateType.TEMPLATE:
        return _parse_template_request(data, problems)
    title = _text(data, "title", "Title", rules.MAX_TITLE_LENGTH, problems)
    description = _text(data, "description", "Description", rules.MAX_DESCRIPTION_LENGTH, problems)
    priority = _choice(data, "priority", Priority, "Priority must be STANDARD or EXPRESS", problems)
    levels = _levels(data.get("approvalLevels"), problems)
    spectators = _spectators(data.get("spectators"), problems)
    problems.raise_if_any()
    refuse_duplicate_approvers(levels)
    return NewRequest(template_type, title, description, priority, levels, spectators)


def _parse_template_request(data, problems):
    """The seed's create body with ``templateId`` and ``fields`` in place of ``approvalLevels``;
    title, description and priority fall back to the template's."""
    template_id = data.get("templateId")
    if not isinstance(template_id, str) or not template_id.strip() or not fields.is_valid_text(template_id):
        problems.add("templateId", TEMPLATE_ID_REQUIRED)
    if data.get("approvalLevels") is not None:
        problems.add("approvalLevels", TEMPLATE_HAS_LEVELS)
    title = _free_text(data.get("title"), "title", "Title", rules.MAX_TITLE_LENGTH, problems)
    description = _free_text(data.get("description"), "description", "Description", rules.MAX_DESCRIPTION_LENGTH,
                             problems)
    priority = None
    if data.get("priority") is not None:
        priority = _choice(data, "priority", Priority, "Priority must be STANDARD or EXPRESS", problems)
    values = data.get("fields")
    if values is not None and not isinstance(values, dict):
        problems.add("fields", "fields must be an object of {key: value}")
    spectators = _spectators(data.get("spectators"), problems)
    problems.raise_if_any()
    return NewRequest(TemplateType.TEMPLATE, title, description, priority, [], spectators,
                      template_id=template_id.strip(), field_values=values or {})


def parse_new_level(data):
    """A level in either shape plus ``"level"``, for adding approvers at a level."""
    problems = Problems()
    spec = _level(data, "", problems)
    level = fields.whole_number(data.get("level"), "level", problems, low=1, high=rules.MAX_LEVELS,
                                message=LEVEL_OUT_OF_RANGE)
    problems.raise_if_any()
    refuse_duplicate_approvers([spec])
    return NewLevel(spec, level)


def duplicate_approver_message(email):
    return f"Duplicate approver email found: {email}. Each approver must have a unique email."


def duplicate_approver_problems(addresses):
    """``(path, message)`` for each ``(email, path)`` whose address appears earlier."""
    problems, seen = [], set()
    for email, path in addresses:
        address = fields.email(email, "", Problems()) if email else None
        if address in seen:
            problems.append((path, duplicate_approver_message(address)))
        if address:
            seen.add(address)
    return problems


def refuse_duplicate_approvers(levels):
    """Each person approves once per request. The seed's one-email levels answer in the
    seed's words (its example shows no path); a duplicate in an ``approvers`` list is a
    validation problem naming its path."""
    found = duplicate_approver_problems(
        (email, path) for level in levels for email, path in zip(level.emails, level.email_paths))
    if any(".approvers." in path or path.startswith("approvers.") for path, _ in found):
        raise ValidationFailed(found)
    if found:
        path, message = found[0]
        raise DomainError(message, field=path)


def parse_email(data, path="email"):
    problems = Problems()
    email = _email(data.get(path), path, problems)
    problems.raise_if_any()
    return email


def parse_comment(value, path="comments", *, label="Comments", required_message=None):
    """Stripped comment text, or None when blank and not required."""
    problems = Problems()
    text = _free_text(value, path, label, rules.MAX_COMMENT_LENGTH, problems, required_message)
    problems.raise_if_any()
    return text


def parse_reason(value):
    return parse_comment(value, "reason", label="Reason")


REASON_REQUIRED = "Reason is required: say why"


def parse_reason_required(value):
    return parse_comment(value, "reason", label="Reason", required_message=REASON_REQUIRED)


def parse_files(files):
    """The uploaded files that are really there (browsers send an empty part for none)."""
    files = [file for file in files if file.filename]
    if len(files) > rules.MAX_FILES:
        raise ValidationFailed([("files", f"At most {rules.MAX_FILES} files can be attached at once")])
    return files


def parse_category(value, path="category"):
    if value in (None, ""):
        return DocumentCategory.SUPPORTING
    try:
        return DocumentCategory(str(value).strip().upper())
    except ValueError:
        choices = ", ".join(DocumentCategory)
        raise ValidationFailed([(path, f"Category must be one of {choices}")]) from None


# --- fields -------------------------------------------------------------------------


def _choice(data, key, enum, message, problems):
    return fields.choice(data.get(key), enum, key, problems, message)


def _text(data, key, label, max_length, problems):
    return _free_text(data.get(key), key, label, max_length, problems, f"{label} is required")


def _free_text(value, path, label, max_length, problems, required_message=None):
    return fields.text(value, path, problems, label=label, max_length=max_length, required=required_message)


def _email(value, path, problems):
    return fields.email(value, path, problems)


def parse_tat_hours(value, path, problems):
    return fields.decimal(value, path, problems, high=rules.MAX_TAT_HOURS, places=2,
                          wrong_type="TAT hours must be a number",
                          too_big=f"TAT hours must be at most {rules.MAX_TAT_HOURS} (one year)",
                          not_positive="TAT hours must be positive")


def _level_name(value, path, problems):
    return _free_text(value, path, "Level name", rules.MAX_LEVEL_NAME_LENGTH, problems)


def _levels(value, problems):
    if not isinstance(value, list) or not value:
        problems.add("approvalLevels", "At least one approval level is required")
        return []
    if len(value) > rules.MAX_LEVELS:
        problems.add("approvalLevels", f"At most {rules.MAX_LEVELS} approval levels are allowed")
        return []
    levels = []
    for index, item in enumerate(value):
        path = f"approvalLevels.{index}"
        if not isinstance(item, dict):
            problems.add(path, "Approval level must be an object with email and tatHours")
            continue
        levels.append(_level(item, f"{path}.", problems))
    return levels


APPROVAL_MODE_PROBLEM = "approvalMode must be ANY, ALL or QUORUM"
REJECTION_POLICY_PROBLEM = "rejectionPolicy must be VETO or UNREACHABLE"
ON_BREACH_PROBLEM = "onBreach must be NOTIFY or ESCALATE"
EMAIL_OR_APPROVERS = "Give either email (one approver) or approvers (a list), not both"


def _level(item, prefix, problems):
    """One level from ``item``; ``prefix`` is its path (``approvalLevels.1.``)."""
    emails, paths = _level_approvers(item, prefix, problems)
    tat_hours = parse_tat_hours(item.get("tatHours"), f"{prefix}tatHours", problems)
    final = item.get("isFinalApprover")
    if final is not None and not isinstance(final, bool):
        problems.add(f"{prefix}isFinalApprover", "isFinalApprover must be true or false")
    level_name = _level_name(item.get("levelName"), f"{prefix}levelName", problems)
    mode = fields.choice(item.get("approvalMode"), ApprovalMode, f"{prefix}approvalMode", problems,
                         APPROVAL_MODE_PROBLEM, default=ApprovalMode.ANY)
    policy = fields.choice(item.get("rejectionPolicy"), RejectionPolicy, f"{prefix}rejectionPolicy", problems,
                           REJECTION_POLICY_PROBLEM, default=RejectionPolicy.VETO)
    on_breach = fields.choice(item.get("onBreach"), BreachAction, f"{prefix}onBreach", problems,
                              ON_BREACH_PROBLEM, default=BreachAction.NOTIFY)
    min_approvals = _min_approvals(item, prefix, mode, len(emails), problems)
    return LevelSpec(emails, tat_hours, final, level_name, mode, min_approvals, policy, on_breach, paths)


def _level_approvers(item, prefix, problems):
    """``([email], [path])``: the seed's ``email``, or the ``approvers`` list."""
    if "approvers" not in item:
        return [_email(item.get("email"), f"{prefix}email", problems)], [f"{prefix}email"]
    if item.get("email") is not None:
        problems.add(f"{prefix}email", EMAIL_OR_APPROVERS)
    approvers = item.get("approvers")
    if not isinstance(approvers, list) or not approvers:
        problems.add(f"{prefix}approvers", "approvers must be a list of at least one {\"email\": …}")
        return [], []
    if len(approvers) > rules.MAX_APPROVERS_PER_LEVEL:
        problems.add(f"{prefix}approvers", f"A level can have at most {rules.MAX_APPROVERS_PER_LEVEL} approvers")
        return [], []
    emails, paths = [], []
    for index, approver in enumerate(approvers):
        path = f"{prefix}approvers.{index}.email"
        email = approver.get("email") if isinstance(approver, dict) else None
        emails.append(_email(email, path, problems))
        paths.append(path)
    return emails, paths


def _min_approvals(item, prefix, mode, approvers, problems):
    value = item.get("minApprovals")
    if mode != ApprovalMode.QUORUM:
        return 1
    high = max(approvers, 1)
    return fields.whole_number(value, f"{prefix}minApprovals", problems, low=1, high=high,
                               message=f"minApprovals must be a whole number from 1 to {high} "
                                       "(the number of approvers) for a QUORUM level")


def _spectators(value, problems):
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add("spectators", "Spectators must be a list of {\"email\": …}")
        return []
    if len(value) > rules.MAX_SPECTATORS:
        problems.add("spectators", f"At most {rules.MAX_SPECTATORS} spectators are allowed")
        return []
    emails = []
    for index, item in enumerate(value):
        email = item.get("email") if isinstance(item, dict) else None
        emails.append(_email(email, f"spectators.{index}.email", problems))
    return emails


# --- sending back and resubmitting ---------------------------------------------------

TO_INITIATOR = "INITIATOR"
RETURN_NEEDS_COMMENTS = "Comments are required to return a request: say what should change"
RETURN_TARGET_PROBLEM = 'to must be "INITIATOR" or the number of an earlier level'


@dataclass
class Resubmission:
    """What the initiator changed; None (or an absent key) leaves a field as it was.
    ``levels`` are the levels that run again, from the one the next round starts at."""

    title: str | None = None
    description: str | None = None
    priority: Priority | None = None
    spectators: list[str] | None = None
    levels: list[LevelSpec] | None = None
    remove_documents: list[str] = field(default_factory=list)
    comments: str | None = None  # what the initiator says about the changes
    field_values: dict | None = None  # a template request's changed form values, as sent


def parse_return_target(value):
    """``"INITIATOR"`` (or absent): back to the initiator; a level number: that level's
    approvers look again after the changes. Returns None or the number."""
    if value is None or value == TO_INITIATOR:
        return None
    problems = Problems()
    number = fields.whole_number(value, "to", problems, low=1, high=rules.MAX_LEVELS, message=RETURN_TARGET_PROBLEM)
    problems.raise_if_any()
    return number


def parse_resubmission(data):
    """The create format's fields, each optional, plus ``removeDocuments`` (document ids)."""
    problems = Problems()
    changes = Resubmission()
    if "title" in data:
        changes.title = _text(data, "title", "Title", rules.MAX_TITLE_LENGTH, problems)
    if "description" in data:
        changes.description = _text(data, "description", "Description", rules.MAX_DESCRIPTION_LENGTH, problems)
    if "priority" in data:
        changes.priority = _choice(data, "priority", Priority, "Priority must be STANDARD or EXPRESS", problems)
    if "spectators" in data:
        changes.spectators = _spectators(data.get("spectators"), problems) or []
    if "approvalLevels" in data:
        changes.levels = _levels(data.get("approvalLevels"), problems)
    if "fields" in data:
        changes.field_values = data.get("fields")
        if not isinstance(changes.field_values, dict):
            problems.add("fields", "fields must be an object of {key: value}")
    changes.remove_documents = _document_ids(data.get("removeDocuments"), problems)
    changes.comments = _free_text(data.get("comments"), "comments", "Comments", rules.MAX_COMMENT_LENGTH, problems)
    problems.raise_if_any()
    if changes.levels:
        refuse_duplicate_approvers(changes.levels)
    return changes


def _document_ids(value, problems):
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > rules.MAX_FILES * 10:
        problems.add("removeDocuments", "removeDocuments must be a list of document ids")
        return []
    ids = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not fields.is_valid_text(item) or len(item) > 64:
            problems.add(f"removeDocuments.{index}", "Each entry must be a document id")
            continue
        ids.append(item.strip().lower())
    return ids
