"""``paths`` and ``components/schemas`` for out of office (``/api/v1/me/out-of-office`` and
``/api/v1/users/{email}/out-of-office``). Messages come from ``momoflow.accounts.absences``."""

from momoflow.accounts import absence_api, absences
from momoflow.api import NOT_JSON
from momoflow.errors import Forbidden, NotFound, ValidationFailed
from momoflow.fields import EMAIL_REQUIRED, too_long
from momoflow.openapi.common import api_error, api_unauthorized, api_validation, example, json_request, json_response
from momoflow.openapi.common import nullable, obj, problems, schema, text

TAG = "Out of office and stand-ins"
BEARER = [{"bearerAuth": []}]
INVALID = ValidationFailed.title
EMAIL = {"type": "string", "format": "email"}
ZONED = {"type": "string", "format": "date-time"}

ABSENCE = {"start": "2026-12-07T09:00:00+05:30", "end": "2026-12-11T18:00:00+05:30",
           "delegateEmail": "manager@royalenfield.com",
           "delegate": {"email": "manager@royalenfield.com", "name": "Arjun Mehta"},
           "message": "Back on Monday the 14th.", "active": False, "timeZone": "Asia/Kolkata"}
SET_REQUEST = {"start": "2026-12-07T09:00:00+05:30", "end": "2026-12-11T18:00:00+05:30",
               "delegateEmail": "manager@royalenfield.com", "message": "Back on Monday the 14th."}


def absence_schemas():
    absence = obj({
        "start": {**ZONED, "description": "When the absence begins, in the organisation's time zone."},
        "end": {**ZONED, "description": "When it ends (the person is back), in the organisation's time zone."},
        "delegateEmail": {**EMAIL, "description": "Who stands in meanwhile."},
        "delegate": obj({"email": EMAIL, "name": text("Their name.")}, ["email", "name"]),
        "message": nullable("string", description="A note for the stand-in."),
        "active": {"type": "boolean", "description": "Whether the absence covers now."},
        "timeZone": text("The organisation's time zone, which `start` and `end` are written in."),
    }, ["start", "end", "delegateEmail", "delegate", "message", "active", "timeZone"])
    return {
        "Absence": absence,
        "AbsenceResponse": obj({"success": {"const": True}, "message": text("What was done."),
                                "data": {"oneOf": [schema("Absence"), {"type": "null"}],
                                         "description": "The current or upcoming absence; null when none."}},
                               ["success", "data"]),
        "SetAbsenceRequest": obj({
            "start": {**ZONED, "description": "ISO 8601 with a zone offset (any zone)."},
            "end": {**ZONED, "description": "ISO 8601 with a zone offset; after `start`, and in the future."},
            "delegateEmail": {**EMAIL, "description": "An active person of your organisation, not yourself, who is "
                                                      "not away then handing their work back to you."},
            "message": {"type": ["string", "null"], "maxLength": absences.MAX_MESSAGE_LENGTH},
        }, ["start", "end", "delegateEmail"], examples=[SET_REQUEST]),
    }


def _examples(*names_and_values):
    return {name: example(summary, value) for name, summary, value in names_and_values}


def _op(operation_id, summary, description, responses, *, admin=False, body=None):
    operation = {"tags": [TAG], "operationId": operation_id, "summary": summary, "description": description,
                 "security": BEARER}
    if admin:
        operation["parameters"] = [{"name": "email", "in": "path", "required": True, "schema": EMAIL,
                                    "description": "The person's email (of your organisation)."}]
        responses["403"] = api_error("Only administrators manage other people's out of office.",
                                     ("Not an admin", Forbidden.title, absences.NOT_ALLOWED))
        unknown = ("Unknown person", NotFound.title, absences.PERSON_NOT_FOUND)
        cases = responses.pop("404", {}).get("x-cases", ())
        responses["404"] = api_error("No such person in your organisation" + (", or nothing was set." if cases
                                                                               else "."), unknown, *cases)
    elif "404" in responses:
        responses["404"] = api_error("Nothing was set.", *responses["404"]["x-cases"])
    if body:
        operation["requestBody"] = body
    responses["401"] = api_unauthorized()
    operation["responses"] = dict(sorted(responses.items()))
    return operation


def _answer(description):
    return json_response(description, "AbsenceResponse", inline_examples=_examples(
        ("set", "Set", {"success": True, "data": ABSENCE}), ("none", "Nothing set", {"success": True, "data": None})))


def _operations(prefix, admin):
    who = "this person's" if admin else "your"
    get = _op(f"get{prefix}Absence", f"Get {who} out-of-office",
              "The current or upcoming absence, or `data: null`.", {"200": _answer("The absence, or null.")},
              admin=admin)
    put = _op(f"set{prefix}Absence", f"Set {who} out-of-office",
              "Replaces any absence already set. While it lasts, tasks waiting for the person go to the stand-in "
              "(and come back when it ends); the stand-in is notified (`absence.set`).",
              {"200": _answer("Saved: the absence as stored."),
               "400": api_validation(
                   ("Missing fields", INVALID, problems(("start", absences.START_REQUIRED),
                                                        ("end", absences.END_REQUIRED),
                                                        ("delegateEmail", EMAIL_REQUIRED))),
                   ("End first", INVALID, problems(("end", absences.END_BEFORE_START))),
                   ("In the past", INVALID, problems(("end", absences.END_IN_PAST))),
                   ("No zone", INVALID, problems(("start", absences.START_NEEDS_ZONE))),
                   ("Unknown stand-in", INVALID, problems(("delegateEmail", absences.DELEGATE_UNKNOWN))),
                   ("Yourself", INVALID, problems(("delegateEmail", absences.DELEGATE_IS_SELF))),
                   ("Cycle", INVALID, problems(("delegateEmail", absences.cycle_message(_Named("Jane Doe"), [])))),
                   ("Long note", INVALID, problems(("message", too_long("Message", absences.MAX_MESSAGE_LENGTH)))),
                   ("Not JSON", INVALID, f"body: {NOT_JSON}"))},
              admin=admin, body=json_request("SetAbsenceRequest"))
    delete = _op(f"clear{prefix}Absence", f"Clear {who} out-of-office",
                 "\"I'm back\": ends the absence now; tasks the stand-in has not acted on go back.",
                 {"200": json_response("Cleared (`data` is null).", "AbsenceResponse",
                                       inline_examples=_examples(("cleared", "Cleared", {
                                           "success": True, "message": absence_api.CLEARED, "data": None}))),
                  "404": {"x-cases": [("None set", NotFound.title, absences.NO_ABSENCE)]}},
                 admin=admin)
    return {"get": get, "put": put, "delete": delete}


class _Named:
    def __init__(self, display_name):
        self.display_name = display_name


def absence_paths():
    return {"/api/v1/me/out-of-office": _operations("My", admin=False),
            "/api/v1/users/{email}/out-of-office": _operations("Users", admin=True)}
