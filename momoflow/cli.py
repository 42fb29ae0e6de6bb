"""``flask --app wsgi …`` commands for operators."""

import click

from momoflow.accounts.models import Organization, Tier
from momoflow.accounts.services import find_organization
from momoflow.apikeys.models import ALL_SCOPES
from momoflow.errors import ValidationFailed
from momoflow.extensions import db
from momoflow.webhooks.cli import create_webhook_command


def register_commands(app):
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_org_command)
    app.cli.add_command(set_tier_command)
    app.cli.add_command(create_api_key_command)
    app.cli.add_command(create_scim_token_command)
    app.cli.add_command(create_webhook_command)
    from momoflow.reports.backfill import backfill_command

    app.cli.add_command(backfill_command)


@click.command("seed-demo")
def seed_demo_command():
    """Create or refresh the demo organisation and its people (safe to run again)."""
    from flask import current_app

    from momoflow.demo.seed import seed_demo

    organization, people = seed_demo()
    db.session.commit()
    click.echo(f"Demo organisation '{organization.slug}' has {len(people)} people.")
    click.echo(f"Sign in as employee@company.com, manager@royalenfield.com or admin@company.com "
               f"with password '{current_app.config['DEMO_PASSWORD']}'.")


@click.command("create-org")
@click.option("--slug", required=True, help="Short unique name, e.g. acme")
@click.option("--name", required=True, help="Display name")
@click.option("--tier", type=click.Choice([t.value for t in Tier]), default=Tier.STANDARD.value)
def create_org_command(slug, name, tier):
    """Create an organisation."""
    if find_organization(slug):
        raise click.ClickException(f"organisation '{slug}' already exists")
    db.session.add(Organization(slug=slug, name=name, tier=Tier(tier)))
    db.session.commit()
    click.echo(f"Created organisation '{slug}' ({tier}).")


@click.command("set-tier")
@click.option("--org", "slug", required=True, help="Organisation slug")
@click.argument("tier", type=click.Choice([t.value for t in Tier]))
def set_tier_command(slug, tier):
    """Set an organisation's tier (it decides API rate limits)."""
    organization = find_organization(slug)
    if organization is None:
        raise click.ClickException(f"no organisation '{slug}'")
    organization.tier = Tier(tier)
    db.session.commit()
    click.echo(f"Organisation '{slug}' is now {tier}.")


@click.command("create-api-key")
@click.option("--org", "slug", required=True, help="Organisation slug")
@click.option("--name", default="CLI key", show_default=True, help="What the key is for")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(ALL_SCOPES), default=ALL_SCOPES,
              show_default=True, help="What the key may do (repeat for several)")
@click.option("--expires", "expires_on", metavar="YYYY-MM-DD", help="The day it stops working (UTC); default never")
def create_api_key_command(slug, name, scopes, expires_on):
    """Create an integrator API key; the key itself is printed once, alone on the last line."""
    from momoflow.apikeys.services import create_api_key

    organization = find_organization(slug)
    if organization is None:
        raise click.ClickException(f"no organisation '{slug}'")
    try:
        api_key, secret = create_api_key(organization, name, scopes, expires_on)
    except ValidationFailed as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created API key '{api_key.name}' ({api_key.prefix}…) for '{slug}' with {' '.join(api_key.scopes)}"
               f"{f', expiring {expires_on}' if api_key.expires_at else ''}. "
               "Store it now: it is not kept and cannot be shown again.", err=True)
    click.echo(secret)


@click.command("create-scim-token")
@click.option("--org", "slug", required=True, help="Organisation slug")
@click.option("--name", default="Identity provider", show_default=True, help="Who uses it, e.g. Okta")
def create_scim_token_command(slug, name):
    """Create a SCIM provisioning token; the token itself is printed once, alone on the last line."""
    from momoflow.scim.tokens import create_token

    organization = find_organization(slug)
    if organization is None:
        raise click.ClickException(f"no organisation '{slug}'")
    try:
        token, secret = create_token(organization, name)
    except ValidationFailed as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created provisioning token '{token.name}' ({token.prefix}…) for '{slug}'. "
               "Store it now: it is not kept and cannot be shown again.", err=True)
    click.echo(secret)
