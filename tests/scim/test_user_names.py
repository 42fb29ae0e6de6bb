"""userName as the provider sends it (not always an email), DELETE that makes a person unknown
to SCIM, reactivation's event, and the query parameters scim2-tester checks: attributes,
excludedAttributes, externalId filters and POST .search."""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.events import Event
from momoflow.groups.models import Group
from tests.scim.test_write import PATCH_OP, changes

WORK = "urn:ietf:params:scim:schemas:core:2.0:User"


def person(user_name, email=None, **extra):
    body = {"schemas": [WORK], "userName": user_name, "displayName": "Ada Lovelace", **extra}
    if email:
        body["emails"] = [{"value": email, "type": "work", "primary": True}]
    return body


def test_a_username_that_is_not_an_email_is_kept_and_the_email_comes_from_emails(okta, db):
    created = okta.post("/Users", person("ALovelace", "ada@company.com", externalId="00u1"))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["userName"] == "ALovelace" and body["emails"] == [{"value": "ada@company.com", "type": "work"}]
    user = db.session.get(User, uuid.UUID(body["id"]))
    assert user.email == "ada@company.com" and user.scim_user_name == "ALovelace"
    for query in ('userName eq "alovelace"', 'externalId eq "00u1"', 'emails[type eq "work"].value eq "ADA@company.com"'):
        found = okta.get("/Users", query_string={"filter": query}).get_json()
        assert [item["id"] for item in found["Resources"]] == [body["id"]], query
    # userName is unique in the organisation, whatever its case; so is the email, everywhere.
    assert okta.post("/Users", person("alovelace", "other@company.com")).get_json()["scimType"] == "uniqueness"
    assert okta.post("/Users", person("someone-else", "ADA@company.com")).status_code == 409


def test_a_person_needs_an_email_from_somewhere(okta, db):
    answer = okta.post("/Users", person("no-email-here"))
    assert answer.status_code == 400 and "A work email is required" in answer.get_json()["detail"]
    # A home address is taken when it is the only one (work, else primary, else the first).
    answer = okta.post("/Users", {"userName": "grace", "emails": [{"value": "grace@company.com", "type": "home"}]})
    assert answer.status_code == 201 and answer.get_json()["emails"][0]["value"] == "grace@company.com"
    assert okta.get("/Users", query_string={"filter": 'userName eq "nobody"'}).get_json()["totalResults"] == 0


