"""Response headers that make the browser enforce our security policy, and which
requests get a cookie session at all."""

from flask.sessions import SecureCookieSessionInterface

from momoflow.errors import api_style

# The only frames a page may show: the video players a module's body embeds (flows.content).
EMBED_SOURCES = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")

# No inline script or eval anywhere: htmx is configured (meta htmx-config in base.html)
# not to inject styles or evaluate code, and our own JS lives in static/.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-src " + " ".join(EMBED_SOURCES),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def add_hsts(response):
    response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


class PageSessionInterface(SecureCookieSessionInterface):
    """Cookie sessions for the browser pages only. The JSON APIs get a null session:
    their answers never depend on a cookie, so they must not say ``Vary: Cookie``
    (which Flask-Login's after-request hook would make every answer say)."""

    def open_session(self, app, request):
        if api_style():  # the JSON APIs, by path: sessions open before routing
            return self.make_null_session(app)
        return super().open_session(app, request)
