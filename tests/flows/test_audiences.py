"""Assigning a flow to a group or a department from the Assign page, and rules that keep
assigning it to whoever joins later: once each, however often the tick runs."""

from datetime import datetime, timezone

import sqlalchemy as sa

from momoflow.flows import audiences
from momoflow.flows.models import Assignment, AssignmentRule, AssignmentRuleMember, AssignmentStatus
from momoflow.groups import services as groups
from tests.factories import make_org, make_user
from tests.flows.pages import ADMIN, EMPLOYEE, HR, MANAGER, error_of, post

NOW = datetime(2030, 3, 1, 9, tzinfo=timezone.utc)


def team(db, demo, *emails, name="Onboarding buddies"):
    group = groups.create_group(demo[ADMIN], name)
    for email in emails:
        groups.add_member(demo[ADMIN], group.id, email)
    db.session.commit()
    return group


def assign_form(**changes):
    return {"flow": "flow_sec101", "pasted": "", "due_date": "", "priority": "medium", "notes": "", **changes}


def assigned_to(db, flow_id="flow_sec101"):
    return sorted(db.session.scalars(sa.select(Assignment.user_id).join(Assignment.flow).where(
        Assignment.flow.has(public_id=flow_id))).all(), key=str)


def ids(demo, *emails):
    return sorted((demo[email].id for email in emails), key=str)


def test_the_page_offers_groups_and_departments(client, demo, login_as, db):
    team(db, demo, EMPLOYEE)
    login_as(demo[ADMIN])
    html = client.get("/flows/assign").get_data(as_text=True)
    assert '<option value="group:Onboarding buddies">Group: Onboarding buddies</option>' in html
    department = demo[EMPLOYEE].department
    assert department and f'<option value="department:{department}">Department: {department}</option>' in html


def test_assigning_to_everyone_in_a_group_and_to_typed_people(client, demo, login_as, db):
    team(db, demo, EMPLOYEE, HR)
    login_as(demo[ADMIN])
    response = post(client, "/flows/assign", assign_form(audience="group:onboarding BUDDIES", pasted=MANAGER),
                    htmx=True, token=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Assigned Security Awareness to 3 people." in html
    assert assigned_to(db) == ids(demo, EMPLOYEE, HR, MANAGER)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentRule)) == 0  # no rule asked for


def test_a_department(client, demo, login_as, db):
    department = demo[EMPLOYEE].department
    login_as(demo[ADMIN])
    post(client, "/flows/assign", assign_form(audience=f"department:{department}"), htmx=True, token=None)
    members = [user for user in demo.values() if user.department == department and user.active]
    assert assigned_to(db) == sorted((user.id for user in members), key=str) and members


def test_a_rule_assigns_people_who_join_once_each(client, demo, login_as, db, monkeypatch):
    group = team(db, demo, EMPLOYEE)
    login_as(demo[ADMIN])
    response = post(client, "/flows/assign", assign_form(audience="group:Onboarding buddies", keep_assigning="yes",
                                                         join_due_days="14", priority="high"), htmx=True, token=None)
    assert "People who join the Onboarding buddies group later get it too." in response.get_data(as_text=True)
    rule = db.session.scalar(sa.select(AssignmentRule))
    assert (rule.kind.value, rule.audience, rule.due_in_days, rule.priority.value, rule.active) == (
        "group", "Onboarding buddies", 14, "high", True)
    assert db.session.scalar(sa.select(AssignmentRuleMember.user_id)) == demo[EMPLOYEE].id

    # HR joins; the tick assigns them, due 14 days later; running it again changes nothing.
    groups.add_member(demo[ADMIN], group.id, HR)
    db.session.commit()
    assert audiences.apply_rules(NOW) == 1
    db.session.commit()
    audiences.apply_rules(NOW)
    db.session.commit()
    assert assigned_to(db) == ids(demo, EMPLOYEE, HR)
    new = db.session.scalar(sa.select(Assignment).where(Assignment.user_id == demo[HR].id))
    assert new.due_date.date() == datetime(2030, 3, 15).date() and new.priority.value == "high"

    # Done, out of the group and back in: not assigned a second time by the same rule.
    new.status = AssignmentStatus.COMPLETED
    groups.remove_member(demo[ADMIN], group.id, HR)
    groups.add_member(demo[ADMIN], group.id, HR)
    db.session.commit()
    audiences.apply_rules(NOW)
    db.session.commit()
    assert len(assigned_to(db)) == 2

    # Stopped: someone joining later is not assigned.
    schedules_page = client.get("/flows/schedules").get_data(as_text=True)
    assert "Onboarding buddies" in schedules_page and "2 assigned so far" in schedules_page
    stopped = post(client, f"/flows/rules/{rule.public_id}/stop", {}, token=None)
    assert stopped.status_code == 303
    groups.add_member(demo[ADMIN], group.id, MANAGER)
    db.session.commit()
    audiences.apply_rules(NOW)
    db.session.commit()
    assert len(assigned_to(db)) == 2