def test_patch_names_complex_attributes_whole_and_refuses_removing_what_is_required(okta, db):
    ident = okta.post("/Users", person("ada@company.com")).get_json()["id"]
    answer = okta.patch(f"/Users/{ident}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "name", "value": {"givenName": "Ada", "familyName": "Lovelace"}},
        {"op": "replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
         "value": {"department": "Analytical Engines"}}]})
    body = answer.get_json()
    assert body["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == {"department": "Analytical Engines"}
    assert "name" not in okta.patch(f"/Users/{ident}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": "name"}]}).get_json()
    for required in ("displayName", "active", "userName", "emails"):
        answer = okta.patch(f"/Users/{ident}", {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": required}]})
        assert answer.status_code == 400 and "cannot be removed" in answer.get_json()["detail"], required


def test_delete_makes_the_person_unknown_to_scim_and_a_post_brings_them_back(okta, db):
    ident = okta.post("/Users", person("ALovelace", "ada@company.com")).get_json()["id"]
    assert okta.delete(f"/Users/{ident}").status_code == 204
    assert okta.get(f"/Users/{ident}").status_code == 404
    assert okta.patch(f"/Users/{ident}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "active", "value": True}]}).status_code == 404
    assert okta.get("/Users", query_string={"filter": 'userName eq "ALovelace"'}).get_json()["totalResults"] == 0
    user = db.session.get(User, uuid.UUID(ident))
    assert not user.active and user.scim_removed_at is not None  # kept for history

    again = okta.post("/Users", person("ALovelace", "ada@company.com"))
    assert again.status_code == 201 and again.get_json()["id"] == ident and again.get_json()["active"] is True
    assert {"user.deactivated", "user.removed", "user.reactivated", "user.restored"} <= {
        action for action, _ in changes(db)}
    reactivated = db.session.scalars(sa.select(Event).where(Event.type == "person.reactivated",
                                                            Event.subject_id == user.id)).all()
    assert len(reactivated) == 1  # admins hear of it, as of any reactivation


def test_attributes_and_excluded_attributes_shape_every_answer(okta, db):
    ident = okta.post("/Users", person("ada@company.com"), query_string={"attributes": "userName"}).get_json()
    assert set(ident) == {"schemas", "id", "userName"}
    ident = ident["id"]
    assert set(okta.get(f"/Users/{ident}", query_string={"attributes": "displayName,emails"}).get_json()) == {
        "schemas", "id", "displayName", "emails"}
    listed = okta.get("/Users", query_string={"excludedAttributes": "emails,meta", "count": "1"}).get_json()
    assert "emails" not in listed["Resources"][0] and "userName" in listed["Resources"][0]
    both = okta.get("/Users", query_string={"attributes": "userName", "excludedAttributes": "emails"})
    assert both.status_code == 400 and both.get_json()["scimType"] == "invalidValue"


def test_post_search_on_users_groups_and_the_root(okta, db):
    ident = okta.post("/Users", person("ALovelace", "ada@company.com")).get_json()["id"]
    okta.post("/Groups", {"displayName": "Engine builders", "members": [{"value": ident}]})
    search = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
              "filter": 'userName eq "ALovelace"', "attributes": ["userName"]}
    found = okta.post("/Users/.search", search).get_json()
    assert found["totalResults"] == 1 and found["Resources"][0] == {"schemas": [WORK], "id": ident,
                                                                     "userName": "ALovelace"}
    groups = okta.post("/Groups/.search", {"filter": 'displayName eq "Engine builders"'}).get_json()
    assert [group["displayName"] for group in groups["Resources"]] == ["Engine builders"]
    # The root: users then groups; a filter only users understand finds users only.
    everything = okta.post("/.search", {"attributes": ["id"], "count": 500}).get_json()
    assert everything["totalResults"] == len(everything["Resources"]) > 1
    assert okta.post("/.search", search).get_json()["totalResults"] == 1
    assert okta.post("/.search", {"filter": "title pr"}).status_code == 400
    assert okta.post("/Users/.search", {"filter": 7}).status_code == 400
    assert okta.post("/Users/.search", {"count": "lots"}).status_code == 400


def test_group_external_id_and_removing_every_member(okta, db):
    ident = okta.post("/Users", person("ada@company.com")).get_json()["id"]
    group = okta.post("/Groups", {"displayName": "Engines", "members": [{"value": ident}]}).get_json()
    patched = okta.patch(f"/Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "externalId", "value": "grp-1"}, {"op": "remove", "path": "members"}]}).get_json()
    assert patched["externalId"] == "grp-1" and not patched.get("members")
    assert patched == okta.get(f"/Groups/{group['id']}").get_json()


def test_rules_that_keep_assigning_reach_provisioned_people_at_once(okta, client, demo, login_as, db):
    from momoflow.flows.models import Assignment
    from tests.flows.pages import ADMIN, post
    from tests.flows.test_audiences import assign_form

    group = okta.post("/Groups", {"displayName": "New starters"}).get_json()
    login_as(demo[ADMIN])
    for audience in ("department:Analytical Engines", "group:New starters"):
        answer = post(client, "/flows/assign", assign_form(audience=audience, keep_assigning="yes"), htmx=True)
        assert answer.status_code == 200, audience

    def flows_of(ident):
        return db.session.scalar(sa.select(sa.func.count()).select_from(Assignment)
                                 .where(Assignment.user_id == uuid.UUID(ident)))

    ada = okta.post("/Users", person("ada@company.com", **{
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Analytical Engines"}}))
    assert flows_of(ada.get_json()["id"]) == 1  # the department's rule, without waiting for the tick
    grace = okta.post("/Users", person("grace@company.com")).get_json()["id"]
    assert flows_of(grace) == 0
    okta.patch(f"/Groups/{group['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": grace}]}]})
    assert flows_of(grace) == 1  # the group's rule, as soon as the provider adds her


def test_etags_answer_304_for_an_unchanged_resource_and_412_for_a_stale_write(okta, db):
    config = okta.get("/ServiceProviderConfig").get_json()
    assert config["etag"] == {"supported": True}
    created = okta.post("/Users", person("ada@company.com"))
    ident, version = created.get_json()["id"], created.headers["ETag"]
    assert version.startswith('W/"') and created.get_json()["meta"]["version"] == version
    assert okta.get(f"/Users/{ident}", headers={"If-None-Match": version}).status_code == 304
    change = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Analyst"}]}
    db.session.scalar(sa.select(User).where(User.id == uuid.UUID(ident))).updated_at -= timedelta(seconds=5)
    db.session.flush()
    version = okta.get(f"/Users/{ident}").headers["ETag"]
    patched = okta.patch(f"/Users/{ident}", change, headers={"If-Match": version})
    assert patched.status_code == 200 and patched.headers["ETag"] != version
    stale = okta.patch(f"/Users/{ident}", {**change, "Operations": [{"op": "replace", "path": "title", "value": "X"}]},
                       headers={"If-Match": version})
    assert stale.status_code == 412 and okta.get(f"/Users/{ident}").get_json()["title"] == "Analyst"
    assert okta.get(f"/Users/{ident}", headers={"If-None-Match": version}).status_code == 200
    assert okta.delete(f"/Users/{ident}", headers={"If-Match": version}).status_code == 412
    assert okta.delete(f"/Users/{ident}", headers={"If-Match": "*"}).status_code == 204

    group = okta.post("/Groups", {"displayName": "Engines"})
    group_version = group.headers["ETag"]
    db.session.scalar(sa.select(Group).where(Group.id == uuid.UUID(group.get_json()["id"]))).updated_at -= \
        timedelta(seconds=5)
    db.session.flush()
    group_version = okta.get(f"/Groups/{group.get_json()['id']}").headers["ETag"]
    grace = okta.post("/Users", person("grace@company.com")).get_json()["id"]
    okta.patch(f"/Groups/{group.get_json()['id']}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": grace}]}]})
    assert okta.get(f"/Groups/{group.get_json()['id']}",
                    headers={"If-None-Match": group_version}).status_code == 200  # a new member, a new version


def test_root_search_pages_across_users_then_groups(okta, db):
    okta.post("/Groups", {"displayName": "Engines"})
    users = okta.get("/Users", query_string={"count": "0"}).get_json()["totalResults"]
    page = okta.post("/.search", {"startIndex": users, "count": 2, "attributes": ["id"]}).get_json()
    assert page["totalResults"] == users + 1 and page["startIndex"] == users
    assert [item["schemas"][0].rsplit(":", 1)[1] for item in page["Resources"]] == ["User", "Group"]
    beyond = okta.post("/.search", {"startIndex": users + 1, "count": 5}).get_json()
    assert [item["displayName"] for item in beyond["Resources"]] == ["Engines"]
