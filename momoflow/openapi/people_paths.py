"""``paths`` and ``components`` for the administrators' people API (``/api/v1/users``)."""

from momoflow.accounts import admin, api, people
from momoflow.accounts.models import Role
from momoflow.errors import Forbidden, ValidationFailed
from momoflow.openapi.common import (
    api_error,
    api_unauthorized,
    api_validation,
    json_response,
    moment,
    obj,
    ref,
    schema,
    text,
)

TAG = "People (administrators)"
BEARER = [{"bearerAuth": []}]
EMAIL = {"type": "string", "format": "email"}


def parameters():
    def query(name, description, schema_):
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema_}

    return {
        "userEmail": {"name": "email", "in": "path", "required": True, "description": "The person's email.",
                      "schema": EMAIL},
        "userSearch": query("q", "Part of a name or email (any letter case).",
                            {"type": "string", "maxLength": 100}),
        "userStatus": query("status", "Only active or only deactivated people.",
                            {"type": "string", "enum": list(people.STATUSES)}),
        "userRole": query("role", "Only people with this role.", {"type": "string", "enum": [r.value for r in Role]}),
        "userLimit": query("limit", "Page size.", {"type": "integer", "minimum": 1, "maximum": people.MAX_LIMIT,
                                                   "default": people.DEFAULT_LIMIT}),
        "userCursor": query("cursor", "`pagination.nextCursor` from the previous page.", {"type": "string"}),
    }


def schemas():
    name_and_email = obj({"email": EMAIL, "name": {"type": "string"}}, ["email", "name"])
    return {
        "PersonNameAndEmail": name_and_email,
        "PersonForAdmins": obj({
            "email": EMAIL,
            "name": text("Display name."),
            "role": {"type": "string", "enum": [r.value for r in Role]},
            "active": {"type": "boolean", "description": "False once deactivated: they cannot sign in."},
            "manager": {"oneOf": [schema("PersonNameAndEmail"), {"type": "null"}]},
            "absence": {"oneOf": [obj({
                "startsAt": moment("When they are away from."),
                "endsAt": moment("When they are back."),
                "delegate": {"oneOf": [schema("PersonNameAndEmail"), {"type": "null"}],
                             "description": "Who stands in for them."},
            }, ["startsAt", "endsAt", "delegate"]), {"type": "null"}],
                "description": "Their current out-of-office, else the next one; null when none is ahead."},
            "undecidedTasks": {"type": "integer", "minimum": 0,
                               "description": "Approval tasks they hold and have not decided."},
        }, ["email", "name", "role", "active", "manager", "absence", "undecidedTasks"]),
        "PersonForAdminsResponse": obj({"success": {"const": True}, "message": text("What was done."),
                                        "data": schema("PersonForAdmins")}, ["success", "message", "data"]),
        "PersonListResponse": obj({"success": {"const": True},
                                   "data": {"type": "array", "items": schema("PersonForAdmins")},
                                   "pagination": schema("Pagination")}, ["success", "data", "pagination"]),
    }


def _op(operation_id, summary, description, responses, parameters, title=Forbidden.title):
    responses.setdefault("401", api_unauthorized())
    responses.setdefault("403", api_error("Not an administrator.", ("Not an admin", title, admin.ONLY_ADMINS)))
    return {"tags": [TAG], "operationId": operation_id, "summary": summary, "description": description,
            "security": BEARER, "parameters": [ref("parameters", name) for name in parameters],
            "responses": dict(sorted(responses.items()))}


def _change(verb, title, description, refusals):
    not_found = api_error("The email names nobody in your organisation.",
                          ("Unknown person", title, admin.person_not_found("someone@example.com").message))
    return _op(f"{verb}User", f"{verb.capitalize()} a person", description,
               {"200": json_response("Done: the person as the list shows them.", "PersonForAdminsResponse"),
                "404": not_found, **refusals}, ("userEmail",), title)


def paths():
    listing = _op("listUsers", "List your organisation's people",
                  "By name. Follow `pagination.nextCursor` while `pagination.hasMore` is true.",
                  {"200": json_response("One page.", "PersonListResponse"),
                   "400": api_validation(("Bad status", ValidationFailed.title, f"status: {people.STATUS_PROBLEM}"))},
                  ("userSearch", "userStatus", "userRole", "userLimit", "userCursor"))
    deactivate = _change(
        "deactivate", api.DEACTIVATE_FAILED,
        "Ends their sign-ins and API tokens at once and hands their undecided approval tasks to their stand-in or "
        "manager (else the administrators are alerted). The organisation's other administrators are notified.",
        {"400": api_error("Not yourself.", ("Yourself", api.DEACTIVATE_FAILED, admin.NOT_YOURSELF)),
         "409": api_error("Already deactivated, or the last active administrator.",
                          ("Already", api.DEACTIVATE_FAILED, admin.ALREADY_INACTIVE),
                          ("Last admin", api.DEACTIVATE_FAILED, admin.LAST_ADMIN))})
    reactivate = _change(
        "reactivate", api.REACTIVATE_FAILED,
        "They can sign in again (sessions and tokens from before stay void). Tasks handed on stay where they are.",
        {"409": api_error("Already active.", ("Already", api.REACTIVATE_FAILED, admin.ALREADY_ACTIVE))})
    return {"/api/v1/users": {"get": listing},
            "/api/v1/users/{email}/deactivate": {"post": deactivate},
            "/api/v1/users/{email}/reactivate": {"post": reactivate}}


