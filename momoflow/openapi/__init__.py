"""The API description: ``GET /openapi.json`` and the reference page ``GET /docs/api``.

Both are public (integrators read them before they have a key). The document is built
in code (``document.py``); the page is the vendored Redoc reading that same JSON, so
the two cannot drift apart.
"""

import hashlib
import json
import secrets

from flask import Blueprint, current_app, render_template, request

from momoflow.openapi.document import openapi_document
from momoflow.security import CONTENT_SECURITY_POLICY

bp = Blueprint("openapi", __name__)

MAX_AGE = 300  # seconds: short, so a deploy is seen soon
REDOC_VERSION = "2.5.4"  # momoflow/static/vendor/redoc-<version>/, see its SOURCE.md
# The two <style> elements the Redoc bundle adds as it loads, before it knows the nonce:
# an empty one, then perfect-scrollbar's CSS. Their hashes allow exactly that content;
# a new Redoc version may need new ones (the Chromium test names any violation).
REDOC_STYLE_HASHES = ("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
                      "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='")


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


def reference_policy(nonce):
    """The app's CSP, plus ``<style>`` elements that carry ``nonce`` or have one of Redoc's
    fixed contents: Redoc styles itself with styled-components, which adds them at run
    time. Scripts stay ``'self'`` only, and every other page keeps the plain policy."""
    allowed = " ".join(("'self'", f"'nonce-{nonce}'", *REDOC_STYLE_HASHES))
    policy = CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src {allowed}")
    if policy == CONTENT_SECURITY_POLICY:
        raise RuntimeError("the CSP has no style-src 'self' to extend")
    return policy


@bp.get("/docs/api")
def reference():
    """Redoc renders ``/openapi.json`` in the browser. Not cached publicly: the page around it
    is per person (name, CSRF token) and so is its nonce."""
    nonce = secrets.token_urlsafe(18)
    response = current_app.make_response(render_template(
        "openapi/reference.html", redoc_version=REDOC_VERSION, csp_nonce=nonce))
    response.headers["Content-Security-Policy"] = reference_policy(nonce)
    return response
