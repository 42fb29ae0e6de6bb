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
from momoflow.scim.errors import ScimError
from momoflow.scim.users import InvalidFilter

SCIM_JSON = "application/scim+json"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def scim(body, status=200, location=None, version=None):
    response = jsonify(body)
    response.status_code, response.mimetype = status, SCIM_JSON
    if location:
        response.headers["Location"] = location
    if version:
        response.headers["ETag"] = version
    return response


# --- versions (RFC 7644 §3.14): an ETag on each resource's answers; If-None-Match on a GET
# answers 304 when nothing changed, If-Match on a write refuses (412) a stale version.


def _not_modified(row):
    if request.if_none_match and request.if_none_match.contains_weak(users.version_of(row)[3:-1]):
        response = scim({}, 304, version=users.version_of(row))
        response.data = b""
        return response
    return None


def _require_version(row):
    if request.if_match and not request.if_match.star_tag and \
            not request.if_match.contains_weak(users.version_of(row)[3:-1]):
        raise ScimError("The resource changed since that version (If-Match)", "invalidVers", status=412)


def listed(resources, total, start_index=1):
    return {"schemas": [LIST_RESPONSE], "totalResults": total, "startIndex": start_index,
            "itemsPerPage": len(resources), "Resources": resources}


# --- discovery (RFC 7644 §4) -----------------------------------------------------------------


@bp.get("/ServiceProviderConfig")
def service_provider_config():
    config = ServiceProviderConfig(
        patch=Patch(supported=True), bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=users.MAX_COUNT), change_password=ChangePassword(supported=False),
        sort=Sort(supported=False), etag=ETag(supported=True),
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


# The attributes MomoFlow keeps, by schema (sub-attributes after a dot): the Schemas
# endpoint lists these only, so a client (and scim2-tester) knows what round-trips.
# Others are accepted where they help (name.givenName makes a display name) and not kept.
KEPT = {
    ScimUser: ("userName", "name.givenName", "name.familyName", "displayName", "title", "active", "emails.value",
               "emails.type"),
    EnterpriseUser: ("department", "manager.value", "manager.$ref"),
    ScimGroup: ("displayName", "members.value", "members.type", "members.$ref"),
}
# What every person has here: an email (userName when it is one, else a work address), a
# name to show and a state. A POST may leave displayName and active out (made from the name
# parts, and true); a PATCH may not remove them.
REQUIRED = {ScimUser: ("emails", "emails.value", "displayName", "active")}
# The one address kept is the work one (and, being the only one, needs no "primary").
CANONICAL = {ScimUser: {"emails.type": ["work"]}}


