"""scim2-tester, the SCIM compliance checker, against a live MomoFlow over HTTP: every check it
makes for what ServiceProviderConfig and Schemas declare (discovery; Users and Groups:
create, read, list, filter, replace, PATCH add/replace/remove of each attribute, delete,
attributes/excludedAttributes, POST .search) must pass."""

import requests

from momoflow.accounts.services import find_organization
from momoflow.extensions import db
from momoflow.scim import tokens
from tests.conftest import need

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"}


def over_http(base_url):
    """A WSGI app that sends each request on to ``base_url`` over real HTTP: scim2-client's
    WSGI engine then drives the live server (its httpx engine would need httpx2 besides)."""
    def forward(environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        query = environ.get("QUERY_STRING")
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key != "HTTP_HOST"}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        answer = requests.request(environ["REQUEST_METHOD"], base_url + environ["PATH_INFO"] + (f"?{query}" if query else ""),
                                  data=body, headers=headers, timeout=30, allow_redirects=False)
        start_response(f"{answer.status_code} {answer.reason}",
                       [(name, value) for name, value in answer.headers.items() if name.lower() not in HOP_BY_HOP])
        return [answer.content]
    return forward


def test_scim2_tester_passes_every_check(app, live_server, committed_demo):
    try:
        import scim2_tester
        from scim2_client.engines.wsgi import WSGISCIMClient
    except ImportError:
        need(False, "scim2-tester is not installed (pip install -r requirements-dev.txt)")

    with app.app_context():
        _, secret = tokens.create_token(find_organization("demo"), "scim2-tester")
        db.session.commit()
    limit = app.config["SCIM_RATE_LIMIT"]
    app.config["SCIM_RATE_LIMIT"] = "100000 per minute"  # a few hundred requests in seconds
    try:
        client = WSGISCIMClient(over_http(live_server), base_url=f"{live_server}/scim/v2",
                                headers={"Authorization": f"Bearer {secret}"})
        client.discover()
        results = scim2_tester.check_server(client)
    finally:
        app.config["SCIM_RATE_LIMIT"] = limit
    failed = [f"{result.status.name} {result.title}: {str(result.reason)[:300]}" for result in results
              if result.status != scim2_tester.Status.SUCCESS]
    assert not failed, "\n".join(failed)
    # Discovery and both resources were checked, not skipped.
    assert len(results) >= 70
    assert {"User", "Group"} <= {result.resource_type for result in results if result.resource_type}
