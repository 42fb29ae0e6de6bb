"""/api/v1/users: admins list, deactivate and reactivate their organisation's people."""

import pytest

from momoflow.accounts.models import Role, User
from momoflow.openapi.document import build_document
from tests.accounts.people_data import make_absence, make_request, make_task
from tests.factories import make_org, make_user
from tests.platform.openapi_checks import conformance, resolve

ADMIN = "admin@company.com"
MANAGER = "manager@royalenfield.com"
EMPLOYEE = "employee@company.com"


@pytest.fixture(scope="module")
def document(app):
    with app.app_context():
        return build_document()


def documented(document, response, method, template, status):
    """The body, after checking it is what the OpenAPI document says this answer is."""
    assert response.status_code == status, response.get_json()
    answer = resolve(document, document["paths"][template][method]["responses"][str(status)])
    body = response.get_json()
    assert conformance(document, body, answer["content"]["application/json"]["schema"]) == []
    return body


def test_the_list_has_the_pages_fields(api_as, demo, db, document):
    manager, employee = demo[MANAGER], demo[EMPLOYEE]
    employee.manager_id = manager.id
    absence = make_absence(manager, demo["director@royalenfield.com"])
    make_task(make_request(employee, "REQ-2026-12-0001"), manager)
    body = documented(document, api_as(ADMIN).get("/users?limit=100"), "get", "/api/v1/users", 200)
    people = {person["email"]: person for person in body["data"]}
    assert len(people) == 21 and body["pagination"] == {"limit": 100, "nextCursor": None, "hasMore": False}
    assert people[MANAGER] == {
        "email": MANAGER, "name": manager.display_name, "role": "manager", "active": True,
        "manager": {"email": "director@royalenfield.com", "name": "Kavita Rao"},
        "absence": {"startsAt": absence.starts_at.isoformat(), "endsAt": absence.ends_at.isoformat(),
                    "delegate": {"email": "director@royalenfield.com", "name": "Kavita Rao"}},
        "undecidedTasks": 1}
    assert people[EMPLOYEE]["manager"] == {"email": MANAGER, "name": manager.display_name}
    assert people[EMPLOYEE]["absence"] is None and people[EMPLOYEE]["undecidedTasks"] == 0


def test_search_filters_and_cursor(api_as, demo, db):
    demo["hr@example.com"].active = False
    db.session.flush()
    api = api_as(ADMIN)
    assert [p["email"] for p in api.get("/users?q=MEHTA").get_json()["data"]] == [MANAGER]
    assert [p["email"] for p in api.get("/users?status=deactivated").get_json()["data"]] == ["hr@example.com"]
    assert {p["role"] for p in api.get("/users?role=manager").get_json()["data"]} == {"manager"}
    seen, cursor = [], ""
    while True:
        body = api.get(f"/users?limit=7&cursor={cursor}").get_json()
        seen += [p["email"] for p in body["data"]]
        if not body["pagination"]["hasMore"]:
            break
        cursor = body["pagination"]["nextCursor"]
    assert len(seen) == len(set(seen)) == 21


@pytest.mark.parametrize("query, problem", [
    ("status=ACTIVE", "status: status must be one of active, deactivated"),
    ("role=1", "role: role must be one of employee, manager, admin"),
    ("limit=0", "limit: limit must be a whole number from 1 to 100"),
    ("limit=99999999999999999999999", "limit: limit must be a whole number from 1 to 100"),
    ("cursor=eyJ4Ijog", "cursor: cursor is not valid"),
    ("q=%00", "q: q cannot contain NUL characters"),
    ("q=" + "x" * 101, "q: q must be at most 100 characters"),
])
def test_hostile_queries_are_400s(api_as, demo, query, problem):
    response = api_as(ADMIN).get(f"/users?{query}")
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["success"] is False and problem in response.get_json()["details"]


def test_deactivate_and_reactivate(api_as, demo, db, document):
    api, manager = api_as(ADMIN), api_as(MANAGER)
    path = "/api/v1/users/{email}/deactivate"
    body = documented(document, api.post(f"/users/{MANAGER.upper()}/deactivate"), "post", path, 200)
    assert body["data"]["email"] == MANAGER and body["data"]["active"] is False
    assert not db.session.get(User, demo[MANAGER].id, populate_existing=True).active
    # Their token is void at once.
    assert manager.get("/auth/me").status_code == 401
    again = documented(document, api.post(f"/users/{MANAGER}/deactivate"), "post", path, 409)
    assert again["error"] == "Failed to deactivate user"
    body = documented(document, api.post(f"/users/{MANAGER}/reactivate"), "post",
                      "/api/v1/users/{email}/reactivate", 200)
    assert body["data"]["active"] is True


def test_refusals(api_as, demo, db, document):
    stranger = make_user(make_org(), email="stranger@elsewhere.example", role=Role.ADMIN)
    api = api_as(ADMIN)
    path = "/api/v1/users/{email}/deactivate"
    own = documented(document, api.post(f"/users/{ADMIN}/deactivate"), "post", path, 400)
    assert own["details"] == "You cannot deactivate your own account"
    for email in (stranger.email, "nobody@company.com", "not-an-email"):
        documented(document, api.post(f"/users/{email}/deactivate"), "post", path, 404)
    employee = api_as(EMPLOYEE)
    documented(document, employee.get("/users"), "get", "/api/v1/users", 403)
    refused = documented(document, employee.post(f"/users/{MANAGER}/deactivate"), "post", path, 403)
    assert refused == {"success": False, "error": "Failed to deactivate user",
                       "details": "Only administrators can manage people."}
    long = documented(document, api.post(f"/users/{'x' * 5000}@company.com/deactivate"), "post", path, 404)
    assert len(long["details"]) < 400
    anonymous = api.client.post(f"/api/v1/users/{EMPLOYEE}/deactivate")
    documented(document, anonymous, "post", path, 401)
    assert db.session.get(User, stranger.id, populate_existing=True).active
