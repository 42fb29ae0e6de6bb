"""HTML forms to and from the shapes the validators and services take.

Pages post plain form fields (repeated names for rows: ``level_key``, ``level_tat``,
``level_name``, ``spectator_email``; a level row's own fields carry its key:
``level_approver.<key>`` for each approver, ``level_mode.<key>``…); this module builds
the JSON-shaped dicts that ``validation`` checks, and places each ``(path, message)``
problem back on the form field it belongs to, so the API and the pages share every
rule and every message.
"""

from itertools import zip_longest

from momoflow import fields
from momoflow.errors import DomainError
from momoflow.fields import Problems
from momoflow.workflows import bulk, rules, tasks
from momoflow.request_templates.form_fields import FieldType
from momoflow.workflows.models import ParticipantType, TemplateType
from momoflow.workflows.validation import (
    duplicate_approver_problems,
    parse_category,
    parse_files,
    parse_new_level,
    parse_new_request,
    parse_resubmission,
)

DEFAULT_TAT_HOURS = "24"
FILES_NOT_KEPT = "Files are not kept when a form has problems: please select them again."


# --- new request -------------------------------------------------------------------


def new_request_values(form=None):
    """The new-request form's values: blank rows dropped, one level row at least."""
    if form is None:
        return {"priority": "STANDARD", "title": "", "description": "",
                "category": "SUPPORTING", "levels": [blank_level()], "spectators": []}
    rows = zip_longest(form.getlist("level_key"), form.getlist("level_email"), form.getlist("level_tat"),
                       form.getlist("level_name"), form.getlist("level_added"), fillvalue="")
    levels = [_level_values(form, *row) for row in rows]
    return {
        "priority": form.get("priority", ""),
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "category": form.get("category", ""),
        "levels": [level for level in levels if _filled(level)],
        "spectators": [email.strip() for email in form.getlist("spectator_email") if email.strip()],
    }


def _level_values(form, key, email, tat, name, added):
    """One level row. A row without a key (a client posting the seed's one-email fields)
    names its approver in ``level_email``."""
    emails = form.getlist(f"level_approver.{key}") if key else [email]
    return {"approvers": [email.strip() for email in emails] or [""], "tat": tat.strip(), "name": name.strip(),
            "added": bool(added), "mode": form.get(f"level_mode.{key}", "ANY"),
            "min": form.get(f"level_min.{key}", ""), "policy": form.get(f"level_policy.{key}", "VETO"),
            "breach": form.get(f"level_breach.{key}", "NOTIFY")}


def _filled(level):
    return any(level["approvers"]) or len(level["approvers"]) > 1 or level["name"] or level["added"]


def blank_level():
    return {"approvers": [""], "tat": DEFAULT_TAT_HOURS, "name": "", "added": False, "mode": "ANY", "min": "2",
            "policy": "VETO", "breach": "NOTIFY"}


def added_level():
    """A row the person adds with "+ Add level": left blank, it is an error, not dropped
    (the form's own first row, left blank, just means no levels)."""
    return {**blank_level(), "added": True}


BLANK_ADDED_LEVEL = "Enter an approver's email or remove this level"
BLANK_ADDED_APPROVER = "Enter this approver's email or remove them"


def parse_new_request_form(values, files):
    """``(spec, category)`` from the form's values; ValidationFailed lists every problem.
    This form is the custom request's (a template's is ``request_templates.page_form``)."""
    data = {"templateType": TemplateType.CUSTOM.value, **_request_json(values)}
    return _parse_request_form(parse_new_request, data, values, files)


def _request_json(values):
    return {
        "title": values["title"],
        "description": values["description"],
        "priority": values["priority"],
        "approvalLevels": [_level_json(level) for level in values["levels"]],
        "spectators": [{"email": email} for email in values["spectators"]],
    }


def _parse_request_form(parse, data, values, files):
    problems = Problems()
    try:
        spec = problems.collect(parse, data)
    except DomainError:  # a duplicate approver: listed below with every other one
        spec = None
    problems[:] = [_in_form_words(path, message, values) for path, message in problems]
    duplicates = duplicate_approver_problems(
        (email, path) for index, level in enumerate(values["levels"]) for email, path in _approver_paths(level, index))
    problems += [problem for problem in duplicates if problem not in problems]
    category = problems.collect(parse_category, values["category"])
    problems.collect(parse_files, files)
    problems.raise_if_any()
    return spec, category


