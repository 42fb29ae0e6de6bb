"""``paths`` and schemas for request templates (``/api/v1/templates``) and for raising a
request from one. Error examples are the code's own answers: messages imported from where
they are raised, and validation examples produced by running the parsers on bad input."""

from momoflow.errors import Forbidden, NotFound, ValidationFailed
from momoflow.fields import Problems
from momoflow.openapi.approval_paths import _op
from momoflow.openapi.approval_schemas import EMAIL, _enum, _ok
from momoflow.openapi.common import (
    api_error,
    api_validation,
    directory_unavailable,
    example,
    json_response,
    moment,
    nullable,
    obj,
    schema,
    text,
)
from momoflow.request_templates import api, conditions, definition, form_fields, raising, resolution, services
from momoflow.request_templates.definition import REQUESTER, RuleType, WhenNoApprover
from momoflow.request_templates.form_fields import FieldType
from momoflow.request_templates.models import TemplateStatus
from momoflow.workflows import rules
from momoflow.workflows.models import ApprovalMode, BreachAction, Priority, RejectionPolicy, TemplateType
from momoflow.workflows.validation import TEMPLATE_HAS_LEVELS, TEMPLATE_ID_REQUIRED

TAG = "Templates"
INVALID = ValidationFailed.title
UNKNOWN_ID = "tmpl_unknown"
KEY = {"type": "string", "pattern": form_fields.KEY.pattern, "description": "The field's key."}

PURCHASE = {
    "name": "Purchase request", "description": "Buying goods or services for the company.", "category": "Finance",
    "instructions": "Attach the quotation.", "defaultPriority": "STANDARD", "whenNoApprover": "FAIL",
    "fields": [
        {"key": "item", "label": "Item", "type": "SHORT_TEXT", "required": True},
        {"key": "amount", "label": "Amount", "type": "AMOUNT", "required": True, "min": 0, "currency": "INR"},
        {"key": "quote", "label": "Quotation", "type": "FILE"},
    ],
    "levels": [
        {"levelName": "Manager approval", "tatHours": 24, "approverRule": {"type": "MANAGER"}},
        {"levelName": "Finance", "tatHours": 48,
         "approverRule": {"type": "PEOPLE", "emails": ["finance-manager@royalenfield.com"]},
         "condition": {"field": "amount", "op": ">", "value": 10000}},
        {"levelName": "CFO", "tatHours": 48, "approverRule": {"type": "PEOPLE", "emails": ["cfo@royalenfield.com"]},
         "condition": {"all": [{"field": "amount", "op": ">", "value": 50000},
                               {"field": "item", "op": "!=", "value": "Stationery"}]}},
    ],
}

