"""HTML forms to and from the shapes the validators and services take.

Pages post plain form fields (repeated names for rows: ``level_email``, ``level_tat``,
``level_name``, ``spectator_email``); this module builds the JSON-shaped dicts that
``validation`` checks, and places each ``(path, message)`` problem back on the form
field it belongs to, so the API and the pages share every rule and every message.
"""

import math
from dataclasses import dataclass, field
from itertools import zip_longest

from momoflow.errors import ValidationFailed
from momoflow.workflows.validation import parse_category, parse_files, parse_new_level, parse_new_request

DEFAULT_TAT_HOURS = "24"
FILES_NOT_KEPT = "Files are not kept when a form has problems: please select them again."


@dataclass
class FormState:
    """What a form shows: the values entered, errors by field key, and a message that
    belongs to no single field."""

    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)  # key -> [message]; row keys are "level_email.0"
    message: str | None = None
    problems: list = field(default_factory=list)  # [(key or None, message)] in the order found

    def error(self, key):
        return self.errors.get(key, [])

    def value(self, key, default=""):
        return self.values.get(key, default)

    @property
    def has_errors(self):
        return bool(self.problems or self.message)

    def problems_in(self, order):
        """``problems`` top to bottom as the page shows its fields: validators find them in
        the API's order, which need not be the page's. ``order`` names the fields from the
        top; a tuple names the fields of a repeated row (keys ``name.index``), which sort
        row by row. Problems of no field come first, fields not named last."""
        def place(problem):
            key = problem[0]
            if key is None:
                return (-1, 0, 0)
            name, _, row = key.partition(".")
            for position, entry in enumerate(order):
                names = tuple(entry) if isinstance(entry, (tuple, list)) else (entry,)
                if name in names:
                    return (position, int(row) if row.isdigit() else -1, names.index(name))
            return (len(order), 0, 0)
        return sorted(self.problems, key=place)


def failed(values, error, field_key):
    """A FormState for ``values`` showing ``error`` (a DomainError) on the right fields.

    ``field_key`` maps a problem path (``approvalLevels.0.email``) to a form field key
    (``level_email.0``), or None when no field matches: the message then shows above
    the form.
    """
    state = FormState(values=values)
    problems = getattr(error, "problems", None) or [(error.field, error.message)]
    for path, message in problems:
        key = field_key(path) if path else None
        state.problems.append((key, message))
        if key is None:
            state.message = f"{state.message} {message}" if state.message else message
        else:
            state.errors.setdefault(key, []).append(message)
    return state


# --- new request -------------------------------------------------------------------


def new_request_values(form=None):
    """The new-request form's values: blank rows dropped, one level row at least."""
    if form is None:
        return {"template_type": "CUSTOM", "priority": "STANDARD", "title": "", "description": "",
                "category": "SUPPORTING", "levels": [_blank_level()], "spectators": []}
    levels = [{"email": email.strip(), "tat": tat.strip(), "name": name.strip()}
              for email, tat, name in zip_longest(form.getlist("level_email"), form.getlist("level_tat"),
                                                  form.getlist("level_name"), fillvalue="")
              if email.strip() or name.strip()]
    return {
        "template_type": form.get("template_type", ""),
        "priority": form.get("priority", ""),
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "category": form.get("category", ""),
        "levels": levels,
        "spectators": [email.strip() for email in form.getlist("spectator_email") if email.strip()],
    }


def _blank_level():
    return {"email": "", "tat": DEFAULT_TAT_HOURS, "name": ""}


def parse_new_request_form(values, files):
    """``(spec, category)`` from the form's values; ValidationFailed lists every problem."""
    data = {
        "templateType": values["template_type"],
        "title": values["title"],
        "description": values["description"],
        "priority": values["priority"],
        "approvalLevels": [{"email": level["email"], "tatHours": number(level["tat"]),
                            "levelName": level["name"] or None} for level in values["levels"]],
        "spectators": [{"email": email} for email in values["spectators"]],
    }
    problems = []
    spec = category = None
    try:
        spec = parse_new_request(data)
    except ValidationFailed as error:
        problems += error.problems
    try:
        category = parse_category(values["category"])
    except ValidationFailed as error:
        problems += error.problems
    try:
        parse_files(files)
    except ValidationFailed as error:
        problems += error.problems
    if problems:
        raise ValidationFailed(problems)
    return spec, category


_REQUEST_FIELDS = {"templateType": "template_type", "title": "title", "description": "description",
                   "priority": "priority", "approvalLevels": "levels", "spectators": "spectators",
                   "files": "files", "category": "category"}
_LEVEL_FIELDS = {"email": "level_email", "tatHours": "level_tat", "levelName": "level_name"}


def new_request_field(path):
    """``approvalLevels.1.email`` → ``level_email.1``; ``files.0`` → ``files``."""
    parts = path.split(".")
    if parts[0] == "approvalLevels" and len(parts) == 3:
        return f"{_LEVEL_FIELDS.get(parts[2], 'level_email')}.{parts[1]}"
    if parts[0] == "approvalLevels" and len(parts) == 2:
        return f"level_email.{parts[1]}"
    if parts[0] == "spectators" and len(parts) == 3:
        return f"spectator_email.{parts[1]}"
    return _REQUEST_FIELDS.get(parts[0])


# --- forms on the request page -----------------------------------------------------


def parse_add_approver_form(form):
    """The add-approver form as ``parse_new_level`` takes it (the API's JSON shape)."""
    return parse_new_level({
        "email": form.get("email", ""),
        "tatHours": number(form.get("tat_hours", "")),
        "level": whole_number(form.get("level", "")),
        "levelName": form.get("level_name") or None,
    })


_ADD_APPROVER_FIELDS = {"email": "email", "tatHours": "tat_hours", "level": "level", "levelName": "level_name"}


def add_approver_field(path):
    return _ADD_APPROVER_FIELDS.get(path)


def single_field(name):
    """For one-field forms: every problem belongs to ``name``."""
    return lambda path: name


def number(text):
    """A form's number as the JSON API would send it; anything else stays text, for
    the validator to refuse in its own words."""
    text = (text or "").strip()
    try:
        value = float(text)
    except ValueError:
        return text or None
    if not math.isfinite(value):
        return text
    return int(value) if value.is_integer() else value


def whole_number(text):
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() else text


_ROW_ANCHORS = {"level_email": "level-r{}-email", "level_tat": "level-r{}-tat", "level_name": "level-r{}-name",
                "spectator_email": "spectator-r{}-email"}
_ANCHORS = {"priority": "priority-standard", "levels": "add-level", "spectators": "add-spectator"}


def new_request_anchor(key):
    """The id of the input a problem's field key points at (rows are keyed ``r0``, ``r1``…)."""
    name, _, index = key.partition(".")
    if index:
        return _ROW_ANCHORS[name].format(index)
    return _ANCHORS.get(key, key.replace("_", "-"))


def new_request_problem(key, message):
    """A problem as the error summary lists it: rows say which one (``Level 2: …``)."""
    name, _, index = (key or "").partition(".")
    if index:
        return f"{'Spectator' if name == 'spectator_email' else 'Level'} {int(index) + 1}: {message}"
    return message
