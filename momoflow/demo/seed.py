"""Create or update the demo organisation and its local directory (idempotent)."""

import json
from datetime import timedelta
from pathlib import Path

from flask import current_app

from momoflow.accounts.emails import normalize_email
from momoflow.accounts.models import Organization, Role, Source, Tier, User
from momoflow.accounts.passwords import check_password, hash_password
from momoflow.accounts.services import find_organization, find_user
from momoflow.extensions import db

PEOPLE_FILE = Path(__file__).with_name("people.json")
FLOWS_FILE = Path(__file__).with_name("flows.json")
TEMPLATES_FILE = Path(__file__).with_name("templates.json")
DEMO_ADMIN = "admin@company.com"


def seed_demo(people_file=PEOPLE_FILE, *, templates=True, activity=True):
    """Returns the organisation and its people; the caller commits. ``templates``: the
    demo's request templates too (tests that keep their own leave them out); ``activity``:
    people part-way through ``flow_123abc`` and its weekly schedule, so its report has
    something to show (tests that count assignments leave them out)."""
    data = json.loads(Path(people_file).read_text(encoding="utf-8"))
    organization = _upsert_organization(data["organization"])
    password = current_app.config["DEMO_PASSWORD"]
    people = [_upsert_person(organization, entry, password) for entry in data["people"]]
    _link_managers(organization, people, data["people"])
    _seed_flows(organization)
    if activity:
        _seed_flow_activity(organization, people)
        _seed_approval_history(organization, people)
    if templates:
        _seed_templates(organization, people)
    return organization, people


def _seed_flows(organization, flows_file=FLOWS_FILE):
    """The demo flows (``flow_123abc`` is the seed document's), created once."""
    from momoflow.flows.editing import create_flow, parse_flow
    from momoflow.flows.models import Flow

    for entry in json.loads(Path(flows_file).read_text(encoding="utf-8")):
        if db.session.scalar(db.select(Flow).where(Flow.public_id == entry["flowId"])) is None:
            create_flow(organization, parse_flow(entry), public_id=entry["flowId"])


# flow_123abc's people: (email, days since assigned, due in days, modules done, days to finish or None)
DEMO_ASSIGNMENTS = [
    ("employee@company.com", 21, -7, 5, 1.5),
    ("sam.lee@company.com", 18, -4, 5, 3),
    ("user@example.com", 14, 0, 5, 2.25),
    ("newapprover@royalenfield.com", 9, 5, 2, None),
    ("spectator@royalenfield.com", 12, -2, 1, None),
    ("approver@royalenfield.com", 3, 11, 0, None),
    ("manager@example.com", 16, -1, 0, None),
]
DEMO_SCHEDULE_PEOPLE = ["employee@company.com", "sam.lee@company.com"]


def _seed_flow_activity(organization, people):
    """Assignments of ``flow_123abc`` in every state (completed, in progress, not started,
    overdue) and a weekly schedule, written once, as rows dated relative to today."""
    from momoflow.database import utcnow
    from momoflow.flows.models import (
        Assignment, AssignmentStatus, Flow, FlowSchedule, ModuleProgress, ScheduleUnit)
    from momoflow.flows import queries

    flow = db.session.scalar(db.select(Flow).where(Flow.public_id == "flow_123abc"))
    if flow is None or db.session.scalar(db.select(Assignment.id).where(Assignment.flow_id == flow.id).limit(1)):
        return
    modules = queries.modules_of(flow)
    by_email = {person.email: person for person in people}
    now = utcnow().replace(microsecond=0)
    for email, ago, due_in, done, days_to_finish in DEMO_ASSIGNMENTS:
        assigned_at = now - timedelta(days=ago)
        finished = days_to_finish is not None
        assignment = Assignment(
            organization_id=organization.id, flow_id=flow.id, flow_version=flow.version,
            module_total=flow.module_count, user_id=by_email[email].id, assigned_at=assigned_at,
            due_date=now + timedelta(days=due_in), modules_completed=done,
            status=AssignmentStatus.COMPLETED if finished else (
                AssignmentStatus.IN_PROGRESS if done else AssignmentStatus.ASSIGNED),
            started_at=assigned_at + timedelta(hours=2) if done else None,
            completed_at=assigned_at + timedelta(days=days_to_finish) if finished else None)
        if not finished and due_in < 0:
            assignment.overdue_notified_at = now  # seeded late: nobody is told about it now
        db.session.add(assignment)
        db.session.flush()
        if done:  # modules finished evenly between the start and the end (or now, for the current one)
            step = ((assignment.completed_at or now) - assignment.started_at) / (done if finished else done + 1)
            db.session.add_all(ModuleProgress(assignment_id=assignment.id, module_id=module.id,
                                              completed_at=assignment.started_at + step * position)
                               for position, module in enumerate(modules[:done], start=1))
    next_monday = (now + timedelta(days=7 - now.weekday())).replace(hour=10, minute=0, second=0)
    db.session.add(FlowSchedule(organization_id=organization.id, flow_id=flow.id, user_emails=DEMO_SCHEDULE_PEOPLE,
                                every=7, unit=ScheduleUnit.DAYS, due_in_days=7, next_run_at=next_monday,
                                first_run_at=next_monday, notes="Weekly refresher for the customer team"))


