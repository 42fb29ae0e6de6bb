"""Levels whose approvers are a group's members: the level's mode says how many must approve."""

import pytest

from momoflow.extensions import db
from momoflow.groups.services import add_member, create_group
from tests.request_templates.conftest import ADMIN, raise_from

FINANCE = ["finance-manager@royalenfield.com", "finance@royalenfield.com", "procurement@royalenfield.com"]


@pytest.fixture
def finance_group(demo):
    group = create_group(demo[ADMIN], "finance-approvers")
    for email in FINANCE:
        add_member(demo[ADMIN], group.id, email)
    return group


def group_level(group="finance-approvers", **extra):
    return {"levelName": "Finance", "tatHours": 48, "approverRule": {"type": "GROUP", "group": group}, **extra}


def item_form():
    return [{"key": "item", "label": "Item", "type": "SHORT_TEXT"}]


def test_a_quorum_of_a_group_reads_two_of_three(finance_group, make_template, employee_api):
    template = make_template(fields=item_form(), levels=[group_level(approvalMode="QUORUM", minApprovals=2)])
    level = employee_api.post(f"/templates/{template['templateId']}/preview", json={"fields": {}}
                              ).get_json()["data"]["levels"][0]
    assert level["summary"] == "2 of 3 of finance-approvers"
    assert sorted(person["email"] for person in level["approvers"]) == sorted(FINANCE)
    assert {person["why"] for person in level["approvers"]} == {"member of finance-approvers"}
    created = raise_from(employee_api, template, {}).get_json()["data"]["approvalLevels"][0]
    assert (created["approvalMode"], created["minApprovals"], len(created["approvers"])) == ("QUORUM", 2, 3)


def test_group_names_ignore_case(finance_group, make_template, employee_api):
    template = make_template(fields=item_form(), levels=[group_level("Finance-Approvers")])
    assert raise_from(employee_api, template, {}).status_code == 201


def test_an_unknown_or_empty_group_finds_nobody(finance_group, make_template, employee_api, demo):
    unknown = make_template(fields=item_form(), levels=[group_level("auditors")])
    assert raise_from(employee_api, unknown, {}).get_json()["details"] == (
        "Level 1 (Finance): there is no group called auditors")
    for email in FINANCE:
        demo[email].active = False
    db.session.flush()
    emptied = make_template(name="Emptied", fields=item_form(), levels=[group_level()])
    assert raise_from(employee_api, emptied, {}).get_json()["details"] == (
        "Level 1 (Finance): the group finance-approvers has no active members")


def test_a_requester_in_the_group_is_left_out_and_their_manager_steps_in(finance_group, make_template, api_as):
    template = make_template(fields=item_form(), levels=[group_level(approvalMode="ALL")])
    finance = api_as("finance@royalenfield.com")  # Vikram Singh, managed by finance-manager@
    level = finance.post(f"/templates/{template['templateId']}/preview", json={"fields": {}}
                         ).get_json()["data"]["levels"][0]
    # his manager is in the group already: nobody is added, he is just left out
    assert sorted(person["email"] for person in level["approvers"]) == [
        "finance-manager@royalenfield.com", "procurement@royalenfield.com"]


def test_people_of_a_group_already_approving_earlier_approve_once(finance_group, make_template, api_as):
    template = make_template(fields=item_form(), levels=[
        {"levelName": "Manager approval", "tatHours": 24, "approverRule": {"type": "MANAGER"}}, group_level()])
    # procurement@ reports to the CFO; finance@'s manager is finance-manager@, in the group too
    data = api_as("finance@royalenfield.com").post(f"/templates/{template['templateId']}/preview",
                                                   json={"fields": {}}).get_json()["data"]
    assert [[person["email"] for person in level["approvers"]] for level in data["levels"]] == [
        ["finance-manager@royalenfield.com"], ["procurement@royalenfield.com"]]
