"""``flask seed-demo``: the people the seed documents name, and only them."""

from momoflow.accounts.models import Role, Tier, User
from momoflow.accounts.services import sign_in
from momoflow.demo.seed import seed_demo

SEED_PEOPLE = [
    "employee@company.com", "manager@royalenfield.com", "director@royalenfield.com", "cfo@royalenfield.com",
    "hr@royalenfield.com", "finance@royalenfield.com", "it-manager@royalenfield.com", "cto@royalenfield.com",
    "procurement@royalenfield.com", "legal@royalenfield.com", "vp@royalenfield.com",
    "finance-manager@royalenfield.com", "newapprover@royalenfield.com", "approver@royalenfield.com",
    "spectator@royalenfield.com", "user@example.com", "manager@example.com", "director@example.com",
    "hr@example.com",
]


def test_seed_creates_every_seed_person_and_an_admin(db):
    organization, people = seed_demo()
    assert (organization.slug, organization.tier) == ("demo", Tier.STANDARD)
    emails = {person.email for person in people}
    assert set(SEED_PEOPLE) <= emails
    assert any(person.role == Role.ADMIN for person in people)
    assert "invalid@example.com" not in emails and "ghost@company.com" not in emails
    assert all(person.display_name for person in people)


def test_seed_is_idempotent(db):
    seed_demo()
    before = db.session.query(User).count()
    seed_demo()
    assert db.session.query(User).count() == before


def test_demo_people_sign_in_with_the_demo_password(app, db, monkeypatch):
    seed_demo()
    assert sign_in("manager@royalenfield.com", "momoflow-demo").display_name == "Arjun Mehta"
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", "another-password")
    seed_demo()
    assert sign_in("manager@royalenfield.com", "another-password")


def test_seed_demo_command(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo organisation 'demo' has 20 people." in result.output


def test_org_commands(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-org", "--slug", "acme", "--name", "Acme"]).exit_code == 0
    assert runner.invoke(args=["create-org", "--slug", "acme", "--name", "Acme"]).exit_code != 0
    result = runner.invoke(args=["set-tier", "--org", "acme", "enterprise"])
    assert result.exit_code == 0 and "now enterprise" in result.output
