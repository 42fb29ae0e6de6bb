"""Building blocks shared by both APIs' parts of the document: references, bodies,
responses in each API's error shape, and the headers every integrator answer carries.

Error examples use the messages and titles the code raises, imported from where it raises
them (never copied), so an example cannot drift from the answer it documents."""

from momoflow.api import MISSING_TOKEN, NOT_JSON_CONTENT_TYPE
from momoflow.auth.tokens import INVALID_TOKEN, TOKEN_EXPIRED, TOKEN_EXPIRED_TITLE, TOKEN_REVOKED, TOKEN_REVOKED_TITLE
from momoflow.errors import (
    HTTP_TITLES,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    try_again_in,
)
from momoflow.integrator import idempotency
from momoflow.openapi import seed_examples as seed
from momoflow.workflows.access import REQUEST_NOT_FOUND

JSON = "application/json"


def ref(kind, name):
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name):
    return ref("schemas", name)


def nullable(type_name, **extra):
    return {"type": [type_name, "null"], **extra}


def obj(properties, required=(), **extra):
    """A JSON object schema; ``required`` lists what the code always sends (or needs)."""
    result = {"type": "object", "properties": properties}
    if required:
        result["required"] = list(required)
    result.update(extra)
    return result


def text(description, **extra):
    return {"type": "string", "description": description, **extra}


def moment(description, nullable_=False):
    """A UTC timestamp as the code writes it."""
    return {"type": ["string", "null"] if nullable_ else "string", "format": "date-time", "description": description}


def example(summary, value, seed_id=None, adapted=False, description=None):
    """An Example Object; ``seed_id`` marks it as taken from that seed document
    (``adapted``: its placeholders, such as ``...``, or missing fields were filled in)."""
    result = {"summary": summary, "value": value}
    if description:
        result["description"] = description
    if seed_id:
        result["x-seed"] = seed_id
        if adapted:
            result["x-seed-adapted"] = True
    return result


def examples_of(*names):
    """Media-type examples referring to ``components/examples`` by name."""
    return {name: ref("examples", name) for name in names}


def json_request(schema_name, *example_names, required=True, description=None):
    body = {"required": required,
            "content": {JSON: {"schema": schema(schema_name), "examples": examples_of(*example_names)}}}
    if description:
        body["description"] = description
    return body


def json_response(description, schema_name, *example_names, headers=None, inline_examples=None):
    media = {"schema": schema(schema_name)}
    examples = examples_of(*example_names)
    examples.update(inline_examples or {})
    if examples:
        media["examples"] = examples
    response = {"description": description, "content": {JSON: media}}
    if headers:
        response["headers"] = headers
    return response


def _error_examples(cases, render):
    """``cases``: names of ``components/examples`` or ``(summary, *fields)`` tuples."""
    examples = {}
    for index, case in enumerate(cases, start=1):
        if isinstance(case, str):
            examples[case] = ref("examples", case)
        else:
            examples[f"case{index}"] = example(case[0], render(*case[1:]))
    return examples


# --- /api/v1: {"success": false, "error": title, "details": message} ----------------


def api_error(description, *cases):
    """An ``/api/v1`` error response; tuple cases are ``(summary, title, details)``."""
    render = lambda title, details: {"success": False, "error": title, "details": details}  # noqa: E731
    return {"description": description,
            "content": {JSON: {"schema": schema("ApiError"), "examples": _error_examples(cases, render)}}}


def api_throttled(description):
    response = api_error(description, ("Throttled", HTTP_TITLES[429][1], try_again_in(42)))
    response["headers"] = {"Retry-After": ref("headers", "Retry-After")}
    return response


def api_unauthorized():
    return api_error(
        "No bearer token, or one that is invalid, expired or revoked (its person signed out everywhere, "
        "or their role changed).", no_token(),
        ("Expired token", TOKEN_EXPIRED_TITLE, TOKEN_EXPIRED),
        ("Revoked token", TOKEN_REVOKED_TITLE, TOKEN_REVOKED),
        ("Malformed or forged token", INVALID_TOKEN, INVALID_TOKEN))


def no_token():
    return "No token", Unauthorized.title, MISSING_TOKEN


def problems(*pairs):
    """``details``/``message`` of a validation error, ``field: problem; …``, as the code joins them."""
    return ValidationFailed(pairs).message


def api_validation(*cases):
    return api_error("The body or query is invalid: `details` lists `field: problem; …`.", *cases)


def request_not_found(title):
    return api_error("No such request, or not one this person takes part in (or administers).",
                     ("Unknown request", title, REQUEST_NOT_FOUND))