# --- a returned request, changed and resubmitted ---------------------------------------


def resubmit_values(request, form=None, template_fields=None):
    """The resubmit form: what the request holds now (levels from where the next round
    starts), or what was posted. A request raised from a template shows its form's
    ``template_fields`` (``field.<key>`` inputs) instead of levels: those follow the values."""
    if form is not None:
        values = {**new_request_values(form), "remove_documents": form.getlist("remove_document"),
                  "comments": form.get("comments", "")}
        if template_fields is not None:
            values.update(levels=[], fields={field.key: form.get(f"field.{field.key}", "")
                                             for field in template_fields if field.type != FieldType.FILE})
        return values
    levels = [level for level in request.levels if level.level_number >= request.resume_level]
    spectators = [p.user.email for p in request.participants if p.participant_type == ParticipantType.SPECTATOR]
    values = {"priority": request.priority.value, "title": request.title, "description": request.description,
              "category": "SUPPORTING", "levels": [_level_as_row(level) for level in levels],
              "spectators": spectators, "remove_documents": [], "comments": ""}
    if template_fields is not None:
        stored = request.field_values or {}
        values.update(levels=[], fields={field.key: str(stored[field.key]) for field in template_fields
                                         if field.type != FieldType.FILE and stored.get(field.key) is not None})
    return values


def _level_as_row(level):
    named = [tasks.named(task) for task in tasks.in_order(tasks.counted(level))]
    # A name the level got from its approvers is left blank, so new approvers name it anew.
    given = level.level_name if level.level_name != rules.level_name_for(named, level.level_number) else ""
    return {"approvers": [person.email for person in named] or [""], "tat": str(rules.tat_hours_json(level.tat_hours)),
            "name": given, "added": False, "mode": level.approval_mode.value,
            "min": str(level.min_approvals), "policy": level.rejection_policy.value, "breach": level.on_breach.value}


def parse_resubmit_form(values, files):
    """``(changes, category)``: the whole form as the API's resubmission (unchanged fields
    make no difference: the service records only what changed)."""
    data = {**_request_json(values), "removeDocuments": values["remove_documents"], "comments": values["comments"]}
    if "fields" in values:  # a template's request: its levels follow the form's values
        del data["approvalLevels"]
        data["fields"] = values["fields"]
    return _parse_request_form(parse_resubmission, data, values, files)


def _level_json(level):
    """A level row in the API's shape: the seed's ``email`` for one approver, else
    ``approvers`` with the level's rule. ``onBreach`` applies to either."""
    data = {"tatHours": number(level["tat"]), "levelName": level["name"] or None, "onBreach": level["breach"]}
    approvers = level["approvers"]
    if len(approvers) == 1:
        return {"email": approvers[0], **data}
    data.update(approvers=[{"email": email} for email in approvers], approvalMode=level["mode"],
                rejectionPolicy=level["policy"])
    if level["mode"] == "QUORUM":
        data["minApprovals"] = whole_number(level["min"])
    return data


def _approver_paths(level, index):
    """``[(email, path)]``: where the API's validator reports each of the row's approvers."""
    approvers = level["approvers"]
    if len(approvers) == 1:
        return [(approvers[0], f"approvalLevels.{index}.email")]
    return [(email, f"approvalLevels.{index}.approvers.{n}.email") for n, email in enumerate(approvers)]


def _in_form_words(path, message, values):
    """Where the API's words would puzzle someone filling the form, the form's own: a
    blank row or approver input they added, how many must approve."""
    parts = path.split(".")
    if parts[0] != "approvalLevels" or len(parts) < 3:
        return path, message
    level = values["levels"][int(parts[1])]
    approvers = level["approvers"]
    if parts[2] == "email" and not approvers[0] and level.get("added"):
        return path, BLANK_ADDED_LEVEL
    if parts[2] == "approvers" and len(parts) == 5 and int(parts[3]) > 0 and not approvers[int(parts[3])]:
        return path, BLANK_ADDED_APPROVER
    if parts[2] == "minApprovals":
        return path, f"Enter how many must approve: a whole number from 1 to {len(approvers)}"
    return path, message


