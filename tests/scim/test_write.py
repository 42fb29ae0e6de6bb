"""SCIM 2.0 writes: the request sequences Okta's and Entra ID's provisioning documentation
shows (create, get by filter, update, deactivate), PATCH in each one's dialect, DELETE as
deactivation, the continuity rules on deactivation, the audit trail and hostile input."""

import uuid

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Role, User
from momoflow.scim.models import ScimChange
from tests.factories import make_org, make_user
from tests.workflows.test_several_approvers import create, detail, level

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
NEW = "dana.new@company.com"


def okta_user(email=NEW, **more):
    """Okta's create body (its SCIM 2.0 guide)."""
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email,
            "name": {"givenName": "Dana", "familyName": "New"},
            "emails": [{"primary": True, "value": email, "type": "work"}], "displayName": "Dana New",
            "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7", "groups": [], "password": "ignored",
            "active": True, **more}


def changes(db):
    return [(change.action, change.summary) for change in
            db.session.scalars(sa.select(ScimChange).order_by(ScimChange.occurred_at, ScimChange.action))]


def test_okta_create_find_update_and_deactivate(okta, db, demo):
    assert okta.get("/Users", query_string={"filter": f'userName eq "{NEW}"'}).get_json()["totalResults"] == 0
    created = okta.post("/Users", okta_user())
    assert created.status_code == 201, created.get_json()
    user = created.get_json()
    assert created.headers["Location"].endswith(f"/scim/v2/Users/{user['id']}")
    assert (user["userName"], user["displayName"], user["active"], user["externalId"]) == (
        NEW, "Dana New", True, "00ujl29u0le5T6Aj10h7")
    found = okta.get("/Users", query_string={"filter": f'userName eq "{NEW}"'}).get_json()
    assert [item["id"] for item in found["Resources"]] == [user["id"]]

    replaced = okta.put(f"/Users/{user['id']}", okta_user(
        displayName="Dana Newman", title="Account Executive",
        **{ENTERPRISE: {"department": "Sales", "manager": {"value": str(demo["manager@royalenfield.com"].id)}}}))
    assert replaced.status_code == 200, replaced.get_json()
    body = replaced.get_json()
    assert (body["displayName"], body["title"], body[ENTERPRISE]["department"]) == (
        "Dana Newman", "Account Executive", "Sales")
    assert body[ENTERPRISE]["manager"]["value"] == str(demo["manager@royalenfield.com"].id)

    off = okta.patch(f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"active": False}}]})
    assert off.status_code == 200 and off.get_json()["active"] is False
    person = db.session.get(User, uuid.UUID(user["id"]))
    assert not person.active
    assert [action for action, _ in changes(db)] == ["user.created", "user.updated", "user.deactivated"]


def test_entra_id_sequence_with_capitalised_ops_and_paths(okta, db):
    user = okta.post("/Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "externalId": "0a21f0f2",
                                "userName": "Test_User_ab6490ee@company.com", "active": True,
                                "displayName": "Test User", "emails": [{"primary": True, "type": "work",
                                                                         "value": "Test_User_ab6490ee@company.com"}],
                                "meta": {"resourceType": "User"}, "name": {"formatted": "givenName familyName",
                                                                          "familyName": "familyName",
                                                                          "givenName": "givenName"},
                                "roles": []}).get_json()
    assert user["userName"] == "test_user_ab6490ee@company.com"
    by_external = okta.get("/Users", query_string={"filter": 'userName eq "Test_User_ab6490ee@company.com"'})
    assert by_external.get_json()["totalResults"] == 1
    patched = okta.patch(f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "displayName", "value": "Entra Person"},
        {"op": "Add", "path": 'emails[type eq "work"].value', "value": "entra.person@company.com"},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Finance"},
        {"op": "Replace", "value": {"title": "Analyst", "name.givenName": "Entra"}},
        {"op": "Replace", "path": "active", "value": "False"}]})
    assert patched.status_code == 400  # "False" as text is refused; nothing is half-written
    assert okta.get(f"/Users/{user['id']}").get_json()["displayName"] == "Test User"
    patched = okta.patch(f"/Users/{user['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "displayName", "value": "Entra Person"},
        {"op": "Add", "path": 'emails[type eq "work"].value', "value": "entra.person@company.com"},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Finance"},
        {"op": "Replace", "value": {"title": "Analyst"}},
        {"op": "Remove", "path": "externalId"}]})
    assert patched.status_code == 200, patched.get_json()
    body = patched.get_json()
    # The email changed; the userName is what was sent until a change names it.
    assert (body["displayName"], body["userName"], body["emails"][0]["value"], body["title"],
            body[ENTERPRISE]["department"]) == (
        "Entra Person", "test_user_ab6490ee@company.com", "entra.person@company.com", "Analyst", "Finance")
    assert "externalId" not in body
    assert okta.delete(f"/Users/{user['id']}").status_code == 204
    assert okta.get(f"/Users/{user['id']}").status_code == 404  # gone from SCIM (RFC 7644 §3.6)
    person = db.session.get(User, uuid.UUID(user["id"]))
    assert not person.active and person.email == "entra.person@company.com"  # kept, for history
    assert okta.delete(f"/Users/{user['id']}").status_code == 404  # again: unknown now


