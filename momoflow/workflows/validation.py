"""Turning JSON (or form) input into checked values, with the seed's error paths.

Each problem is reported as ``(path, message)``, e.g. ``("approvalLevels.0.tatHours",
"TAT hours must be positive")``; all problems are collected before raising, so a
person fixes a form in one go. Only shape and limits are checked here; whether the
people exist is the service's business.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from momoflow import fields
from momoflow.errors import ValidationFailed
from momoflow.fields import Problems
from momoflow.workflows import rules
from momoflow.workflows.models import DocumentCategory, Priority, TemplateType

LEVEL_OUT_OF_RANGE = f"Level must be a whole number from 1 to {rules.MAX_LEVELS}"


@dataclass
class LevelSpec:
    email: str
    tat_hours: Decimal
    is_final_approver: bool | None = None  # None: decided by position
    level_name: str | None = None


@dataclass
class NewRequest:
    template_type: TemplateType
    title: str
    description: str
    priority: Priority
    levels: list[LevelSpec]
    spectators: list[str] = field(default_factory=list)


@dataclass
class NewLevel:
    email: str
    tat_hours: Decimal
    level_number: int
    level_name: str | None = None


def parse_new_request(data):
    problems = Problems()
    template_type = _choice(data, "templateType", TemplateType, "Template type must be CUSTOM or TEMPLATE", problems)
    title = _text(data, "title", "Title", rules.MAX_TITLE_LENGTH, problems)
    description = _text(data, "description", "Description", rules.MAX_DESCRIPTION_LENGTH, problems)
    priority = _choice(data, "priority", Priority, "Priority must be STANDARD or EXPRESS", problems)
    levels = _levels(data.get("approvalLevels"), problems)
    spectators = _spectators(data.get("spectators"), problems)
    problems.raise_if_any()
    return NewRequest(template_type, title, description, priority, levels, spectators)


def parse_new_level(data):
    """``{"email", "tatHours", "level", "levelName"?}`` for adding an approver at a level."""
    problems = Problems()
    email = _email(data.get("email"), "email", problems)
    tat_hours = _tat_hours(data.get("tatHours"), "tatHours", problems)
    level = fields.whole_number(data.get("level"), "level", problems, low=1, high=rules.MAX_LEVELS,
                                message=LEVEL_OUT_OF_RANGE)
    level_name = _level_name(data.get("levelName"), "levelName", problems)
    problems.raise_if_any()
    return NewLevel(email, tat_hours, level, level_name)


def duplicate_approver_message(email):
    return f"Duplicate approver email found: {email}. Each approver must have a unique email."


def duplicate_approver_problems(emails):
    """``(approvalLevels.N.email, message)`` for each address that an earlier level already has."""
    problems, seen = [], set()
    for index, email in enumerate(emails):
        address = fields.email(email, "", Problems()) if email else None
        if address in seen:
            problems.append((f"approvalLevels.{index}.email", duplicate_approver_message(address)))
        if address:
            seen.add(address)
    return problems


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


def _tat_hours(value, path, problems):
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
        email = _email(item.get("email"), f"{path}.email", problems)
        tat_hours = _tat_hours(item.get("tatHours"), f"{path}.tatHours", problems)
        final = item.get("isFinalApprover")
        if final is not None and not isinstance(final, bool):
            problems.add(f"{path}.isFinalApprover", "isFinalApprover must be true or false")
        level_name = _level_name(item.get("levelName"), f"{path}.levelName", problems)
        levels.append(LevelSpec(email, tat_hours, final, level_name))
    return levels


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
