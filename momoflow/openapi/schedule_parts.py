"""The integrator API's recurring assignments (``/v1/flows/schedules``): paths, parameters
and schemas, merged into the integrator parts by ``integrator_paths`` and ``integrator_schemas``.

Limits come from ``momoflow.flows.schedules``, field names from ``schedules_api.schedule_json``.
"""

import functools

from momoflow.errors import Conflict, NotFound, ValidationFailed
from momoflow.fields import not_a_whole_number
from momoflow.flows import rules, schedules, schedules_api, services
from momoflow.flows.assigning import MAX_PEOPLE
from momoflow.flows.models import Priority, ScheduleUnit
from momoflow.flows.validation import cannot_change
from momoflow.openapi.common import (
    integrator_error,
    integrator_operation,
    integrator_ok,
    integrator_validation,
    key_reused,
    moment,
    nullable,
    obj,
    problems,
    schema,
    still_running,
    text,
    wrong_content_type,
)

SCHEDULES = "Schedules"
AUDIENCE = obj({"type": {"type": "string", "enum": ["group", "department"]},
                "name": {"type": "string", "maxLength": 200}}, ["type", "name"])
SCHEDULE_ID = text("The schedule's public id.", examples=["sched_4fQ2mZ8kLp1x"])
EMAILS = {"type": "array", "minItems": 1, "maxItems": MAX_PEOPLE, "items": {"type": "string", "format": "email"},
          "description": "The people to assign the flow to on every run (each once)."}
REQUEST_EXAMPLE = {"flowId": "flow_sec101", "userEmails": ["employee@company.com", "manager@royalenfield.com"],
                   "every": 12, "unit": "months", "dueInDays": 30, "priority": "high",
                   "notes": "Yearly security refresher", "startAt": "2025-01-06T09:00:00Z"}
SCHEDULE_EXAMPLE = {"scheduleId": "sched_4fQ2mZ8kLp1x", "flowId": "flow_sec101",
                    "userEmails": ["employee@company.com", "manager@royalenfield.com"], "audience": None, "every": 12,
                    "unit": "months", "dueInDays": 30, "priority": "high", "notes": "Yearly security refresher",
                    "nextRunAt": "2025-01-06T09:00:00Z", "lastRunAt": None, "active": True,
                    "createdAt": "2024-12-02T10:15:00Z"}


def _values(enum):
    return [member.value for member in enum]


def schedule_parameters():
    return {
        "scheduleId": {"name": "scheduleId", "in": "path", "required": True,
                       "description": "The `scheduleId` returned when the schedule was created.",
                       "schema": {"type": "string"}},
        "scheduleCursor": {"name": "cursor", "in": "query", "required": False,
                           "description": "`nextCursor` from the previous page.", "schema": {"type": "string"}},
        "scheduleLimit": {"name": "limit", "in": "query", "required": False, "description": "Page size.",
                          "schema": {"type": "integer", "minimum": 1, "maximum": schedules.MAX_LIMIT,
                                     "default": schedules.DEFAULT_LIMIT}},
    }


