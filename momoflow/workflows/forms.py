"""HTML forms to and from the shapes the validators and services take.

Pages post plain form fields (repeated names for rows: ``level_email``, ``level_tat``,
``level_name``, ``spectator_email``); this module builds the JSON-shaped dicts that
``validation`` checks, and places each ``(path, message)`` problem back on the form
field it belongs to, so the API and the pages share every rule and every message.
"""

from itertools import zip_longest

from momoflow import fields
from momoflow.errors import DomainError
from momoflow.fields import Problems
from momoflow.workflows.validation import (
    duplicate_approver_problems,
    parse_category,
    parse_files,
    parse_new_level,
    parse_new_request,
)

DEFAULT_TAT_HOURS = "24"
FILES_NOT_KEPT = "Files are not kept when a form has problems: please select them again."


# --- new request -------------------------------------------------------------------


def new_request_values(form=None):
    """The new-request form's values: blank rows dropped, one level row at least."""
    if form is None:
        return {"template_type": "CUSTOM", "priority": "STANDARD", "title": "", "description": "",
                "category": "SUPPORTING", "levels": [_blank_level()], "spectators": []}
    rows = zip_longest(form.getlist("level_email"), form.getlist("level_tat"), form.getlist("level_name"),
                       form.getlist("level_added"), fillvalue="")
    levels = [{"email": email.strip(), "tat": tat.strip(), "name": name.strip(), "added": bool(added)}
              for email, tat, name, added in rows if email.strip() or name.strip() or added]
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
    return {"email": "", "tat": DEFAULT_TAT_HOURS, "name": "", "added": False}


def added_level():
    """A row the person adds with "+ Add level": left blank, it is an error, not dropped
    (the form's own first row, left blank, just means no levels)."""
    return {**_blank_level(), "added": True}


BLANK_ADDED_LEVEL = "Enter an approver's email or remove this level"


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
    problems = Problems()
    try:
        spec = problems.collect(parse_new_request, data)
    except DomainError:  # a duplicate approver: listed below with every other one
        spec = None
    problems[:] = [_in_form_words(path, message, values) for path, message in problems]
    problems += duplicate_approver_problems(
        (level["email"], f"approvalLevels.{index}.email") for index, level in enumerate(data["approvalLevels"]))
    category = problems.collect(parse_category, values["category"])
    problems.collect(parse_files, files)
    problems.raise_if_any()
    return spec, category


def _in_form_words(path, message, values):
    """A blank row the person added says so, rather than asking for a valid email."""
    parts = path.split(".")
    if parts[0] == "approvalLevels" and parts[-1] == "email" and len(parts) == 3:
        level = values["levels"][int(parts[1])]
        if not level["email"] and level.get("added"):
            return path, BLANK_ADDED_LEVEL
    return path, message


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


number = fields.form_number
whole_number = fields.form_whole_number


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
