"""``flask create-webhook``: the secret alone on the last line, and the same rules as the page."""

import sqlalchemy as sa

from momoflow.webhooks.models import WebhookEndpoint
from momoflow.webhooks.signing import headers, verify
from tests.flows.conftest import demo_org  # noqa: F401  (a fixture)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["create-webhook", *args])


def test_creating_an_endpoint_prints_its_secret_last(app, db, demo_org):
    result = run(app, "--org", "demo", "--url", "https://93.184.215.14/hooks", "--events",
                 "flow.completed, flow.assigned")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_") and result.stdout.strip() == secret  # the notes go to stderr
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert (endpoint.organization_id, endpoint.url, endpoint.event_types, endpoint.enabled) == (
        demo_org.id, "https://93.184.215.14/hooks", ["flow.assigned", "flow.completed"], True)
    body = b'{"type":"flow.assigned"}'
    assert verify(secret, headers(endpoint.secret, "msg_1", 1_700_000_000, body), body, now=1_700_000_000) == "msg_1"


def test_every_event_by_default(app, db, demo_org):
    assert run(app, "--org", "demo", "--url", "https://93.184.215.14/all").exit_code == 0
    assert db.session.scalar(sa.select(WebhookEndpoint.event_types)) == []


def test_bad_input_is_refused_with_the_reason(app, db, demo_org):
    unknown_org = run(app, "--org", "nope", "--url", "https://93.184.215.14/hooks")
    assert unknown_org.exit_code != 0 and "no organisation 'nope'" in unknown_org.output
    private = run(app, "--org", "demo", "--url", "http://192.168.1.10/hooks")
    assert private.exit_code != 0 and "192.168.1.10 is a private address" in private.output
    unknown_event = run(app, "--org", "demo", "--url", "https://93.184.215.14/hooks", "--events", "flow.nope")
    assert unknown_event.exit_code != 0 and "Unknown event type: flow.nope" in unknown_event.output
    assert "flow.assigned" in unknown_event.output  # the known ones are listed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0
