"""The "new request from a template" page's form, to and from the API's shapes.

The page posts each template field as ``field.<key>`` (a file field as an upload of that
name), plus ``title``, ``priority``, repeated ``spectator_email``, ``files`` and
``category``. This module builds the JSON body that ``validation.parse_new_request``
checks for the API (``templateType: TEMPLATE``), so the page and the API share every
rule and message, and puts each problem path back on its input: ``fields.amount`` on
``field.amount``, ``levels.1`` on the preview of who approves, ``spectators.0.email`` on
the first spectator row, ``files.0`` on the files input.
"""

from momoflow.fields import Problems
from momoflow.request_templates.form_fields import FieldType, number_text
from momoflow.request_templates.raising import default_title
from momoflow.workflows.models import TemplateType
from momoflow.workflows.validation import parse_category, parse_files, parse_new_request

FIELD = "field."


def input_name(definition):
    return f"{FIELD}{definition.key}"


def form_values(definition, form=None):
    """The form's values as typed (a file field has none: uploads are not kept)."""
    if form is None:
        return {"fields": {}, "title": "", "priority": definition.default_priority.value, "category": "SUPPORTING",
                "spectators": []}
    return {
        "fields": {field.key: form.get(input_name(field), "") for field in definition.fields
                   if field.type != FieldType.FILE},
        "title": form.get("title", ""),
        "priority": form.get("priority", ""),
        "category": form.get("category", ""),
        "spectators": [email.strip() for email in form.getlist("spectator_email") if email.strip()],
    }


def typed_fields(values):
    """The field values as the preview reads them: blank ones left out."""
    return {key: value for key, value in values["fields"].items() if value.strip()}


def field_uploads(definition, files):
    """``{key: upload}`` of the file fields a file was chosen for."""
    uploads = {field.key: files.get(input_name(field)) for field in definition.fields if field.type == FieldType.FILE}
    return {key: upload for key, upload in uploads.items() if upload is not None and upload.filename}


def field_hint(definition):
    """The line under a field's label: its help, and the limits a number must keep."""
    parts = [definition.help] if definition.help else []
    low, high = definition.min, definition.max
    if definition.type.is_numeric and low is not None and high is not None:
        parts.append(f"From {number_text(low)} to {number_text(high)}.")
    elif definition.type.is_numeric and low is not None:
        parts.append(f"At least {number_text(low)}.")
    elif definition.type.is_numeric and high is not None:
        parts.append(f"At most {number_text(high)}.")
    if definition.type == FieldType.FILE:
        parts.append("One file: PDF, Word, Excel, CSV, text or an image.")
    if definition.type == FieldType.PERSON:
        parts.append("Their work email: suggestions come from the company directory.")
    return " ".join(parts)


def title_placeholder(definition, values):
    """The title the request gets when none is typed, from what is typed so far."""
    return default_title(definition, typed_fields(values))


def parse_template_form(template_id, values, files):
    """``(spec, category)`` for ``workflows.services.create_request``; ValidationFailed lists
    every problem of the form's own parts (the values are checked with the levels, by
    the create)."""
    data = {
        "templateType": TemplateType.TEMPLATE.value,
        "templateId": template_id,
        "title": values["title"] or None,
        "priority": values["priority"] or None,
        "fields": values["fields"],
        "spectators": [{"email": email} for email in values["spectators"]],
    }
    problems = Problems()
    spec = problems.collect(parse_new_request, data)
    category = problems.collect(parse_category, values["category"])
    problems.collect(parse_files, files)
    problems.raise_if_any()
    return spec, category


_PLAIN = {"title": "title", "priority": "priority", "spectators": "spectators", "files": "files",
          "category": "category", "levels": "levels"}


def form_field(path):
    """The input a problem path belongs to (None: shown above the form)."""
    parts = path.split(".")
    if parts[0] == "fields" and len(parts) >= 2:
        return f"{FIELD}{parts[1]}"
    if parts[0] == "spectators" and len(parts) == 3:
        return f"spectator_email.{parts[1]}"
    return _PLAIN.get(parts[0])


# The error summary: the page's inputs top to bottom (FormState.problems_in).
ORDER = ["field", "levels", "title", "priority", "spectators", ("spectator_email",), "files", "category"]
_ANCHORS = {"levels": "template-preview", "priority": "priority-standard", "spectators": "add-spectator"}


def anchor(key):
    """The id of the input a problem's key points at."""
    name, _, rest = key.partition(".")
    if name == "field":
        return f"field-{rest}"
    if name == "spectator_email":
        return f"spectator-r{rest}-email"
    return _ANCHORS.get(key, key)


def describe(key, message):
    """A problem as the summary lists it: a spectator row says which one."""
    name, _, rest = (key or "").partition(".")
    if name == "spectator_email" and rest.isdigit():
        return f"Spectator {int(rest) + 1}: {message}"
    return message
