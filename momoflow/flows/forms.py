"""The flow pages' HTML forms to and from the shapes ``editing`` and ``assigning`` take.

Like ``workflows.forms``: rows post repeated names (``module_title``, ``email``), and
each ``(path, message)`` problem goes back to the form field it belongs to
(``modules.2.title`` → ``module_title.2``), so pages and services share every rule.
"""

import csv
import re
from datetime import timezone
from itertools import zip_longest

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner

from momoflow.errors import ValidationFailed
from momoflow.flows import bulk, managing, rules, validation
from momoflow.flows.assigning import AssignPlan, Outcome
from momoflow.flows.quizzes import DEFAULT_PASS_MARK, choices_text
from momoflow.flows.models import Priority

DEFAULT_MODULE_MINUTES = "15"
BLANK_MODULE = {"id": "", "title": "", "content": "", "minutes": DEFAULT_MODULE_MINUTES}


# --- flow editing ------------------------------------------------------------------


def flow_values(form=None, flow=None, modules=()):
    """The flow form's values: from a post (every row, blank ones too: a row without a
    title is an error on that row), a flow, or empty. ``version``: the flow's version the
    form was opened on (``editing.update_flow`` refuses a stale one)."""
    if form is not None:
        rows = zip_longest(form.getlist("module_id"), form.getlist("module_title"), form.getlist("module_content"),
                           form.getlist("module_minutes"), fillvalue="")
        return {"name": form.get("name", ""), "description": form.get("description", ""),
                "modules": [{"id": ident, "title": title, "content": content, "minutes": minutes}
                            for ident, title, content, minutes in rows],
                "version": form.get("version", ""), "move_not_started": form.get("move_not_started") == "yes"}
    if flow is not None:
        return {"name": flow.name, "description": flow.description,
                "modules": [{"id": str(m.id), "title": m.title, "content": m.content,
                             "minutes": str(m.estimated_minutes)} for m in modules],
                "version": str(flow.version), "move_not_started": True}
    return {"name": "", "description": "", "modules": [dict(BLANK_MODULE)]}


_MODULE_FIELDS = {"title": "module_title", "content": "module_content", "minutes": "module_minutes"}


def flow_field(path):
    """``modules.2.title`` → ``module_title.2``."""
    parts = path.split(".")
    if parts[0] == "modules" and len(parts) == 3:
        return f"{_MODULE_FIELDS.get(parts[2], 'module_title')}.{parts[1]}"
    return parts[0] if parts[0] in ("name", "description", "modules") else None


def flow_anchor(key):
    """The id of the input a field key points at (rows are keyed ``r0``, ``r1``…)."""
    name, _, index = key.partition(".")
    if index:
        return f"module-r{index}-{name.removeprefix('module_')}"
    return {"modules": "add-module"}.get(key, key)


def flow_problem(key, message):
    name, _, index = (key or "").partition(".")
    return f"Module {int(index) + 1}: {message}" if index else message


# --- assigning ---------------------------------------------------------------------

_SEPARATORS = re.compile(r"[,;\t\r\n]+")
_HEADER_WORDS = {"email", "e-mail", "mail", "emails", "email address", "useremail"}
MAX_PASTED_LENGTH = 100_000


def assign_values(form=None, flow_id=""):
    if form is None:
        return {"flow": flow_id, "emails": [], "pasted": "", "due_date": "", "priority": Priority.MEDIUM.value,
                "notes": "", "audience": "", "keep_assigning": False, "join_due_days": ""}
    return {"flow": form.get("flow", ""), "emails": [e.strip() for e in form.getlist("email") if e.strip()],
            "pasted": form.get("pasted", ""), "due_date": form.get("due_date", "").strip(),
            "priority": form.get("priority", ""), "notes": form.get("notes", ""),
            "audience": form.get("audience", "")[:300], "keep_assigning": form.get("keep_assigning") == "yes",
            "join_due_days": form.get("join_due_days", "")[:10]}


