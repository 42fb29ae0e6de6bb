"""Each ``/v1`` operation's scope, read from its route's ``@requires_scope`` (never written
out here): named in its security requirement and its description, with the 403 a key
without it gets."""

import re

from flask import current_app

from momoflow.errors import Forbidden
from momoflow.integrator.scopes import lacks_scope, required_scope
from momoflow.openapi.common import integrator_error


def with_scopes(paths):
    """``paths`` with every ``/v1`` operation's scope documented (the app's routes say which)."""
    routes = current_app.url_map.bind("localhost")
    for path, operations in paths.items():
        if path.startswith("/v1/"):
            for method, operation in operations.items():
                endpoint, _ = routes.match(re.sub(r"\{[^}]+\}", "x", path), method=method.upper())
                _document_scope(operation, required_scope(current_app.view_functions[endpoint]))
    return paths


def _document_scope(operation, scope):
    # OpenAPI 3.1 lets a requirement of any scheme list the roles it needs; {} (no key) stays.
    operation["security"] = [{scheme: [scope.value] for scheme in requirement}
                             for requirement in operation["security"]]
    operation["description"] += f"\n\nScope: `{scope}`."
    operation["responses"]["403"] = integrator_error(
        f"The API key lacks the `{scope}` scope.", ("Missing scope", Forbidden.code, lacks_scope(scope)))
    operation["responses"] = dict(sorted(operation["responses"].items()))
