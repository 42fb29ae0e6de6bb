"""The API description: ``GET /openapi.json`` and the reference page ``GET /docs/api``.

Both are public (integrators read them before they have a key) and both come from
one document built in code (``document.py``), so the page cannot drift from the JSON.
"""

import hashlib
import json

from flask import Blueprint, current_app, render_template, request

from momoflow.openapi.document import openapi_document
from momoflow.openapi.reference import reference_view

bp = Blueprint("openapi", __name__)

MAX_AGE = 300  # seconds: short, so a deploy is seen soon


def _document_bytes():
    cache = current_app.extensions.setdefault("momoflow.openapi", {})
    if "bytes" not in cache:
        body = json.dumps(openapi_document(), ensure_ascii=False, indent=2).encode()
        cache["bytes"] = body, hashlib.sha256(body).hexdigest()[:32]
    return cache["bytes"]


@bp.get("/openapi.json")
def openapi_json():
    body, etag = _document_bytes()
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"  # for API tools running in a browser
    return response.make_conditional(request)


@bp.get("/docs/api")
def reference():
    # Not cached publicly: the page around the reference is per person (name, CSRF token).
    return render_template("openapi/reference.html", api=reference_view(openapi_document()))