def directory_unavailable(style):
    from momoflow.directory import DirectoryUnavailable

    message = DirectoryUnavailable().message
    if style == "api":
        return api_error("The company directory did not answer.",
                         ("Directory down", ServiceUnavailable.title, message))
    return integrator_error("The company directory did not answer.",
                            ("Directory down", ServiceUnavailable.code, message))


# --- /v1: {"error": code, "message": message} --------------------------------------

RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": ref("headers", "X-RateLimit-Limit"),
    "X-RateLimit-Remaining": ref("headers", "X-RateLimit-Remaining"),
    "X-RateLimit-Reset": ref("headers", "X-RateLimit-Reset"),
    "X-Request-ID": ref("headers", "X-Request-ID"),
}


def integrator_headers(replayable=False):
    headers = dict(RATE_LIMIT_HEADERS)
    if replayable:
        headers["Idempotent-Replayed"] = ref("headers", "Idempotent-Replayed")
    return headers


def integrator_ok(description, schema_name, *example_names, replayable=False, inline_examples=None):
    return json_response(description, schema_name, *example_names, headers=integrator_headers(replayable),
                         inline_examples=inline_examples)


def integrator_error(description, *cases, schema_name="IntegratorError"):
    """A ``/v1`` error response; tuple cases are ``(summary, code, message[, extra fields])``."""
    render = lambda code, message, extra=None: {"error": code, "message": message, **(extra or {})}  # noqa: E731
    return {"description": description, "headers": integrator_headers(),
            "content": {JSON: {"schema": schema(schema_name), "examples": _error_examples(cases, render)}}}


def still_running(key):
    """A 409 case: another request with the same idempotency key has not finished."""
    return "Still running", idempotency.InProgress.code, idempotency.still_running(key)


def wrong_content_type():
    return integrator_error("The body is not sent as `application/json`.",
                            ("Wrong content type", UnsupportedMediaType.code, NOT_JSON_CONTENT_TYPE))


def key_reused(key):
    return integrator_error("The idempotency key was already used with a different body.",
                            ("Key reused", idempotency.KeyReused.code, idempotency.reused(key)))


def integrator_unauthorized():
    return integrator_error("The API key is missing, malformed, unknown, revoked or expired.", "Seed401")


def integrator_rate_limited():
    response = integrator_error("This key used up its requests for the current minute.", "Seed429",
                                schema_name="RateLimitError")
    response["headers"] = {"Retry-After": ref("headers", "Retry-After"), **response["headers"]}
    return response


def integrator_validation(*cases):
    return integrator_error("The body or query is invalid: `message` names each field as `field: problem; …`.",
                            *cases)


def integrator_common(responses):
    """Add the answers every ``/v1`` route can give."""
    responses.setdefault("401", integrator_unauthorized())
    responses.setdefault("429", integrator_rate_limited())
    return dict(sorted(responses.items()))


def integrator_operation(tag, operation_id, summary, description, responses, *, parameters=(), body=None):
    """One ``/v1`` operation: API-key security and the answers every route can give."""
    operation = {"tags": [tag], "operationId": operation_id, "summary": summary, "description": description,
                 "security": [{"apiKeyAuth": []}]}
    if parameters:
        operation["parameters"] = [ref("parameters", name) for name in parameters]
    if body:
        operation["requestBody"] = body
    operation["responses"] = integrator_common(responses)
    return operation


def header_components():
    return {
        "X-RateLimit-Limit": {"description": "Requests this API key may make per minute (its tier's limit).",
                              "schema": {"type": "integer", "examples": [100]}},
        "X-RateLimit-Remaining": {"description": "Requests left in the current window.",
                                  "schema": {"type": "integer", "minimum": 0, "examples": [99]}},
        "X-RateLimit-Reset": {"description": "When the current window ends, in Unix seconds (UTC).",
                              "schema": {"type": "integer", "examples": [1729870260]}},
        "Retry-After": {"description": "Whole seconds until a request will be accepted again "
                                       "(the same number as `retry_after`).",
                        "schema": {"type": "integer", "minimum": 1, "examples": [60]}},
        "X-Request-ID": {"description": "The request's `X-Request-ID`, echoed back (up to 255 characters) "
                                        "for tracing; it is also written to the logs.",
                         "schema": {"type": "string", "examples": ["req_unique_id"]}},
        "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier request "
                                               "with the same idempotency key and body: nothing was done again.",
                                "schema": {"type": "string", "enum": ["true"]}},
    }


def seed_example_components():
    """Every seed example as a named ``components/examples`` entry."""
    return {name: example(summary, value, seed_id, adapted)
            for name, (summary, value, seed_id, adapted) in seed.EXAMPLES.items()}