DESCRIPTION = f"""\
A template is a form plus level **rules**: who approves is worked out from the requester and the
values they fill in, when the request is raised.

**Fields** (at most {form_fields.MAX_FIELDS}; `key` matches `{form_fields.KEY.pattern}` and is how a value is sent):
`SHORT_TEXT` (text, at most {form_fields.MAX_SHORT_TEXT} characters), `LONG_TEXT` (at most
{form_fields.MAX_LONG_TEXT}), `NUMBER` and `AMOUNT` (a JSON number or numeric text such as `"12500.50"`,
never `"12,500"`; below {form_fields.NUMBER_LIMIT:,f} in size, within the field's `min`/`max`; an amount has at
most two decimals and the field's `currency`, a number at most {form_fields.MAX_DECIMAL_PLACES}), `DATE` (`YYYY-MM-DD`), `CHOICE` (one of `options`, any
letter case), `PERSON` (the email of someone in the company directory), `FILE` (only as an upload: the
multipart create's part `fields.<key>`; a JSON body cannot carry one). A request's detail shows the values
with numbers as JSON numbers and a file as `{{documentId, fileName}}`.

**Levels** (at most {rules.MAX_LEVELS}), each with `approverRule`:
`PEOPLE` (`emails`, 1 to {rules.MAX_APPROVERS_PER_LEVEL}), `MANAGER` (the requester's manager, or `levelsUp`
1 to {definition.MAX_CHAIN} above them; the top of a shorter chain), `FIELD_MANAGER` (the manager of the person
named in a `PERSON` field), `GROUP` (the members of a directory or local group). A level may have a
**condition** on the form's values: `{{"field", "op", "value"}}` with `op` one of
{", ".join(f"`{op}`" for op in conditions.OPERATORS)} (`>`, `>=`, `<`, `<=` only for numbers, amounts and dates;
`in`/`not in` take a list of up to {conditions.MAX_VALUES} values; `is empty`/`is not empty` take none; text
compares without regard to case; a file field cannot be compared), or `{{"all": [...]}}` / `{{"any": [...]}}`
of conditions, nested at most {conditions.MAX_DEPTH} deep counting the comparisons (an `any` of `all`s of
comparisons) with at most {conditions.MAX_PARTS} parts. An empty
optional field fails every comparison except `!=`, `not in` and `is empty`. A level whose condition does
not hold is left out.

**Resolution**: the requester never approves their own request (their manager stands in); each person
approves once, at the first level that names them (a later level left with nobody new is left out); a rule
that finds nobody refuses the request naming the level, unless `whenNoApprover` is `SKIP` (then the level
is left out). If no level is left, the request is refused.

**Versions**: every change that alters the definition makes a new `version`; a request keeps reading the
version it was raised with. Archived templates raise no new requests. **onApproval** (at most
{definition.MAX_ON_APPROVAL}) assigns active flows once the request is approved: to the requester or to the
person in a `PERSON` field, due `dueInDays` (0 to {definition.MAX_DUE_IN_DAYS}, default {definition.DEFAULT_DUE_IN_DAYS}) later.
"""


def _problems(data):
    """The ``details`` the API answers for the definition ``data``."""
    try:
        definition.parse_definition(data)
    except ValidationFailed as error:
        return error.message
    raise AssertionError(f"{data} is a valid definition")


def _value_problems(values, files=None):
    """The ``details`` of raising the purchase template with ``values`` (no person fields: no directory)."""
    problems = Problems()
    form_fields.parse_values(definition.parse_definition(PURCHASE).fields, values, None, problems, files=files)
    return ValidationFailed(problems).message


def _admin_only(title):
    return api_error("Not an administrator.", ("Not an admin", title, services.ONLY_ADMINS_KEEP_TEMPLATES))


def _not_found(title, description="No template with that id in your organisation (another organisation's "
                                  "templates are not found either)."):
    return api_error(description, ("Unknown template", title, services.template_not_found(UNKNOWN_ID).message))


def _definition_errors():
    bad_rule = dict(PURCHASE, levels=[{"levelName": "Boss", "tatHours": 24, "approverRule": {"type": "BOSS"}}])
    deep = {"any": [{"all": [{"any": [{"field": "amount", "op": ">", "value": 1}]}]}]}
    too_deep = dict(PURCHASE, levels=[dict(PURCHASE["levels"][0], condition=deep)])
    bad_op = dict(PURCHASE, levels=[dict(PURCHASE["levels"][0], condition={"field": "item", "op": ">", "value": 1})])
    return api_validation(("No name", INVALID, _problems(dict(PURCHASE, name=""))),
                          ("Bad rule", INVALID, _problems(bad_rule)),
                          ("Too deep", INVALID, _problems(too_deep)),
                          ("Wrong operator", INVALID, _problems(bad_op)))