def test_deactivation_moves_waiting_approvals_to_the_manager(okta, api_as, demo, db):
    leaver, boss = demo["manager@royalenfield.com"], demo["vp@royalenfield.com"]
    leaver.manager_id = boss.id
    db.session.flush()  # the requests below read it
    created = create(api_as, level(leaver.email, "director@royalenfield.com", mode="ALL"))
    response = okta.patch(f"/Users/{leaver.id}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "active", "value": False}]})
    assert response.status_code == 200 and response.get_json()["active"] is False
    db.session.expire_all()
    approvers = {t["email"]: t["status"] for t in detail(api_as, created)["approvalLevels"][0]["approvers"]}
    assert approvers[leaver.email] == "REASSIGNED" and approvers[boss.email] == "PENDING"


def test_the_last_admin_cannot_be_deactivated_by_provisioning(okta, demo, db):
    admins = db.session.scalars(sa.select(User).where(User.organization_id == demo["admin@company.com"].organization_id,
                                                      User.role == Role.ADMIN, User.active)).all()
    for other in admins[1:]:
        other.active = False
    db.session.flush()
    response = okta.patch(f"/Users/{admins[0].id}", {"Operations": [{"op": "replace", "value": {"active": False}}]})
    assert response.status_code == 409 and response.get_json()["scimType"] == "mutability"
    assert db.session.get(User, admins[0].id).active


@pytest.mark.parametrize("body, status, scim_type", [
    ({"userName": "not-an-email"}, 400, "invalidValue"),
    ({"userName": "employee@company.com"}, 409, "uniqueness"),
    ({"userName": "x@company.com", "active": "yes"}, 400, "invalidValue"),
    ({"userName": "x@company.com", "displayName": "a\x00b"}, 400, "invalidValue"),
    ({"userName": "x@company.com", "displayName": "x" * 10_000}, 400, "invalidValue"),
    ({"userName": "x@company.com", "title": ["not", "text"]}, 400, "invalidValue"),
    ({"userName": "x@company.com", ENTERPRISE: {"manager": {"value": "nobody"}}}, 400, "invalidValue"),
    ({"userName": 42}, 400, "invalidValue"),
])
def test_bad_bodies_are_refused_in_scims_error_shape(okta, db, body, status, scim_type):
    response = okta.post("/Users", body)
    assert (response.status_code, response.get_json()["scimType"]) == (status, scim_type), response.get_json()
    assert response.get_json()["schemas"] == [ERROR]
    assert db.session.scalar(sa.select(User).where(User.email == "x@company.com")) is None


@pytest.mark.parametrize("body", [
    {}, {"Operations": []}, {"Operations": "replace"}, {"Operations": [{"op": "move", "path": "title"}]},
    {"Operations": [{"op": "replace", "path": "password", "value": "x"}]},
    {"Operations": [{"op": "remove"}]}, {"Operations": [{"op": "replace", "value": "not an object"}]},
    {"Operations": [{"op": "replace", "path": 7, "value": "x"}]},
])
def test_bad_patches_are_400(okta, demo, body):
    response = okta.patch(f"/Users/{demo['employee@company.com'].id}", body)
    assert response.status_code == 400 and response.get_json()["schemas"] == [ERROR]


def test_hostile_json_and_other_organisations(okta, demo, db, client):
    raw = okta.client.post("/scim/v2/Users", data="[" * 5000, content_type="application/scim+json",
                           headers={"Authorization": f"Bearer {okta.secret}"})
    assert raw.status_code == 400
    surrogate = okta.client.post("/scim/v2/Users", data='{"userName": "\\ud800@x.com"}',
                                 content_type="application/scim+json",
                                 headers={"Authorization": f"Bearer {okta.secret}"})
    assert surrogate.status_code == 400
    assert okta.client.post("/scim/v2/Users", data="userName=x", headers={
        "Authorization": f"Bearer {okta.secret}"}).status_code == 415
    stranger = make_user(make_org(), email="stranger@elsewhere.example")
    db.session.flush()
    assert okta.patch(f"/Users/{stranger.id}", {"Operations": [{"op": "replace", "value": {"active": False}}]}) \
        .status_code == 404
    assert okta.delete(f"/Users/{stranger.id}").status_code == 404
    assert db.session.get(User, stranger.id).active


def test_a_put_without_active_never_brings_someone_back(okta, db):
    user = okta.post("/Users", okta_user()).get_json()
    assert okta.patch(f"/Users/{user['id']}", {"Operations": [{"op": "replace", "value": {"active": False}}]}) \
        .get_json()["active"] is False
    body = {key: value for key, value in okta_user(displayName="Still Gone").items() if key != "active"}
    replaced = okta.put(f"/Users/{user['id']}", body).get_json()
    assert (replaced["displayName"], replaced["active"]) == ("Still Gone", False)
