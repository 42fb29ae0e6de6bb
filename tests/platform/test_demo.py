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
    assert "Demo organisation 'demo' has 21 people." in result.output


def test_org_commands(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-org", "--slug", "acme", "--name", "Acme"]).exit_code == 0
    assert runner.invoke(args=["create-org", "--slug", "acme", "--name", "Acme"]).exit_code != 0
    result = runner.invoke(args=["set-tier", "--org", "acme", "enterprise"])
    assert result.exit_code == 0 and "now enterprise" in result.output


def test_the_demo_has_three_request_templates_and_seeding_again_keeps_them(db):
    from momoflow.request_templates.models import RequestTemplate

    seed_demo()
    seed_demo()
    templates = db.session.scalars(db.select(RequestTemplate).order_by(RequestTemplate.name_key)).all()
    assert [(template.name, template.category, template.version) for template in templates] == [
        ("New hire", "People", 1), ("Purchase request", "Finance", 1), ("Training request", "Learning", 1)]
    new_hire = templates[0].definition
    assert new_hire["onApproval"] == [{"flowId": "flow_123abc", "assignTo": {"field": "hire"}, "dueInDays": 14}]


def test_the_demo_purchase_request_follows_the_amount(db, app):
    from momoflow.request_templates import reading
    from momoflow.request_templates.models import RequestTemplate

    organization, people = seed_demo()
    employee = next(person for person in people if person.email == "employee@company.com")
    template = db.session.scalar(db.select(RequestTemplate).where(RequestTemplate.name == "Purchase request"))

    def approvers(amount):
        plan = reading.preview(employee, template.public_id, {"item": "Laptops", "amount": amount}).plan
        return [[approver.user.email for approver in level.approvers] for level in plan.levels]

    assert approvers(900) == [["manager@royalenfield.com"]]
    finance = ["procurement@royalenfield.com", "finance-manager@royalenfield.com", "finance@royalenfield.com"]
    assert approvers(20000) == [["manager@royalenfield.com"], finance]  # by name: Deepak, Neha, Vikram
    assert approvers(75000) == [["manager@royalenfield.com"], finance, ["cfo@royalenfield.com"]]
    plan = reading.preview(employee, template.public_id, {"item": "Laptops", "amount": 20000}).plan
    assert plan.levels[1].summary == "2 of 3 of finance-approvers"


def test_the_demo_has_decided_requests_for_reports_once(db):
    from momoflow.reports import approvals
    from momoflow.workflows.models import WorkflowRequest

    organization, people = seed_demo()
    seed_demo()
    statuses = sorted(request.status.value for request in db.session.scalars(db.select(WorkflowRequest)))
    assert statuses == ["APPROVED", "APPROVED", "APPROVED", "CANCELLED", "PENDING", "REJECTED"]
    admin = next(person for person in people if person.email == "admin@company.com")
    summary = approvals.summary(admin, approvals.Filters())
    assert (summary.raised, summary.returned, summary.withdrawn) == (6, 1, 1)
    assert sum(timing.decisions for timing in approvals.approvers(admin, approvals.Filters())) == 6
