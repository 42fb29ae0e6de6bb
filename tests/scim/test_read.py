"""SCIM 2.0 at ``/scim/v2``, the first part: provisioning tokens, discovery and reading
Users with the filters Okta and Entra ID send (RFC 7644 §3.4.2), in SCIM's shapes."""

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import User
from momoflow.scim import tokens
from momoflow.scim.models import ScimToken
from tests.factories import make_org, make_user
from tests.scim.conftest import Provisioner

ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
EMPLOYEE = "employee@company.com"


def test_a_token_is_shown_once_kept_hashed_and_only_works_here(client, demo_org, db, okta, integrator):
    token = db.session.scalar(sa.select(ScimToken))
    assert okta.secret.startswith("mf_scim_") and token.prefix == okta.secret[:12]
    assert okta.secret not in (token.token_hash, token.prefix) and len(token.token_hash) == 64
    assert okta.get("/Users").status_code == 200
    assert client.get("/v1/flows", headers={"Authorization": f"Bearer {okta.secret}"}).status_code == 401
    assert Provisioner(client, integrator.secret).get("/Users").status_code == 401  # an API key is no token
    tokens.revoke(demo_org, token.id)
    db.session.flush()
    refused = okta.get("/Users")
    assert refused.status_code == 401 and refused.mimetype == "application/scim+json"
    assert refused.get_json() == {"schemas": [ERROR], "status": "401", "detail": "Invalid or missing provisioning token"}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer mf_scim_short", "Basic dXNlcjpwYXNz", "Bearer \x00"])
def test_missing_or_malformed_tokens_are_401(client, header):
    response = client.get("/scim/v2/Users", headers={"Authorization": header} if header else {})
    assert response.status_code == 401 and response.get_json()["schemas"] == [ERROR]


def test_the_cli_prints_the_token_alone_on_the_last_line(app, demo_org, db):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["create-scim-token", "--org", demo_org.slug,
                                                                "--name", "Entra ID"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("mf_scim_") and tokens.token_for(secret).name == "Entra ID"


def test_discovery_documents(okta):
    config = okta.get("/ServiceProviderConfig")
    assert config.status_code == 200 and config.mimetype == "application/scim+json"
    body = config.get_json()
    assert body["filter"] == {"supported": True, "maxResults": 200}
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = okta.get("/ResourceTypes").get_json()
    assert [kind["endpoint"] for kind in types["Resources"]] == ["/Users", "/Groups"]
    assert types["Resources"][0]["schemaExtensions"][0]["schema"] == \
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    schemas = okta.get("/Schemas").get_json()
    ids = [schema["id"] for schema in schemas["Resources"]]
    assert ids == ["urn:ietf:params:scim:schemas:core:2.0:User",
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                   "urn:ietf:params:scim:schemas:core:2.0:Group"]
    assert okta.get(f"/Schemas/{ids[0]}").get_json()["name"] == "User"
    assert okta.get("/Schemas/urn:nope").status_code == 404
    assert okta.get("/ResourceTypes/User").get_json()["id"] == "User"
    assert okta.get("/ResourceTypes/Group").get_json()["endpoint"] == "/Groups"
    assert okta.get("/ResourceTypes/Role").status_code == 404


def test_a_user_with_title_department_and_manager(okta, demo, db):
    employee = demo[EMPLOYEE]
    employee.designation, employee.department = "Sales Associate", "Sales"
    employee.manager_id = demo["manager@royalenfield.com"].id
    db.session.flush()
    response = okta.get(f"/Users/{employee.id}")
    assert response.status_code == 200 and response.mimetype == "application/scim+json"
    user = response.get_json()
    assert (user["id"], user["userName"], user["displayName"], user["active"], user["title"]) == (
        str(employee.id), EMPLOYEE, employee.display_name, True, "Sales Associate")
    assert user["emails"] == [{"value": EMPLOYEE, "type": "work"}]
    enterprise = user["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
    manager_id = demo["manager@royalenfield.com"].id
    assert enterprise == {"department": "Sales", "manager": {
        "value": str(manager_id), "$ref": f"http://localhost/scim/v2/Users/{manager_id}"}}
    assert user["meta"]["resourceType"] == "User" and user["meta"]["location"].endswith(f"/scim/v2/Users/{employee.id}")


@pytest.mark.parametrize("filter_, expected", [
    ('userName eq "employee@company.com"', [EMPLOYEE]),
    ('userName eq "Employee@Company.com"', [EMPLOYEE]),  # userName ignores case
    ('emails[type eq "work"].value eq "employee@company.com"', [EMPLOYEE]),
    ('userName eq "nobody@company.com"', []),
    ('displayName eq "Priya Sharma" and userName eq "employee@company.com"', [EMPLOYEE]),
])
def test_filters_okta_and_entra_send(okta, filter_, expected):
    answer = okta.get("/Users", query_string={"filter": filter_}).get_json()
    assert answer["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert [user["userName"] for user in answer["Resources"]] == expected and answer["totalResults"] == len(expected)


@pytest.mark.parametrize("filter_", ['userName co "e"', 'title eq "x"', 'not (userName eq "x")', 'userName eq',
                                     '(((', 'emails[type eq "home"].value eq "x"', "userName eq \"\x00\"",
                                     'userName eq "' + "x" * 2000 + '"', 'userName eq 42'])
def test_filters_it_cannot_read_are_400_invalid_filter(okta, filter_):
    response = okta.get("/Users", query_string={"filter": filter_})
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["scimType"] == "invalidFilter" and response.get_json()["schemas"] == [ERROR]


def test_pages_by_start_index_and_count(okta, demo, demo_org, db):
    total = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.organization_id == demo_org.id))
    first = okta.get("/Users", query_string={"count": 5}).get_json()
    assert (first["totalResults"], first["itemsPerPage"], first["startIndex"]) == (total, 5, 1)
    second = okta.get("/Users", query_string={"startIndex": 6, "count": 5}).get_json()
    assert not {u["id"] for u in first["Resources"]} & {u["id"] for u in second["Resources"]}
    assert okta.get("/Users", query_string={"count": 0}).get_json()["Resources"] == []
    assert okta.get("/Users", query_string={"startIndex": -3, "count": 1}).get_json()["startIndex"] == 1
    assert okta.get("/Users", query_string={"count": 10**12}).status_code == 400
    assert okta.get("/Users", query_string={"count": "ten"}).status_code == 400


def test_other_organisations_people_do_not_exist(okta, client, db):
    stranger = make_user(make_org(), email="stranger@elsewhere.example")
    db.session.flush()
    assert okta.get(f"/Users/{stranger.id}").status_code == 404
    answer = okta.get("/Users", query_string={"filter": 'userName eq "stranger@elsewhere.example"'}).get_json()
    assert answer["totalResults"] == 0
    for crafted in ("nope", "x" * 300, "%00"):
        response = okta.get(f"/Users/{crafted}")
        assert response.status_code == 404 and response.get_json()["schemas"] == [ERROR]


def test_a_page_of_users_reads_in_fixed_queries(okta, demo, db, count_queries):
    okta.get("/ServiceProviderConfig")  # the token's last use is noted once a minute: now, not below
    with count_queries() as few:
        okta.get("/Users", query_string={"count": 2})
    with count_queries() as many:
        okta.get("/Users", query_string={"count": 20})
    assert len(many) == len(few)


def test_requests_are_limited_per_token(app, okta, monkeypatch):
    monkeypatch.setitem(app.config, "SCIM_RATE_LIMIT", "2 per minute")
    statuses = [okta.get("/ServiceProviderConfig").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert okta.get("/Users").get_json()["schemas"] == [ERROR]