def schedule_schemas():
    every = max(schedules.MAX_EVERY.values())
    request = {
        "flowId": text("An active flow of your organisation.", examples=["flow_sec101"]),
        "userEmails": EMAILS,
        "every": {"type": "integer", "minimum": 1, "maximum": every,
                  "description": f"Run every this many `unit`s (months: at most "
                                 f"{schedules.MAX_EVERY[ScheduleUnit.MONTHS]}; days: at most "
                                 f"{schedules.MAX_EVERY[ScheduleUnit.DAYS]})."},
        "unit": {"type": "string", "enum": _values(ScheduleUnit),
                 "description": "`months` keeps the day of the month, clamped to the month's end (Jan 31 → Feb 28)."},
        "dueInDays": {"type": "integer", "minimum": 0, "maximum": schedules.MAX_DUE_IN_DAYS,
                      "default": schedules.DEFAULT_DUE_IN_DAYS,
                      "description": "Each run's assignments are due this many days after the run."},
        "priority": {"type": "string", "enum": _values(Priority), "default": Priority.MEDIUM.value},
        "notes": {"type": ["string", "null"], "maxLength": rules.MAX_NOTES_LENGTH,
                  "description": "Notes for the assignees, on every run."},
        "audience": {"oneOf": [AUDIENCE, {"type": "null"}],
                     "description": "Everyone in this group (local or from the directory) or department at each "
                                    "run is assigned too; with it, `userEmails` may be left out."},
        "startAt": {"type": ["string", "null"],
                    "description": "The first run: ISO 8601 with a time zone, or a date (midnight UTC), from "
                                   f"{schedules.EARLIEST_START:%Y-%m-%d} to {schedules.MAX_START_AHEAD.days // 365} "
                                   "years ahead. Omitted: now (within a minute). A past start sets the rhythm: "
                                   "the first run is at once."},
    }
    schedule = {
        "scheduleId": SCHEDULE_ID,
        "flowId": text("The flow it assigns.", examples=["flow_sec101"]),
        "userEmails": {**EMAILS, "minItems": 0,
                       "description": "The people listed (none when a group or department is all it assigns)."},
        "audience": {"oneOf": [AUDIENCE, {"type": "null"}],
                     "description": "Everyone in this group or department at each run is assigned too; null when "
                                    "only `userEmails` are."},
        "every": {"type": "integer", "minimum": 1},
        "unit": {"type": "string", "enum": _values(ScheduleUnit)},
        "dueInDays": {"type": "integer", "minimum": 0},
        "priority": {"type": "string", "enum": _values(Priority)},
        "notes": nullable("string"),
        "nextRunAt": moment("When it runs next (UTC); null once cancelled.", True),
        "lastRunAt": moment("When it last ran; null before its first run.", True),
        "active": {"type": "boolean", "description": "False once cancelled (or once its flow was archived)."},
        "createdAt": moment("When it was created."),
    }
    return {
        "CreateScheduleRequest": obj(request, ["flowId", "every", "unit"], examples=[REQUEST_EXAMPLE],
                                     description="`userEmails`, `audience` or both."),
        "UpdateScheduleRequest": obj({name: request[name] for name in schedules_api.CHANGEABLE},
                                     additionalProperties=False,
                                     description="Only the fields to change; the flow and the first run stay."),
        "ScheduleRun": obj({
            "schedule": schema("Schedule"),
            "assigned": {"type": "integer", "minimum": 0},
            "failed": {"type": "integer", "minimum": 0, "description": "People skipped: they still have the flow "
                                                                        "open, or cannot be found."},
            "results": {"type": "array", "items": schema("BulkAssignResult"),
                        "description": "One per person, as `POST /v1/flows/assign/bulk` answers."},
        }, ["schedule", "assigned", "failed", "results"]),
        "Schedule": obj(schedule, list(schedule), examples=[SCHEDULE_EXAMPLE]),
        "ScheduleList": obj({"data": {"type": "array", "items": schema("Schedule")},
                             "nextCursor": nullable("string", description="Send as `cursor` for the next page; "
                                                                          "null on the last page.")},
                            ["data", "nextCursor"]),
    }


_op = functools.partial(integrator_operation, SCHEDULES)


