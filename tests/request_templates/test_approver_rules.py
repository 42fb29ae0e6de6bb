"""Approver rules read against the org chart (the demo's: employee → manager → director → vp)."""

import pytest

from momoflow.extensions import db
from momoflow.request_templates.resolution import management_chain
from tests.factories import make_user
from tests.request_templates.conftest import raise_from

EMPLOYEE, MANAGER, DIRECTOR, VP = ("employee@company.com", "manager@royalenfield.com", "director@royalenfield.com",
                                   "vp@royalenfield.com")


def level(name, rule, **extra):
    return {"levelName": name, "tatHours": 24, "approverRule": rule, **extra}


def form(*fields):
    return [{"key": "item", "label": "Item", "type": "SHORT_TEXT"}, *fields]


HIRE = {"key": "hire", "label": "New hire", "type": "PERSON", "required": True}


def preview(api, template, values=None):
    response = api.post(f"/templates/{template['templateId']}/preview", json={"fields": values or {}})
    return response


def planned(api, template, values=None):
    response = preview(api, template, values)
    assert response.status_code == 200, response.get_json()
    return [[(person["email"], person["why"]) for person in level["approvers"]]
            for level in response.get_json()["data"]["levels"]]


@pytest.mark.parametrize("levels_up, email, why", [
    (1, MANAGER, "your manager"),
    (2, DIRECTOR, "2 levels above you"),
    (3, VP, "3 levels above you"),
    (7, VP, "3 levels above you, top of the chain"),
])
def test_the_management_chain_is_followed_n_levels_up_and_stops_at_its_top(make_template, employee_api,
                                                                              levels_up, email, why):
    template = make_template(fields=form(), levels=[level("Up", {"type": "MANAGER", "levelsUp": levels_up})])
    assert planned(employee_api, template) == [[(email, why)]]


def test_a_requester_without_a_manager_is_told_which_level_finds_nobody(make_template, api_as):
    template = make_template(fields=form(), levels=[level("Manager approval", {"type": "MANAGER"})])
    response = raise_from(api_as(VP), template, {})
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["details"] == "Level 1 (Manager approval): you have no manager in the directory"


def test_a_template_may_skip_a_level_that_finds_nobody(make_template, api_as):
    template = make_template(fields=form(), whenNoApprover="SKIP", levels=[
        level("Manager approval", {"type": "MANAGER"}),
        level("Finance", {"type": "PEOPLE", "emails": ["cfo@royalenfield.com"]})])
    data = preview(api_as(VP), template).get_json()["data"]
    assert [item["levelName"] for item in data["levels"]] == ["Finance"]
    assert data["leftOut"] == [{"templateLevel": 1, "levelName": "Manager approval",
                                "reason": "you have no manager in the directory"}]
    created = raise_from(api_as(VP), template, {}).get_json()["data"]
    assert [item["levelName"] for item in created["approvalLevels"]] == ["Finance"]


def test_the_manager_of_the_person_named_in_a_field(make_template, api_as):
    template = make_template(fields=form(HIRE), levels=[
        level("Hiring manager's manager", {"type": "FIELD_MANAGER", "field": "hire", "levelsUp": 2})])
    # spectator@royalenfield.com (Jane Doe) → manager@royalenfield.com → director@royalenfield.com
    assert planned(api_as("hr@royalenfield.com"), template, {"hire": "spectator@royalenfield.com"}) == [
        [(DIRECTOR, "2 levels above Jane Doe")]]


def test_a_person_approves_once_at_the_first_level_where_they_appear(make_template, employee_api):
    template = make_template(fields=form(), levels=[
        level("Manager approval", {"type": "MANAGER"}),
        level("Leads", {"type": "PEOPLE", "emails": [MANAGER, "cfo@royalenfield.com"]}, approvalMode="ALL"),
        level("Again", {"type": "PEOPLE", "emails": [MANAGER]})])
    data = preview(employee_api, template).get_json()["data"]
    assert [[person["email"] for person in item["approvers"]] for item in data["levels"]] == [
        [MANAGER], ["cfo@royalenfield.com"]]
    assert data["leftOut"][0]["reason"] == "everyone it names already approves at an earlier level"
    created = raise_from(employee_api, template, {}).get_json()["data"]
    assert [[task["email"] for task in item["approvers"]] for item in created["approvalLevels"]] == [
        [MANAGER], ["cfo@royalenfield.com"]]


