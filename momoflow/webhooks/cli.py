"""``flask --app wsgi create-webhook``: register an endpoint from the command line."""

import click

from momoflow.errors import ValidationFailed
from momoflow.extensions import db


@click.command("create-webhook")
@click.option("--org", "slug", required=True, help="Organisation slug")
@click.option("--url", required=True, help="Where to POST the events")
@click.option("--events", default="", help="Comma-separated event types, e.g. flow.assigned,flow.completed "
                                            "(default: every event)")
@click.option("--description", default="", help="What receives them")
def create_webhook_command(slug, url, events, description):
    """Add a webhook endpoint; its signing secret is printed once, alone on the last line."""
    from momoflow.accounts.services import find_organization
    from momoflow.webhooks.services import SUBSCRIBABLE_EVENTS, create_endpoint

    organization = find_organization(slug)
    if organization is None:
        raise click.ClickException(f"no organisation '{slug}'")
    try:
        endpoint, secret = create_endpoint(organization, url, events.split(","), description)
    except ValidationFailed as error:
        problems = "; ".join(message for _, message in error.problems)
        if any(path == "events" for path, _ in error.problems):
            problems += f" (known: {', '.join(SUBSCRIBABLE_EVENTS)})"
        raise click.ClickException(problems) from None
    db.session.commit()
    click.echo(f"Created webhook endpoint {endpoint.id} for '{slug}' → {endpoint.url} "
               f"({', '.join(endpoint.event_types) or 'every event'}). "
               "Store its signing secret now: it cannot be shown again.", err=True)
    click.echo(secret)