def paths():
    definition_body = {"required": True, "content": {"application/json": {
        "schema": schema("TemplateDefinition"), "examples": {"purchase": example("A purchase request", PURCHASE)}}}}
    listing = _op(
        TAG, "listTemplates", "List templates",
        "The organisation's active templates, by category then name (no paging: a few dozen at most). "
        "Administrators may add `includeArchived=true`.",
        {"200": json_response("The templates.", "TemplateListResponse"),
         "403": api_error("`includeArchived` is for administrators.",
                          ("Not an admin", Forbidden.title, api.ONLY_ADMINS_SEE_ARCHIVED))},
        parameters=("includeArchived",))
    create = _op(
        TAG, "createTemplate", "Create a template", "Administrators only. " + DESCRIPTION,
        {"201": json_response("Created, as version 1.", "TemplateResponse"),
         "400": _definition_errors(),
         "403": _admin_only(api.SAVE_FAILED),
         "409": api_error("Another template of the organisation has that name (any letter case).",
                          ("Name taken", api.SAVE_FAILED, services.name_taken("Purchase request").message))},
        body=definition_body)
    read = _op(
        TAG, "getTemplate", "Get a template",
        "The whole definition, current version. People who are not administrators do not see archived "
        "templates (404).",
        {"200": json_response("The template.", "TemplateResponse"), "404": _not_found(NotFound.title)},
        parameters=("templateId",))
    update = _op(
        TAG, "updateTemplate", "Change a template",
        "Administrators only. The body is the whole definition, as for the create; when it differs from the "
        "current one, `version` goes up by one (requests already raised keep their version). Sending the same "
        "definition again changes nothing.",
        {"200": json_response("Saved.", "TemplateResponse"), "400": _definition_errors(),
         "403": _admin_only(api.SAVE_FAILED), "404": _not_found(api.SAVE_FAILED),
         "409": api_error("Another template has that name.",
                          ("Name taken", api.SAVE_FAILED, services.name_taken("Purchase request").message))},
        parameters=("templateId",), body=definition_body)
    archive, restore = (_op(
        TAG, f"{verb}Template", f"{verb.capitalize()} a template",
        f"Administrators only. {what} Doing it twice is harmless.",
        {"200": json_response(f"{verb.capitalize()}d.", "TemplateResponse"), "403": _admin_only(api.SAVE_FAILED),
         "404": _not_found(api.SAVE_FAILED)}, parameters=("templateId",))
        for verb, what in (("archive", "No new requests can be raised from it; requests raised already keep "
                                       "reading it."),
                           ("restore", "It can be used for new requests again.")))
    preview = _op(
        TAG, "previewTemplate", "Preview who would approve",
        "The levels a request with these `fields` would get, worked out exactly as the create does (same "
        "values checks, same resolution), with each approver's reason (`why`) and the levels left out "
        "(`leftOut`, with the reason). Nothing is saved. Anyone may preview an active template; an archived one "
        "is 404 for people who are not administrators.",
        {"200": json_response("The levels.", "TemplatePreviewResponse"),
         "400": api_validation(("Bad value", INVALID, _value_problems({"item": "Laptop", "amount": "12,500"})),
                               ("Missing", INVALID, _value_problems({"amount": 10})),
                               ("Nobody", api.PREVIEW_FAILED, resolution.NOBODY_APPLIES)),
         "404": _not_found(api.PREVIEW_FAILED), "503": directory_unavailable("api")},
        parameters=("templateId",),
        body={"required": True, "content": {"application/json": {"schema": schema("TemplatePreviewRequest")}}})
    base = "/api/v1/templates"
    return {base: {"get": listing, "post": create},
            f"{base}/{{templateId}}": {"get": read, "put": update},
            f"{base}/{{templateId}}/archive": {"post": archive},
            f"{base}/{{templateId}}/restore": {"post": restore},
            f"{base}/{{templateId}}/preview": {"post": preview}}


def parameters():
    return {
        "templateId": {"name": "templateId", "in": "path", "required": True,
                       "description": "The template's `templateId` (`tmpl_…`).", "schema": {"type": "string"}},
        "includeArchived": {"name": "includeArchived", "in": "query", "required": False,
                            "description": "`true`: archived templates too (administrators).",
                            "schema": {"type": "string", "enum": ["true", "false"], "default": "false"}},
    }