_REQUEST_FIELDS = {"title": "title", "description": "description",
                   "priority": "priority", "approvalLevels": "levels", "spectators": "spectators",
                   "files": "files", "category": "category", "removeDocuments": "remove_documents",
                   "comments": "comments"}
_LEVEL_FIELDS = {"email": "level_email", "tatHours": "level_tat", "levelName": "level_name",
                 "approvalMode": "level_mode", "minApprovals": "level_min", "rejectionPolicy": "level_policy",
                 "onBreach": "level_breach"}


def new_request_field(path):
    """``approvalLevels.1.email`` → ``level_email.1``; the third approver of level 2,
    ``approvalLevels.1.approvers.2.email`` → ``level_approver.1.2`` (the first approver's
    input is the row's ``level_email``); ``files.0`` → ``files``."""
    parts = path.split(".")
    if parts[0] == "fields" and len(parts) >= 2:  # a template's form field
        return f"field.{parts[1]}"
    if parts[0] == "approvalLevels" and len(parts) >= 4 and parts[2] == "approvers" and parts[3] != "0":
        return f"level_approver.{parts[1]}.{parts[3]}"
    if parts[0] == "approvalLevels" and len(parts) >= 3:
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


_REASSIGN_FIELDS = {"to": "to", "email": "to", "reason": "reason", "from": "from"}


def reassign_field(path):
    """The reassign form's field for a problem path (the service names the person ``email``
    when refusing them, as for adding)."""
    return _REASSIGN_FIELDS.get(path)


number = fields.form_number
whole_number = fields.form_whole_number


_ROW_ANCHORS = {"level_email": "level-r{}-email", "level_tat": "level-r{}-tat", "level_name": "level-r{}-name",
                "level_approver": "level-r{}-approver-{}", "level_mode": "level-r{}-mode-any",
                "level_min": "level-r{}-min", "level_policy": "level-r{}-policy-veto",
                "level_breach": "level-r{}-breach-notify", "spectator_email": "spectator-r{}-email"}
_ANCHORS = {"priority": "priority-standard", "levels": "add-level", "spectators": "add-spectator"}


def new_request_anchor(key):
    """The id of the input a problem's field key points at (rows are keyed ``r0``, ``r1``…)."""
    name, _, index = key.partition(".")
    if name == "field":
        return f"field-{index}"
    if index:
        return _ROW_ANCHORS[name].format(*index.split("."))
    return _ANCHORS.get(key, key.replace("_", "-"))


def new_request_problem(key, message):
    """A problem as the error summary lists it: rows say which one (``Level 2: …``,
    ``Level 2, approver 3: …``)."""
    name, _, index = (key or "").partition(".")
    if not index or name == "field":
        return message
    row, _, approver = index.partition(".")
    if name == "spectator_email":
        return f"Spectator {int(row) + 1}: {message}"
    return f"Level {int(row) + 1}{f', approver {int(approver) + 1}' if approver else ''}: {message}"


# --- deciding several in the inbox ---------------------------------------------------------

NOTHING_SELECTED = "Select at least one request to decide"
TOO_MANY_SELECTED = f"Select at most {bulk.MAX_DECISIONS} requests at a time"
NO_ACTION = "Choose Approve selected or Reject selected"


def parse_bulk_form(form):
    """The inbox's bulk bar as the bulk API's decisions: every ticked item (``selected``
    holds ``requestId/levelId``) with the one action and comment. The comment is checked
    once, up front, so a missing reason shows on its field rather than on every item."""
    action, comments, selected = form.get("action", ""), form.get("comments", ""), form.getlist("selected")
    problems = Problems()
    if action not in bulk.DECIDERS:
        problems.add("action", NO_ACTION)
    if not selected:
        problems.add("selected", NOTHING_SELECTED)
    elif len(selected) > bulk.MAX_DECISIONS:
        problems.add("selected", TOO_MANY_SELECTED)
    problems.raise_if_any()
    bulk.parse_shared_comment(action, comments)
    items = [{"requestId": request_id, "levelId": level_id, "action": action, "comments": comments}
             for request_id, _, level_id in (value.partition("/") for value in selected)]
    decisions, _ = bulk.parse_decisions({"decisions": items})
    return decisions


def bulk_field(path):
    """The bulk bar's field for a problem path; an item's own problem (a tampered id) shows
    above the form."""
    if path in ("action", "selected", "comments"):
        return path
    return None