_TO_CORRECT = {Outcome.NOT_FOUND, Outcome.INVALID_EMAIL, Outcome.FAILED}


def values_after_assigning(values, report):
    """The form after a post: the same flow, date, priority and notes, and in the box
    only the addresses that failed, one a line, so they can be corrected and sent again."""
    failed_entries = [result.entry for result in report.results if result.outcome in _TO_CORRECT]
    return {**values, "emails": [], "pasted": "\n".join(failed_entries), "audience": "", "keep_assigning": False}


def assign_plan(values):
    """The people from the rows and the pasted list, in order, each once."""
    entries, seen = [], set()
    for entry in values["emails"] + emails_in(values["pasted"][:MAX_PASTED_LENGTH]):
        if entry.lower() not in seen:
            seen.add(entry.lower())
            entries.append(entry)
    return AssignPlan(flow_id=values["flow"], people=entries, due_date=values["due_date"] or None,
                      priority=values["priority"], notes=values["notes"], audience=values.get("audience") or None,
                      keep_assigning=values.get("keep_assigning", False), join_due_days=values.get("join_due_days"))


def emails_in(text):
    """The addresses in a pasted list or a CSV export, in order.

    With a header row naming an email column (``Name,Email,Team``), that column of
    every later row. Otherwise every word, ``Name <a@b.c>`` read as its address;
    only names (cells with spaces and no ``@``) are skipped. Anything else that is
    not an address comes back as it is, so the results can say so: nothing pasted
    is dropped without a word.
    """
    lines = [line for line in (text or "").splitlines() if line.strip()]
    header = _cells(lines[0]) if lines else []
    column = _email_column(header)
    if column is not None and len(header) > 1:
        delimiter = next((mark for mark in ",;\t" if mark in lines[0]), ",")
        rows = [[cell.strip() for cell in row] for row in csv.reader(lines[1:], delimiter=delimiter)]
        return [_address(row[column]) for row in rows if len(row) > column and row[column]]
    if column is not None:
        lines = lines[1:]  # a lone "email" heading a plain list
    return [word for line in lines for cell in _cells(line) for word in _words(cell)]


def _cells(line):
    return [cell.strip().strip("\"'") for cell in _SEPARATORS.split(line) if cell.strip().strip("\"'")]


def _email_column(cells):
    names = [cell.lower() for cell in cells]
    return next((index for index, name in enumerate(names) if name in _HEADER_WORDS), None)


def _address(cell):
    bracketed = re.search(r"<([^<>]*)>", cell)
    return bracketed.group(1).strip() if bracketed else cell


def _words(cell):
    if "<" in cell:
        return [_address(cell)]
    if " " in cell and "@" not in cell:
        return []  # a name
    return [word.strip("\"'()<>") for word in cell.split() if word.strip("\"'()<>")]


_ASSIGN_FIELDS = {"flowId": "flow", "dueDate": "due_date", "priority": "priority", "notes": "notes",
                  "people": "people", "audience": "audience", "joinDueDays": "join_due_days"}


def assign_field(path):
    return _ASSIGN_FIELDS.get(path.split(".")[0])


_ASSIGN_ANCHORS = {"flow": "assign-flow", "due_date": "assign-due-date", "priority": "priority-medium",
                   "notes": "assign-notes", "people": "assign-pasted", "audience": "assign-audience",
                   "join_due_days": "assign-join-due"}


def assign_anchor(key):
    return _ASSIGN_ANCHORS.get(key, key)


# --- quizzes -----------------------------------------------------------------------------

QUIZ_SHOWN_SALT = "quiz-shown"
QUIZ_SHOWN_MAX_AGE = 24 * 3600
BLANK_QUESTION = {"prompt": "", "choices": ""}


