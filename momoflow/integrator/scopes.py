"""Which scope each ``/v1`` route needs: declared on the route with ``@requires_scope``.

The blueprint checks it after the key itself (``integrator._require_api_key``), so a key
that is missing, revoked or expired is still 401 and one without the scope is 403. The
OpenAPI document reads the same declarations, and the app refuses to start with a ``/v1``
route that declares none: a new route cannot be left open to every key by mistake.
"""

from momoflow.apikeys.models import Scope
from momoflow.errors import Forbidden


def requires_scope(scope):
    """Decorator for a ``/v1`` view (below its route decorator): a key needs ``scope``."""
    scope = Scope(scope)

    def declare(view):
        view.required_scope = scope
        return view

    return declare


def required_scope(view):
    return view.required_scope


def lacks_scope(scope):
    return f"This API key lacks the {scope} scope"


def check_scope(api_key, view):
    """Refuse ``api_key`` (a KeyHolder) for ``view`` unless it holds the view's scope."""
    scope = required_scope(view)
    if scope not in api_key.scopes:
        raise Forbidden(lacks_scope(scope))


def check_every_route_declares_a_scope(app, blueprint_name):
    undeclared = sorted(endpoint for endpoint, view in app.view_functions.items()
                        if endpoint.startswith(f"{blueprint_name}.") and not hasattr(view, "required_scope"))
    if undeclared:
        raise RuntimeError(f"/v1 routes without @requires_scope: {', '.join(undeclared)}")