def create_errors():
    """Cases of ``POST /api/v1/workflows`` from a template."""
    from momoflow.workflows.api import CREATE_FAILED

    return (("No templateId", INVALID, f"templateId: {TEMPLATE_ID_REQUIRED}"),
            ("Levels given", INVALID, f"approvalLevels: {TEMPLATE_HAS_LEVELS}"),
            ("Bad value", INVALID, _value_problems({"item": "Laptop", "amount": "12,500"})),
            ("File in JSON", INVALID, _value_problems({"item": "Laptop", "amount": 10, "quote": "quote.pdf"})),
            ("Nobody approves", CREATE_FAILED, resolution.NOBODY_APPLIES))


def multipart_errors():
    """Cases only the multipart create meets: a file part for a field that is not a file field."""
    return (("Unknown file part", INVALID,
             _value_problems({"item": "Laptop", "amount": 10}, files={"invoice": {"fileName": "quote.pdf"}})),)


def create_refusals():
    from momoflow.workflows.api import CREATE_FAILED

    return {"404": _not_found(CREATE_FAILED, "From a template: no template with that id in your organisation."),
            "409": api_error("From a template: the template is archived.",
                             ("Archived", CREATE_FAILED, raising.template_archived("Purchase request").message))}


# --- schemas ---------------------------------------------------------------------------------


def _field():
    return obj({
        "key": KEY, "label": text("Shown to the requester.", maxLength=form_fields.MAX_LABEL),
        "type": _enum(FieldType, "How the value is written (see the template description)."),
        "required": {"type": "boolean", "default": False},
        "help": nullable("string", maxLength=form_fields.MAX_HELP, description="A hint under the field."),
        "min": nullable("number", description="NUMBER and AMOUNT: the smallest value allowed."),
        "max": nullable("number", description="NUMBER and AMOUNT: the largest value allowed."),
        "currency": {"type": ["string", "null"], "pattern": "^[A-Z]{3}$", "default": "USD",
                     "description": "AMOUNT: a three-letter code."},
        "options": {"type": "array", "minItems": 1, "maxItems": form_fields.MAX_OPTIONS,
                    "items": {"type": "string", "maxLength": form_fields.MAX_OPTION},
                    "description": "CHOICE: the options, each once (any letter case)."},
    }, ["key", "label", "type"])


def _approver_rule():
    def rule(kind, properties, required=(), description=""):
        return obj({"type": {"const": kind.value}, **properties}, ["type", *required], description=description)

    levels_up = {"type": "integer", "minimum": 1, "maximum": definition.MAX_CHAIN, "default": 1,
                 "description": "How far up the management chain (the top, if the chain is shorter)."}
    return {"oneOf": [
        rule(RuleType.PEOPLE, {"emails": {"type": "array", "minItems": 1, "maxItems": rules.MAX_APPROVERS_PER_LEVEL,
                                          "items": EMAIL}}, ["emails"], "Named people, each once."),
        rule(RuleType.MANAGER, {"levelsUp": levels_up}, (), "The requester's manager (or higher)."),
        rule(RuleType.FIELD_MANAGER, {"field": KEY, "levelsUp": levels_up}, ["field"],
             "The manager of the person named in a PERSON field."),
        rule(RuleType.GROUP, {"group": text("The group's name.", maxLength=200)}, ["group"],
             "The active members of a directory or local group."),
    ]}


def _condition():
    scalar = {"type": ["number", "string"]}
    comparison = obj({
        "field": KEY, "op": {"type": "string", "enum": list(conditions.OPERATORS)},
        "value": {"type": ["number", "string", "array"], "items": scalar, "maxItems": conditions.MAX_VALUES,
                  "description": "As the field's type reads it (a date as YYYY-MM-DD); a list for `in`/`not in`; "
                                 "absent for `is empty`/`is not empty`."},
    }, ["field", "op"])
    parts = {"type": "array", "minItems": 1, "items": schema("Condition")}
    return {"oneOf": [comparison, obj({"all": parts}, ["all"]), obj({"any": parts}, ["any"])],
            "description": "A comparison, or all/any of conditions (nested at most "
                           f"{conditions.MAX_DEPTH} deep)."}