# A few requests through the real services, so Reports has something to show: (initiator,
# title, approvers, priority, what happens). Decided now, so their times are short.
DEMO_REQUESTS = [
    ("employee@company.com", "Laptop for the new support lead", ["manager@royalenfield.com"], "STANDARD", "approve"),
    ("employee@company.com", "Team offsite venue", ["manager@royalenfield.com", "director@royalenfield.com"],
     "STANDARD", "reject"),
    ("sam.lee@company.com", "Conference tickets", ["manager@royalenfield.com"], "STANDARD", "rework"),
    ("employee@company.com", "Rush order: spare monitors", ["manager@royalenfield.com"], "EXPRESS", "withdraw"),
    ("user@example.com", "Design tool licences", ["manager@example.com"], "STANDARD", "approve"),
    ("sam.lee@company.com", "Customer visit travel", ["manager@royalenfield.com"], "STANDARD", "wait"),
]


def _seed_approval_history(organization, people):
    """The demo requests, raised and decided once (only while the organisation has none)."""
    from momoflow.workflows import services
    from momoflow.workflows.models import ApprovalLevel, WorkflowRequest
    from momoflow.workflows.validation import parse_new_request, parse_resubmission

    if db.session.scalar(db.select(WorkflowRequest.id).where(WorkflowRequest.organization_id == organization.id)
                         .limit(1)):
        return
    by_email = {person.email: person for person in people}

    def level_id(request, number):
        return db.session.scalar(db.select(ApprovalLevel.id).where(ApprovalLevel.request_id == request.id,
                                                                   ApprovalLevel.level_number == number))

    for initiator, title, approvers, priority, outcome in DEMO_REQUESTS:
        request = services.create_request(by_email[initiator], parse_new_request({
            "templateType": "CUSTOM", "title": title, "description": f"{title}: details in the attached quote.",
            "priority": priority, "approvalLevels": [{"email": email, "tatHours": 24} for email in approvers]}))
        db.session.flush()
        first, manager = level_id(request, 1), by_email[approvers[0]]
        if outcome in ("approve", "reject"):
            services.approve_level(manager, request.id, first, "Looks right.")
        if outcome == "reject":
            services.reject_level(by_email[approvers[1]], request.id, level_id(request, 2), "Over this quarter's budget.")
        if outcome == "rework":
            services.return_request(manager, request.id, first, "Please add the early-bird price.")
            services.resubmit_request(by_email[initiator], request.id, parse_resubmission({}))
            services.approve_level(manager, request.id, first, "Thanks, approved.")
        if outcome == "withdraw":
            services.withdraw_request(by_email[initiator], request.id, "Found spares in the store room.")
        db.session.flush()


DEMO_GROUPS = {
    "finance-approvers": ("Approve purchases over 10,000: two of them must agree.",
                          ["finance-manager@royalenfield.com", "finance@royalenfield.com",
                           "procurement@royalenfield.com"]),
    "hr": ("Human Resources: approve new hires.", ["hr@royalenfield.com", "hr@example.com"]),
}


def _seed_templates(organization, people, templates_file=TEMPLATES_FILE):
    """The demo request templates (purchase, new hire, training) and the local groups they
    name, each created once by name."""
    from momoflow.request_templates.models import RequestTemplate
    from momoflow.request_templates.services import create_template

    admin = next((person for person in people if person.email == DEMO_ADMIN), None)
    if admin is None:  # a people file without the demo admin: nobody to keep templates
        return
    _seed_groups(organization, admin)
    for entry in json.loads(Path(templates_file).read_text(encoding="utf-8")):
        if db.session.scalar(db.select(RequestTemplate.id).where(
                RequestTemplate.organization_id == organization.id,
                RequestTemplate.name_key == entry["name"].casefold())) is None:
            create_template(admin, entry)


def _seed_groups(organization, admin):
    from momoflow.groups.models import Group, name_key
    from momoflow.groups.services import add_member, create_group

    for name, (description, emails) in DEMO_GROUPS.items():
        if db.session.scalar(db.select(Group.id).where(Group.organization_id == organization.id,
                                                       Group.name_key == name_key(name))) is None:
            group = create_group(admin, name, description)
            for email in emails:
                add_member(admin, group.id, email)


def _upsert_organization(entry):
    organization = find_organization(entry["slug"])
    if organization is None:
        organization = Organization(slug=entry["slug"], name=entry["name"], tier=Tier(entry["tier"]))
        db.session.add(organization)
        db.session.flush()
    return organization


def _link_managers(organization, people, entries):
    """Each person's ``manager`` (an email of the file, or of someone already here) as
    ``User.manager_id``; an unknown manager, one of another organisation, or themself is none."""
    db.session.flush()  # new people get their ids
    by_email = {person.email: person for person in people}
    for user, entry in zip(people, entries):
        email = normalize_email(entry.get("manager"))
        manager = by_email.get(email) or (find_user(email) if email else None)
        if manager is not None and (manager.id == user.id or manager.organization_id != organization.id):
            manager = None
        user.manager_id = manager.id if manager else None


def _upsert_person(organization, entry, password):
    email = normalize_email(entry["email"])
    user = find_user(email)
    if user is None:
        user = User(email=email, organization=organization, source=Source.LOCAL)
        db.session.add(user)
    user.display_name = entry["displayName"]
    user.designation = entry.get("designation")
    user.department = entry.get("department")
    user.role = Role(entry.get("role", "employee"))
    user.active = True
    if not check_password(user, password):
        user.password_hash = hash_password(password)
    return user