def quiz_values(form=None, module=None, questions=()):
    """The quiz editor's values: from a post (every row; blank ones are ignored when saved),
    a module, or empty."""
    if form is not None:
        rows = zip_longest(form.getlist("question_prompt"), form.getlist("question_choices"), fillvalue="")
        return {"passMark": form.get("pass_mark", ""), "acknowledge": form.get("acknowledge") == "yes",
                "questions": [{"prompt": prompt, "choices": choices} for prompt, choices in rows]}
    return {"passMark": str(module.pass_mark or DEFAULT_PASS_MARK),
            "acknowledge": bool(module.requires_acknowledgement),
            "questions": [{"prompt": q.prompt, "choices": choices_text(q)} for q in questions]
            or [dict(BLANK_QUESTION)]}


def quiz_field(path):
    """``questions.2.choices`` → ``question_choices.2``; ``passMark`` → ``pass_mark``."""
    parts = path.split(".")
    if parts[0] == "questions" and len(parts) == 3:
        return f"question_{parts[2]}.{parts[1]}"
    return {"passMark": "pass_mark", "questions": "questions"}.get(parts[0])


def quiz_anchor(key):
    name, _, index = key.partition(".")
    return f"question-r{index}-{name.removeprefix('question_')}" if index else key.replace("_", "-")


def quiz_problem(key, message):
    """A problem as the summary above the quiz editor lists it: which question it is in."""
    _, _, index = key.partition(".")
    return f"Question {int(index) + 1}: {message}" if index.isdigit() else message


def quiz_answers(form):
    """``{question id: [choice ids]}`` from the quiz form's ``answer-<question id>`` fields."""
    return {name.removeprefix("answer-"): form.getlist(name)[:20] for name in form
            if name.startswith("answer-") and len(name) < 60}


def quiz_shown_token(assignment, module):
    """A signed note of when the quiz was shown, for the attempt's time taken."""
    return TimestampSigner(current_app.secret_key, salt=QUIZ_SHOWN_SALT).sign(
        f"{assignment.public_id}.{module.id}").decode()


def quiz_shown_at(token, assignment_id, module_id):
    """When the quiz was shown, if ``token`` is ours for this assignment and module; else None."""
    try:
        value, moment = TimestampSigner(current_app.secret_key, salt=QUIZ_SHOWN_SALT).unsign(
            (token or "").encode("utf-8", "replace"), max_age=QUIZ_SHOWN_MAX_AGE, return_timestamp=True)
    except (BadSignature, ValueError):
        return None
    if value.decode() != f"{assignment_id}.{module_id}":
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


# --- changing assignments ------------------------------------------------------------

_CHANGE_FIELDS = {"reason": "reason", "dueDate": "due_date", "userEmail": "email", "selected": "selected",
                  "action": "action"}
# The services' words name the API's fields; the pages name theirs.
PAGE_WORDS = {
    validation.REASON_REQUIRED: "Say why it is cancelled: the person is told.",
    validation.REASON_TOO_LONG: f"Keep the reason to {rules.MAX_REASON_LENGTH} characters or fewer.",
    validation.DUE_DATE_REQUIRED: "Choose the new due date.",
    validation.DUE_DATE_IN_THE_PAST: "Choose today or a later date.",
    validation.DUE_DATE_PROBLEM: "Enter the date as year-month-day, e.g. 2025-01-31.",
    managing.NEW_PERSON_PROBLEM: "Enter the email address of the person to give it to.",
}


def change_field(path):
    """The form field a problem of an assignment change (or a bulk change) belongs to."""
    return _CHANGE_FIELDS.get(path)


def in_page_words(error):
    """``error`` with the pages' wording of its problems (other refusals as they are)."""
    if not isinstance(error, ValidationFailed):
        return error
    return ValidationFailed([(path, PAGE_WORDS.get(message, message)) for path, message in error.problems])


def bulk_values(form):
    return {"action": form.get("action", ""), "selected": form.getlist("selected")[:bulk.MAX_POSTED],
            "reason": form.get("reason", ""), "due_date": form.get("due_date", "").strip()}