def _definition_properties():
    return {
        "name": text("Unique in the organisation (any letter case).", maxLength=definition.MAX_NAME, minLength=1),
        "description": text("Also the request's default description.", maxLength=definition.MAX_DESCRIPTION),
        "category": text("Groups templates in the picker.", maxLength=definition.MAX_CATEGORY),
        "instructions": text("Shown above the form.", maxLength=definition.MAX_INSTRUCTIONS),
        "defaultPriority": {**_enum(Priority, "The request's priority unless it gives one."), "default": "STANDARD"},
        "defaultSpectators": {"type": "array", "maxItems": rules.MAX_SPECTATORS, "items": schema("SpectatorInput"),
                              "description": "Added to every request (not the approvers or the requester)."},
        "whenNoApprover": {**_enum(WhenNoApprover, "FAIL: a level whose rule finds nobody refuses the request; "
                                                   "SKIP: it is left out."), "default": "FAIL"},
        "fields": {"type": "array", "maxItems": form_fields.MAX_FIELDS, "items": schema("TemplateField")},
        "levels": {"type": "array", "minItems": 1, "maxItems": rules.MAX_LEVELS, "items": schema("LevelRule")},
        "onApproval": {"type": "array", "maxItems": definition.MAX_ON_APPROVAL, "items": schema("OnApproval")},
    }


def _summary_properties():
    return {
        "templateId": text("`tmpl_…`."), "name": {"type": "string"}, "category": {"type": "string"},
        "description": {"type": "string"}, "status": _enum(TemplateStatus, "ARCHIVED: no new requests."),
        "version": {"type": "integer", "minimum": 1, "description": "Goes up with every change."},
        "updatedAt": moment("Last change."),
    }


def _preview():
    approver = obj({"email": EMAIL, "name": {"type": "string"},
                    "why": text("e.g. \"your manager\", \"named in the template\".")}, ["email", "name", "why"])
    level = obj({
        "levelNumber": {"type": "integer", "minimum": 1, "description": "In the request."},
        "templateLevel": {"type": "integer", "minimum": 1, "description": "In the template."},
        "levelName": {"type": "string"}, "tatHours": {"type": "number"},
        "approvalMode": _enum(ApprovalMode, "How the level is decided."),
        "minApprovals": {"type": "integer", "minimum": 1},
        "rejectionPolicy": _enum(RejectionPolicy, "When rejections reject the level."),
        "onBreach": _enum(BreachAction, "What a breached TAT does."),
        "approvers": {"type": "array", "items": approver},
        "summary": text("e.g. \"Arjun Mehta (your manager)\"."),
    }, ["levelNumber", "templateLevel", "levelName", "tatHours", "approvalMode", "minApprovals",
        "rejectionPolicy", "onBreach", "approvers", "summary"])
    left_out = obj({"templateLevel": {"type": "integer", "minimum": 1}, "levelName": {"type": "string"},
                    "reason": text("Why it is left out.")}, ["templateLevel", "levelName", "reason"])
    return obj({"templateId": {"type": "string"}, "version": {"type": "integer"},
                "levels": {"type": "array", "items": level}, "leftOut": {"type": "array", "items": left_out}},
               ["templateId", "version", "levels", "leftOut"])


def _template_example():
    summary = {"templateId": "tmpl_4sdT9x2LmQpa", "status": "ACTIVE", "version": 2,
               "updatedAt": "2026-12-04T09:30:00+00:00", "createdAt": "2026-11-20T08:00:00+00:00"}
    return {**definition.parse_definition(PURCHASE).as_json(), **summary}


