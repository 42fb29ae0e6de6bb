"""Who may open a page, by role. Everything else about access lives with its feature
(``workflows.access``, ``flows.access``); these guard whole pages."""

from functools import wraps

from flask_login import current_user, login_required

from momoflow.accounts.models import Role
from momoflow.errors import Forbidden

def roles_required(*roles, message="Only administrators can open this page."):
    """Signed in (else to the sign-in page) and one of ``roles`` (else 403)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles:
                raise Forbidden(message)
            return view(*args, **kwargs)

        return guarded

    return decorate


admin_required = roles_required(Role.ADMIN)