def test_someone_who_has_it_open_is_passed_over_for_good(client, demo, login_as, db):
    group = team(db, demo, EMPLOYEE)
    login_as(demo[ADMIN])
    post(client, "/flows/assign", assign_form(pasted=HR), htmx=True, token=None)  # HR has it open already
    post(client, "/flows/assign", assign_form(audience="group:Onboarding buddies", keep_assigning="yes"), htmx=True)
    groups.add_member(demo[ADMIN], group.id, HR)
    db.session.commit()
    audiences.apply_rules(NOW)
    db.session.commit()
    handled = db.session.execute(sa.select(AssignmentRuleMember.user_id, AssignmentRuleMember.assignment_id)).all()
    assert {user_id: assignment_id is None for user_id, assignment_id in handled} == {
        demo[EMPLOYEE].id: False, demo[HR].id: True}
    assert len(assigned_to(db)) == 2


def test_mistakes_show_next_to_their_fields(client, demo, login_as, db):
    login_as(demo[ADMIN])
    keep_alone = post(client, "/flows/assign", assign_form(pasted=EMPLOYEE, keep_assigning="yes"), htmx=True,
                      token=None).get_data(as_text=True)
    assert error_of(keep_alone, "assign-audience") == (
        "Choose a group or department to keep assigning the flow to people who join it")
    unknown = post(client, "/flows/assign", assign_form(audience="group:Nope"), htmx=True)
    assert unknown.status_code == 422
    assert error_of(unknown.get_data(as_text=True), "assign-audience") == "Choose a group or department from the list"
    bad = post(client, "/flows/assign", assign_form(audience="planet:Mars"), htmx=True).get_data(as_text=True)
    assert error_of(bad, "assign-audience") == "Choose a group or department from the list"
    for hostile in ("department:Sales\x00", "group:a\x00b"):  # PostgreSQL cannot compare a NUL: never a 500
        refused = post(client, "/flows/assign", assign_form(audience=hostile), htmx=True)
        assert refused.status_code == 422, hostile
        assert error_of(refused.get_data(as_text=True), "assign-audience") == "Choose a group or department from the list"
    assert audiences.parse("department:\ud800") is None
    team(db, demo, EMPLOYEE)
    days = post(client, "/flows/assign", assign_form(audience="group:Onboarding buddies", keep_assigning="yes",
                                                     join_due_days="-1"), htmx=True).get_data(as_text=True)
    assert error_of(days, "assign-join-due") == "Enter whole days from 0 to 3650, or leave it empty"
    assert assigned_to(db) == [] and db.session.scalar(sa.select(sa.func.count()).select_from(AssignmentRule)) == 0


def test_rules_are_the_organisations_own(client, demo, login_as, db):
    team(db, demo, EMPLOYEE)
    login_as(demo[ADMIN])
    post(client, "/flows/assign", assign_form(audience="group:Onboarding buddies", keep_assigning="yes"), htmx=True,
         token=None)
    rule = db.session.scalar(sa.select(AssignmentRule))
    other = make_user(make_org("elsewhere"), "admin@elsewhere.example", role="admin")
    db.session.commit()
    login_as(other)
    assert post(client, f"/flows/rules/{rule.public_id}/stop", {}, token=None).status_code == 404
    login_as(demo[MANAGER])
    assert post(client, f"/flows/rules/{rule.public_id}/stop", {}, token=None).status_code == 403
    db.session.expire_all()
    assert db.session.get(AssignmentRule, rule.id).active


def test_a_rule_whose_group_is_gone_waits_and_the_others_still_run(client, demo, login_as, db):
    gone = team(db, demo, EMPLOYEE, name="Short-lived")
    kept = team(db, demo, EMPLOYEE, name="Long-lived")
    login_as(demo[ADMIN])
    for name in ("Short-lived", "Long-lived"):
        post(client, "/flows/assign", assign_form(audience=f"group:{name}", keep_assigning="yes", flow="flow_123abc"
                                                  if name == "Short-lived" else "flow_sec101"), htmx=True)
    groups.delete_group(demo[ADMIN], gone.id)
    groups.add_member(demo[ADMIN], kept.id, HR)
    db.session.commit()
    assert audiences.apply_rules(NOW) == 2
    db.session.commit()
    assert assigned_to(db) == ids(demo, EMPLOYEE, HR)  # the Long-lived rule ran
    assert all(rule.active for rule in db.session.scalars(sa.select(AssignmentRule)))  # the other waits
