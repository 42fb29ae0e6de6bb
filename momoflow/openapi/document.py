"""The OpenAPI 3.1 document for both JSON APIs, built from the code's own limits and enums.

``build_document`` assembles the parts each API module contributes; the blueprint
serves it at ``/openapi.json`` and renders ``/docs/api`` from it, and
``tests/platform/test_openapi.py`` checks it against ``app.url_map`` and the seeds.
"""

from flask import current_app

from momoflow.apikeys import labels as key_labels
from momoflow.openapi import (
    absence_paths,
    analytics_paths,
    approval_paths,
    bulk_paths,
    integrator_paths,
    people_paths,
    report_paths,
    rework_paths,
    scope_parts,
    template_paths,
    webhook_events,
)
from momoflow.openapi.approval_schemas import approval_schemas
from momoflow.openapi.common import header_components, seed_example_components
from momoflow.openapi.integrator_schemas import integrator_schemas

VERSION = "1.0.0"

DESCRIPTION = """\
MomoFlow serves two JSON APIs from one app:

- **Approval workflow API** at `/api/v1`: sign in with `POST /api/v1/auth/login` and send the token as
  `Authorization: Bearer <token>`. Successful answers are `{"success": true, "message"?, "data"}`;
  errors are `{"success": false, "error", "details"}`.
- **Integrator Flow Assignment API** at `/v1`: send an API key (Settings → API Keys) as
  `Authorization: Bearer <API key>`. Errors are `{"error": code, "message"}`. Every answer carries
  `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`; over the limit the answer is
  429 with `retry_after` and `Retry-After`. `POST` requests accept `Idempotency-Key` (or `X-Request-ID`)
  so retries are safe.
"""

TAGS = [
    ("Authentication", "Sign in for a token (`/api/v1`)."),
    ("Workflows", "Raise approval requests and read them (`/api/v1`)."),
    ("Decisions", "Approve or reject the current level, or withdraw a request (`/api/v1`)."),
    ("Approvers and spectators", "Add people to a request after it was raised (`/api/v1`)."),
    ("Comments and documents", "Discuss a request and download its files (`/api/v1`)."),
    (template_paths.TAG, "Forms whose answers decide who approves; administrators keep them (`/api/v1`)."),
    (absence_paths.TAG, "Name a stand-in while you are away; administrators do it for their people (`/api/v1`)."),
    (people_paths.TAG, "Find, deactivate and reactivate your organisation's people (`/api/v1`, administrators)."),
    (analytics_paths.TAG, "Cycle times, time to decide against TAT, bottlenecks (`/api/v1`, admins and managers)."),
    ("Flow assignment", "The seed's `POST /v1/flows/assign`, and its bulk form (`/v1`)."),
    ("Flows", "The flows your organisation can assign (`/v1`)."),
    ("Assignments", "Follow and cancel what was assigned (`/v1`)."),
    ("Schedules", "Assign a flow again every few days or months, e.g. yearly training (`/v1`)."),
    (report_paths.TAG, "How far people are with a flow: metrics, pages of assignments, aggregates (`/v1`)."),
]
TAG_GROUPS = [
    {"name": "Approval workflow API", "path": "/api/v1", "security": "bearerAuth",
     "tags": [name for name, text in TAGS if "`/api/v1`" in text]},
    {"name": "Integrator Flow Assignment API", "path": "/v1", "security": "apiKeyAuth",
     "tags": [name for name, text in TAGS if "`/v1`" in text]},
]


def _security_schemes(config):
    hours = config["JWT_EXPIRES_SECONDS"] / 3600
    return {
        "bearerAuth": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": f"For `/api/v1`: the `token` from `POST /api/v1/auth/login`, valid for {hours:g} hours.",
        },
        "apiKeyAuth": {
            "type": "http", "scheme": "bearer", "bearerFormat": "API key (mf_live_…)",
            "description": "For `/v1`: an API key generated in Settings → API Keys, sent as "
                           "`Authorization: Bearer <API key>`. Limits per key: "
                           f"{config['API_RATE_LIMIT_STANDARD']} (standard tier), "
                           f"{config['API_RATE_LIMIT_ENTERPRISE']} (enterprise tier). A key holds the scopes "
                           "chosen when it was made, and may have an expiry date (then it is refused like an "
                           "unknown key, 401). Each operation names the scope it needs; a key without it gets "
                           "403.\n\n" + "\n".join(f"- `{scope}`: {meaning}" for scope, meaning in key_labels.SCOPES),
        },
    }


def build_document(config=None):
    config = config if config is not None else current_app.config
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MomoFlow API",
            "version": VERSION,
            "summary": "Approval workflows and flow assignment.",
            "description": DESCRIPTION,
            "contact": {"name": "MomoFlow support", "email": "info@momoflow.com"},
        },
        "servers": [{"url": "/", "description": "This MomoFlow instance"}],
        "tags": [{"name": name, "description": description} for name, description in TAGS],
        "x-tagGroups": TAG_GROUPS,
        "paths": {**approval_paths.approval_paths(), **rework_paths.paths(), **template_paths.paths(),
                  **bulk_paths.paths(),
                  **absence_paths.absence_paths(), **people_paths.paths(), **analytics_paths.paths(),
                  **scope_parts.with_scopes({**integrator_paths.integrator_paths(), **report_paths.paths()})},
        "webhooks": webhook_events.webhooks(),
        "components": {
            "securitySchemes": _security_schemes(config),
            "schemas": {**approval_schemas(), **rework_paths.schemas(), **template_paths.schemas(),
                        **bulk_paths.schemas(),
                        **absence_paths.absence_schemas(), **people_paths.schemas(), **analytics_paths.schemas(),
                        **integrator_schemas(), **report_paths.schemas(), **webhook_events.webhook_schemas()},
            "parameters": {**approval_paths.parameters(), **template_paths.parameters(), **people_paths.parameters(),
                           **integrator_paths.parameters()},
            "headers": header_components(),
            "examples": seed_example_components(),
        },
    }


def openapi_document():
    """The document for the current app, built once per app."""
    cache = current_app.extensions.setdefault("momoflow.openapi", {})
    if "document" not in cache:
        cache["document"] = build_document()
    return cache["document"]
