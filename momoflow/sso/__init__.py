"""Single sign-on with OpenID Connect (Okta, Microsoft Entra ID, any certified provider).

One identity provider per organisation, set at Settings → Sign-in (``settings.sign_in``):
``models`` keeps it, ``secrets`` encrypts its client secret, ``oidc`` speaks the protocol
(discovery, the code flow with PKCE, ID token checks) and ``services`` decides who signs
in. The pages are ``/login/sso…`` (``views``).
"""

from flask import Blueprint

bp = Blueprint("sso", __name__)