def _schemas():
    return [_kept(model, model.to_schema().model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
            for model in (ScimUser, EnterpriseUser, ScimGroup)]


def _kept(model, schema):
    kept = KEPT[model]
    attributes = []
    for attribute in schema["attributes"]:
        name = attribute["name"]
        subs = [_declared(model, f"{name}.{sub['name']}", sub)
                for sub in attribute.get("subAttributes") or [] if f"{name}.{sub['name']}" in kept]
        if name not in kept and not subs:
            continue
        if attribute.get("subAttributes"):
            attribute["subAttributes"] = subs
        attributes.append(_declared(model, name, attribute))
    schema["attributes"] = attributes
    return schema


def _declared(model, path, attribute):
    if path in REQUIRED.get(model, ()):
        attribute = {**attribute, "required": True}
    if path in CANONICAL.get(model, {}):
        attribute = {**attribute, "canonicalValues": CANONICAL[model][path]}
    return attribute


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


def _shown():
    return users.shown_attributes(request.args.get("attributes"), request.args.get("excludedAttributes"))


def _user_answer(user, status=200, location=None):
    return scim(users.resource(user, shown=_shown()), status, location, users.version_of(user))


def _users_page(organization, query, shown):
    page = users.search(organization, query)
    managers = users.managers_of(page.people)
    return [users.resource(person, managers, shown) for person in page.people], page.total, page.start_index


@bp.get("/Users")
def list_users():
    return scim(listed(*_users_page(current_token().organization, request.args, _shown())))


@bp.post("/Users/.search")
def search_users():
    query, shown = _search_request()
    return scim(listed(*_users_page(current_token().organization, query, shown)))


@bp.get("/Users/<user_id>")
def get_user(user_id):
    user = users.find_user(current_token().organization, user_id)
    return _not_modified(user) or _user_answer(user)


@bp.post("/Users")
def create_user():
    user = provisioning.create(current_token(), json_body(wrong_type_status=415))
    return _user_answer(user, 201, url_for("scim.get_user", user_id=user.id, _external=True))


@bp.put("/Users/<user_id>")
def replace_user(user_id):
    _require_version(users.find_user(current_token().organization, user_id))
    return _user_answer(provisioning.replace(current_token(), user_id, json_body(wrong_type_status=415)))


@bp.patch("/Users/<user_id>")
def patch_user(user_id):
    _require_version(users.find_user(current_token().organization, user_id))
    return _user_answer(provisioning.patch(current_token(), user_id, json_body(wrong_type_status=415)))


@bp.delete("/Users/<user_id>")
def delete_user(user_id):
    _require_version(users.find_user(current_token().organization, user_id))
    provisioning.remove(current_token(), user_id)
    return "", 204


# --- Groups --------------------------------------------------------------------------------


def _group_answer(group, status=200, location=None):
    return scim(groups.resource(group, groups.members_of([group])[group.id], _shown()), status, location,
                users.version_of(group))


def _groups_page(organization, query, shown):
    found, total, start = groups.search(organization, query)
    members = groups.members_of(found)
    return [groups.resource(group, members[group.id], shown) for group in found], total, start


@bp.get("/Groups")
def list_groups():
    return scim(listed(*_groups_page(current_token().organization, request.args, _shown())))


@bp.post("/Groups/.search")
def search_groups():
    query, shown = _search_request()
    return scim(listed(*_groups_page(current_token().organization, query, shown)))


@bp.get("/Groups/<group_id>")
def get_group(group_id):
    group = groups.find_group(current_token().organization, group_id)
    return _not_modified(group) or _group_answer(group)


@bp.post("/Groups")
def create_group():
    group = groups.create(current_token(), json_body(wrong_type_status=415))
    return _group_answer(group, 201, url_for("scim.get_group", group_id=group.id, _external=True))


@bp.put("/Groups/<group_id>")
def replace_group(group_id):
    _require_version(groups.find_group(current_token().organization, group_id))
    return _group_answer(groups.replace(current_token(), group_id, json_body(wrong_type_status=415)))


@bp.patch("/Groups/<group_id>")
def patch_group(group_id):
    _require_version(groups.find_group(current_token().organization, group_id))
    return _group_answer(groups.patch(current_token(), group_id, json_body(wrong_type_status=415)))


@bp.delete("/Groups/<group_id>")
def delete_group(group_id):
    _require_version(groups.find_group(current_token().organization, group_id))
    groups.delete(current_token(), group_id)
    return "", 204


# --- searching with POST (RFC 7644 §3.4.3) -------------------------------------------------


def _search_request():
    """A SearchRequest body as ``(query, shown)``: the query as GET's parameters would give it."""
    body = json_body(wrong_type_status=415)
    if not isinstance(body, dict):
        raise ScimError("The body must be a JSON object", "invalidSyntax")
    query = {key: body.get(key) for key in ("filter", "startIndex", "count")}
    if query["filter"] is not None and not isinstance(query["filter"], str):
        raise InvalidFilter("filter must be text")
    return query, users.shown_attributes(body.get("attributes"), body.get("excludedAttributes"))


@bp.post("/.search")
def search_everything():
    """Users then Groups, paged as one list. A filter that names attributes only one kind
    has matches that kind only (RFC 7644 §3.4.3)."""
    query, shown = _search_request()
    organization = current_token().organization
    start, count = users.paging(query)
    found, total, refusals = [], 0, []
    for page_of in (_users_page, _groups_page):
        try:
            # This kind's share of the page: what is left of it, from where the page starts in it.
            resources, kind_total, _ = page_of(organization, {**query, "startIndex": max(start - total, 1),
                                                              "count": count - len(found)}, shown)
        except InvalidFilter as error:
            refusals.append(error)
            continue
        found += resources
        total += kind_total
    if len(refusals) == 2:
        raise refusals[0]
    return scim(listed(found, total, start))