def test_the_requester_never_approves_their_own_request_their_manager_does(make_template, employee_api, api_as):
    template = make_template(fields=form(), levels=[
        level("Team", {"type": "PEOPLE", "emails": [EMPLOYEE, "cfo@royalenfield.com"]}, approvalMode="ALL")])
    assert planned(employee_api, template) == [[
        ("cfo@royalenfield.com", "named in the template"),
        (MANAGER, "your manager, as you cannot approve your own request")]]
    only_vp = make_template(name="Only the VP", fields=form(),
                            levels=[level("VP", {"type": "PEOPLE", "emails": [VP]})])
    body = raise_from(api_as(VP), only_vp, {}).get_json()
    assert body["details"] == "Level 1 (VP): it names only you, and you have no manager to approve in your place"


def test_named_people_who_left_are_passed_over_and_a_level_of_leavers_finds_nobody(make_template, employee_api,
                                                                                   demo):
    demo["cfo@royalenfield.com"].active = False
    db.session.flush()
    template = make_template(fields=form(), levels=[
        level("Finance", {"type": "PEOPLE", "emails": ["cfo@royalenfield.com", "finance-manager@royalenfield.com"]}),
        level("CFO", {"type": "PEOPLE", "emails": ["cfo@royalenfield.com"]})])
    body = raise_from(employee_api, template, {}).get_json()
    assert body["details"] == ("Level 2 (CFO): none of the people it names (cfo@royalenfield.com) is in the "
                               "directory any more")


def test_the_preview_is_what_the_create_builds(make_template, employee_api):
    template = make_template()
    values = {"item": "Servers", "amount": 60000}
    preview_levels = preview(employee_api, template, values).get_json()["data"]["levels"]
    created = raise_from(employee_api, template, values).get_json()["data"]["approvalLevels"]
    assert [(item["levelNumber"], item["levelName"], item["tatHours"], item["approvalMode"], item["minApprovals"],
             [person["email"] for person in item["approvers"]]) for item in preview_levels] == [
        (item["levelNumber"], item["levelName"], item["tatHours"], item["approvalMode"], item["minApprovals"],
         [task["email"] for task in item["approvers"]]) for item in created]
    assert len(created) == 3


def test_a_quorum_level_never_needs_more_approvals_than_it_has_approvers(make_template, employee_api):
    template = make_template(fields=form(), levels=[
        level("Panel", {"type": "PEOPLE", "emails": ["cfo@royalenfield.com", "legal@royalenfield.com"]},
              approvalMode="QUORUM", minApprovals=3)])
    data = preview(employee_api, template).get_json()["data"]["levels"][0]
    assert data["minApprovals"] == 2
    assert data["summary"].startswith("2 of 2: ")


def _chain(organization, depth):
    """A person with ``depth`` managers above them; returns the person."""
    boss = make_user(organization, display_name="Top")
    for _ in range(depth - 1):
        boss = make_user(organization, manager_id=boss.id)
    return make_user(organization, manager_id=boss.id)


def test_a_management_chain_costs_one_query_whatever_its_depth(demo, count_queries):
    organization = demo[EMPLOYEE].organization
    short, long = _chain(organization, 2), _chain(organization, 9)
    counts = []
    for person in (short, long):
        with count_queries() as statements:
            chain = management_chain(person)
        counts.append(len(statements))
    assert len(chain) == 9 and chain[-1].display_name == "Top"
    assert counts == [1, 1]


def test_planning_costs_the_same_queries_for_a_deep_chain_as_a_shallow_one(make_template, demo, client, app,
                                                                           count_queries):
    from momoflow.request_templates import reading

    organization = demo[EMPLOYEE].organization
    template = make_template(fields=form(), levels=[level("Top", {"type": "MANAGER", "levelsUp": 10}),
                                                    level("Next", {"type": "MANAGER", "levelsUp": 1})])
    counts = []
    for depth in (2, 9):
        person = _chain(organization, depth)
        db.session.expire_all()
        person = db.session.merge(person)
        with count_queries() as statements:
            result = reading.preview(person, template["templateId"], {})
        assert [approver.user.display_name for approver in result.plan.levels[0].approvers] == ["Top"]
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_loop_in_the_directory_does_not_loop_the_walk(demo):
    organization = demo[EMPLOYEE].organization
    one = make_user(organization)
    two = make_user(organization, manager_id=one.id)
    one.manager_id = two.id
    db.session.flush()
    assert management_chain(one) == [two]