def schedule_paths():
    not_found = integrator_error("No such schedule in your organisation.",
                                 ("Unknown schedule", NotFound.code,
                                  schedules.schedule_not_found("sched_nope").message))
    create = _op(
        "createSchedule", "Assign a flow again and again",
        "Every `every` `unit`s from `startAt`, the flow is assigned to each of `userEmails`, due `dueInDays` "
        "later; people who still have it open are skipped. After downtime a schedule runs once, not once per "
        "missed run. Schedules of a flow that gets archived stop (`active` becomes false).",
        {"201": integrator_ok("Created.", "Schedule", replayable=True),
         "400": integrator_validation(
             ("Bad fields", ValidationFailed.code, problems(("userEmails.1", schedules.not_an_email("not-an-email")),
                                                            ("unit", schedules.UNIT_PROBLEM))),
             ("Unknown person", ValidationFailed.code,
              problems(("userEmails.0", services.user_not_found("ghost@company.com").message)))),
         "404": integrator_error("The flow does not exist in your organisation.", "Seed404Flow"),
         "409": integrator_error("The flow is archived, or a request with the same idempotency key is still running.",
                                 ("Archived flow", Conflict.code, services.archived("flow_123abc", "scheduled")),
                                 still_running("sched-1")),
         "415": wrong_content_type(), "422": key_reused("sched-1")},
        parameters=("IdempotencyKey", "XRequestID"),
        body={"required": True, "content": {"application/json": {
            "schema": schema("CreateScheduleRequest"),
            "examples": {"yearly": {"summary": "Yearly training", "value": REQUEST_EXAMPLE}}}}})
    listing = _op("listSchedules", "List schedules, one page at a time",
                  "Newest first, cancelled ones included. Follow `nextCursor` until it is null.",
                  {"200": integrator_ok("One page.", "ScheduleList"),
                   "400": integrator_validation(("Bad limit", ValidationFailed.code, problems(
                       ("limit", not_a_whole_number("limit", 1, schedules.MAX_LIMIT)))))},
                  parameters=("scheduleCursor", "scheduleLimit"))
    detail = _op("getSchedule", "Get a schedule", "With its next and last run.",
                 {"200": integrator_ok("The schedule.", "Schedule"), "404": not_found}, parameters=("scheduleId",))
    cancel = _op("cancelSchedule", "Cancel a schedule",
                 "No more runs; what it already assigned stays assigned. Answers 200 with the schedule "
                 "(`active: false`), also when it was cancelled before.",
                 {"200": integrator_ok("Cancelled: the schedule.", "Schedule"), "404": not_found},
                 parameters=("scheduleId",))
    update = _op("updateSchedule", "Change a schedule",
                 "People, group or department, rhythm, due-in, priority and notes, from its next run on: the run "
                 "already planned keeps its moment and a new rhythm counts from it. Only an active schedule.",
                 {"200": integrator_ok("The changed schedule.", "Schedule", replayable=True),
                  "400": integrator_validation(
                      ("Bad fields", ValidationFailed.code, problems(("unit", schedules.UNIT_PROBLEM))),
                      ("Another field", ValidationFailed.code, problems(
                          ("flowId", cannot_change("flowId", schedules_api.CHANGEABLE))))),
                  "404": not_found, "409": inactive("update-1"), "415": wrong_content_type(),
                  "422": key_reused("update-1")},
                 parameters=("scheduleId", "IdempotencyKey", "XRequestID"),
                 body={"required": True, "content": {"application/json": {
                     "schema": schema("UpdateScheduleRequest"),
                     "examples": {"rhythm": {"summary": "Every six months", "value": {"every": 6}}}}}})
    run = _op("runSchedule", "Run a schedule now",
              "One run now, besides its rhythm (the planned run stays): everyone it names is assigned, due "
              "`dueInDays` from now; people who still have the flow open are skipped with `already_assigned`.",
              {"200": integrator_ok("A result per person.", "ScheduleRun", replayable=True), "404": not_found,
               "409": inactive("run-1"), "422": key_reused("run-1")},
              parameters=("scheduleId", "IdempotencyKey", "XRequestID"))
    return {"/v1/flows/schedules": {"get": listing, "post": create},
            "/v1/flows/schedules/{scheduleId}": {"get": detail, "delete": cancel, "patch": update},
            "/v1/flows/schedules/{scheduleId}/run": {"post": run}}


def inactive(key):
    return integrator_error("The schedule was cancelled (or its flow archived), or a request with the same "
                            "idempotency key is still running.",
                            ("Cancelled", Conflict.code, schedules.NOT_ACTIVE), still_running(key))