def schemas():
    template = {**_summary_properties(), **_definition_properties(), "createdAt": moment("When it was created.")}
    values = {"type": "object", "propertyNames": {"pattern": form_fields.KEY.pattern},
              "description": "`{key: value}` for the template's fields, each written as its type reads it (see "
                             "`POST /api/v1/templates`); FILE fields only as multipart parts `fields.<key>`."}
    return {
        "TemplateField": _field(),
        "ApproverRule": _approver_rule(),
        "Condition": _condition(),
        "LevelRule": obj({
            "levelName": text("The level's name.", maxLength=rules.MAX_LEVEL_NAME_LENGTH, minLength=1),
            "tatHours": {"type": "number", "exclusiveMinimum": 0, "maximum": int(rules.MAX_TAT_HOURS)},
            "approvalMode": {**_enum(ApprovalMode, "As for a level of a request."), "default": "ANY"},
            "minApprovals": {"type": "integer", "minimum": 1, "maximum": rules.MAX_APPROVERS_PER_LEVEL,
                             "description": "QUORUM only."},
            "rejectionPolicy": {**_enum(RejectionPolicy, "As for a level of a request."), "default": "VETO"},
            "onBreach": {**_enum(BreachAction, "As for a level of a request."), "default": "NOTIFY"},
            "approverRule": schema("ApproverRule"),
            "condition": {"oneOf": [schema("Condition"), {"type": "null"}],
                          "description": "The level applies only when it holds; null: always."},
        }, ["levelName", "tatHours", "approverRule"]),
        "OnApproval": obj({
            "flowId": text("An active flow of the organisation.", maxLength=40),
            "assignTo": {"oneOf": [{"const": REQUESTER}, obj({"field": KEY}, ["field"])], "default": REQUESTER,
                         "description": "The requester, or the person named in a PERSON field."},
            "dueInDays": {"type": "integer", "minimum": 0, "maximum": definition.MAX_DUE_IN_DAYS,
                          "default": definition.DEFAULT_DUE_IN_DAYS},
        }, ["flowId"]),
        "TemplateDefinition": obj(_definition_properties(), ["name", "levels"], examples=[PURCHASE]),
        "TemplateSummary": obj(_summary_properties(), list(_summary_properties())),
        "Template": obj(template, list(template), examples=[_template_example()]),
        "TemplatePreviewRequest": obj({"fields": {**values, "description": "The values so far (as for a request)."}}),
        "TemplatePreview": _preview(),
        "TemplateOfRequest": obj({"templateId": {"type": "string"}, "name": {"type": "string"},
                                  "version": {"type": "integer", "description": "The version it was raised with."}},
                                 ["templateId", "name", "version"]),
        "FieldValues": values,
        "TemplateListResponse": _ok({"type": "array", "items": schema("TemplateSummary")}, "The templates.",
                                    message=False),
        "TemplateResponse": _ok(schema("Template"), "The template."),
        "TemplatePreviewResponse": _ok(schema("TemplatePreview"), "Who would approve.", message=False),
        "CreateTemplateWorkflowRequest": obj({
            "templateType": {"const": TemplateType.TEMPLATE.value},
            "templateId": text("The active template to raise it from."),
            "fields": values,
            "title": text("Default: the template's name and the first text answer.",
                          maxLength=rules.MAX_TITLE_LENGTH),
            "description": text("Default: the template's description.", maxLength=rules.MAX_DESCRIPTION_LENGTH),
            "priority": _enum(Priority, "Default: the template's."),
            "spectators": {"type": "array", "maxItems": rules.MAX_SPECTATORS, "items": schema("SpectatorInput"),
                           "description": "Added to the template's default spectators."},
        }, ["templateType", "templateId"], description="A request from a template: the levels come from its "
                                                       "rules (`approvalLevels` is refused).",
            examples=[{"templateType": "TEMPLATE", "templateId": "tmpl_4sdT9x2LmQpa",
                       "fields": {"item": "Laptop", "amount": 75000}}]),
    }
