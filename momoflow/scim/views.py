"""``/scim/v2`` routes: discovery (ServiceProviderConfig, ResourceTypes, Schemas) and the
organisation's Users. Thin: ``scim.users`` reads, scim2-models shapes the documents."""

from flask import jsonify, request, url_for
from scim2_models import (
    AuthenticationScheme, Bulk, ChangePassword, Context, EnterpriseUser, ETag, Filter, Patch,
    ResourceType, SchemaExtension, ServiceProviderConfig, Sort,
)
from scim2_models import Group as ScimGroup
from scim2_models import User as ScimUser

from momoflow.errors import NotFound
from momoflow.api import json_body
from momoflow.scim import bp, current_token, groups, provisioning, users

SCIM_JSON = "application/scim+json"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def scim(body, status=200, location=None):
    response = jsonify(body)
    response.status_code, response.mimetype = status, SCIM_JSON
    if location:
        response.headers["Location"] = location
    return response


def listed(resources, total, start_index=1):
    return {"schemas": [LIST_RESPONSE], "totalResults": total, "startIndex": start_index,
            "itemsPerPage": len(resources), "Resources": resources}


# --- discovery (RFC 7644 §4) -----------------------------------------------------------------


@bp.get("/ServiceProviderConfig")
def service_provider_config():
    config = ServiceProviderConfig(
        patch=Patch(supported=True), bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=users.MAX_COUNT), change_password=ChangePassword(supported=False),
        sort=Sort(supported=False), etag=ETag(supported=False),
        authentication_schemes=[AuthenticationScheme(
            type="oauthbearertoken", name="Provisioning token", primary=True,
            description="A token made at Settings → Provisioning or with flask create-scim-token, "
                        "sent as Authorization: Bearer <token>.")])
    return scim(config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _group_type():
    return ResourceType(id="Group", name="Group", endpoint="/Groups", description="Groups of people: approver rules "
                        "and flow audiences name them", schema_="urn:ietf:params:scim:schemas:core:2.0:Group")


def _user_type():
    return ResourceType(id="User", name="User", endpoint="/Users", description="People of the organisation",
                        schema_="urn:ietf:params:scim:schemas:core:2.0:User",
                        schema_extensions=[SchemaExtension(schema_=EnterpriseUser.__schema__, required=False)])


@bp.get("/ResourceTypes")
def resource_types():
    found = [kind().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE) for kind in (_user_type, _group_type)]
    return scim(listed(found, len(found)))


@bp.get("/ResourceTypes/<name>")
def resource_type(name):
    kinds = {"User": _user_type, "Group": _group_type}
    if name not in kinds:
        raise NotFound(f"Resource type {name[:60]} not found")
    return scim(kinds[name]().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


def _schemas():
    return [model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
            for model in (ScimUser, EnterpriseUser, ScimGroup)]


@bp.get("/Schemas")
def schemas():
    found = _schemas()
    return scim(listed(found, len(found)))


@bp.get("/Schemas/<path:schema_id>")
def schema(schema_id):
    found = next((item for item in _schemas() if item["id"] == schema_id), None)
    if found is None:
        raise NotFound(f"Schema {schema_id[:100]} not found")
    return scim(found)


# --- Users ---------------------------------------------------------------------------------


@bp.get("/Users")
def list_users():
    page = users.search(current_token().organization, request.args)
    managers = users.managers_of(page.people)
    return scim(listed([users.resource(person, managers) for person in page.people], page.total, page.start_index))


@bp.get("/Users/<user_id>")
def get_user(user_id):
    return scim(users.resource(users.find_user(current_token().organization, user_id)))


@bp.post("/Users")
def create_user():
    user = provisioning.create(current_token(), json_body(wrong_type_status=415))
    location = url_for("scim.get_user", user_id=user.id, _external=True)
    return scim(users.resource(user), 201, location)


@bp.put("/Users/<user_id>")
def replace_user(user_id):
    return scim(users.resource(provisioning.replace(current_token(), user_id, json_body(wrong_type_status=415))))


@bp.patch("/Users/<user_id>")
def patch_user(user_id):
    return scim(users.resource(provisioning.patch(current_token(), user_id, json_body(wrong_type_status=415))))


@bp.delete("/Users/<user_id>")
def delete_user(user_id):
    provisioning.deactivate(current_token(), user_id)
    return "", 204


# --- Groups --------------------------------------------------------------------------------


def _group_answer(group, status=200, location=None):
    return scim(groups.resource(group, groups.members_of([group])[group.id]), status, location)


@bp.get("/Groups")
def list_groups():
    found, total, start = groups.search(current_token().organization, request.args)
    members = groups.members_of(found)
    return scim(listed([groups.resource(group, members[group.id]) for group in found], total, start))


@bp.get("/Groups/<group_id>")
def get_group(group_id):
    return _group_answer(groups.find_group(current_token().organization, group_id))


@bp.post("/Groups")
def create_group():
    group = groups.create(current_token(), json_body(wrong_type_status=415))
    return _group_answer(group, 201, url_for("scim.get_group", group_id=group.id, _external=True))


@bp.put("/Groups/<group_id>")
def replace_group(group_id):
    return _group_answer(groups.replace(current_token(), group_id, json_body(wrong_type_status=415)))


@bp.patch("/Groups/<group_id>")
def patch_group(group_id):
    return _group_answer(groups.patch(current_token(), group_id, json_body(wrong_type_status=415)))


@bp.delete("/Groups/<group_id>")
def delete_group(group_id):
    groups.delete(current_token(), group_id)
    return "", 204
