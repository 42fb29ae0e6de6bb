"""SCIM Groups: pushed by the identity provider, read by approver rules and flow audiences
like any group; membership changes in Okta's and Entra ID's PATCH forms."""

import pytest
import sqlalchemy as sa

from momoflow.groups.models import Group, GroupSource
from momoflow.groups.services import create_group, members_of
from tests.factories import make_org, make_user

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def ids(*people):
    return [{"value": str(person.id)} for person in people]


@pytest.fixture
def team(demo):
    return [demo[email] for email in ("employee@company.com", "manager@royalenfield.com", "hr@royalenfield.com")]


def emails(organization, name):
    return sorted(user.email for user in members_of(organization, name))


def test_okta_pushes_a_group_then_adds_and_removes_members(okta, demo_org, team, db):
    employee, manager, hr = team
    created = okta.post("/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                    "displayName": "Finance Approvers", "members": ids(employee)})
    assert created.status_code == 201, created.get_json()
    group = created.get_json()
    assert created.headers["Location"].endswith(f"/scim/v2/Groups/{group['id']}")
    assert [member["value"] for member in group["members"]] == [str(employee.id)]
    assert emails(demo_org, "finance approvers") == [employee.email]  # what approver rules read
    assert db.session.scalar(sa.select(Group.source).where(Group.name == "Finance Approvers")) == GroupSource.SCIM

    added = okta.patch(f"/Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": ids(manager, hr)}]})
    assert added.status_code == 200 and len(added.get_json()["members"]) == 3
    removed = okta.patch(f"/Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": f'members[value eq "{employee.id}"]'}]})
    assert removed.status_code == 200
    assert emails(demo_org, "Finance Approvers") == sorted([manager.email, hr.email])
    renamed = okta.patch(f"/Groups/{group['id']}", {"Operations": [
        {"op": "replace", "value": {"id": group["id"], "displayName": "Finance Leads"}}]})
    assert renamed.get_json()["displayName"] == "Finance Leads"
    found = okta.get("/Groups", query_string={"filter": 'displayName eq "finance leads"'}).get_json()
    assert [item["id"] for item in found["Resources"]] == [group["id"]]


def test_entra_adds_and_removes_with_capitalised_ops_and_deletes(okta, demo_org, team, db):
    employee, manager, hr = team
    group = okta.post("/Groups", {"displayName": "Group1DisplayName", "externalId": "60e1a3d3", "members": []})
    group = group.get_json()
    assert group["externalId"] == "60e1a3d3" and group.get("members", []) == []
    assert okta.patch(f"/Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Add", "path": "members", "value": ids(employee, manager)}]}).status_code == 200
    assert okta.patch(f"/Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "members", "value": ids(manager)}]}).status_code == 200
    assert emails(demo_org, "Group1DisplayName") == [employee.email]
    assert okta.put(f"/Groups/{group['id']}", {"displayName": "Group1DisplayName", "members": ids(hr)}) \
        .get_json()["members"][0]["value"] == str(hr.id)
    assert okta.delete(f"/Groups/{group['id']}").status_code == 204
    assert okta.get(f"/Groups/{group['id']}").status_code == 404
    assert members_of(demo_org, "Group1DisplayName") is None


def test_a_providers_group_is_read_only_in_settings(okta, client, demo, login_as, db):
    group = okta.post("/Groups", {"displayName": "Pushed"}).get_json()
    login_as(demo["admin@company.com"])
    page = client.get(f"/settings/groups/{group['id']}").get_data(as_text=True)
    assert "Identity provider" in page and "Add to Pushed" not in page


@pytest.mark.parametrize("body, status, scim_type", [
    ({}, 400, "invalidValue"),
    ({"displayName": "x" * 300}, 400, "invalidValue"),
    ({"displayName": "a\x00b"}, 400, "invalidValue"),
    ({"displayName": "Ok", "members": [{"value": "nobody"}]}, 400, "invalidValue"),
    ({"displayName": "Ok", "members": "everyone"}, 400, "invalidValue"),
    ({"displayName": "Ok", "members": [{"value": 7}]}, 400, "invalidValue"),
])
def test_bad_groups_are_refused(okta, db, body, status, scim_type):
    response = okta.post("/Groups", body)
    assert (response.status_code, response.get_json().get("scimType")) == (status, scim_type), response.get_json()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Group).where(Group.source == GroupSource.SCIM)) == 0


def test_names_are_unique_and_other_organisations_people_are_refused(okta, demo, db):
    create_group(demo["admin@company.com"], "Payroll")
    clash = okta.post("/Groups", {"displayName": "payroll"})
    assert clash.status_code == 409 and clash.get_json()["scimType"] == "uniqueness"
    stranger = make_user(make_org())
    db.session.flush()
    refused = okta.post("/Groups", {"displayName": "Mixed", "members": ids(stranger)})
    assert refused.status_code == 400


def test_local_groups_are_not_the_providers(okta, demo, db):
    local = create_group(demo["admin@company.com"], "Local only")
    db.session.flush()
    assert okta.get(f"/Groups/{local.id}").status_code == 404
    assert okta.delete(f"/Groups/{local.id}").status_code == 404
    assert okta.get("/Groups").get_json()["totalResults"] == 0


@pytest.mark.parametrize("operations", [
    [{"op": "replace", "path": "members[value eq x]"}], [{"op": "remove", "path": "owner"}],
    [{"op": "move", "path": "members"}], "not a list", [],
])
def test_bad_group_patches_are_400(okta, operations):
    group = okta.post("/Groups", {"displayName": "Patched"}).get_json()
    response = okta.patch(f"/Groups/{group['id']}", {"Operations": operations})
    assert response.status_code == 400
