"""API key scopes: every /v1 route refuses a key without its scope (403, the scope named)
and serves one that holds only that scope."""

import re

import pytest

from momoflow.apikeys.models import ALL_SCOPES
from momoflow.apikeys.services import create_api_key
from momoflow.flows.models import Assignment, FlowSchedule
from momoflow.integrator.scopes import check_every_route_declares_a_scope
from tests.conftest import make_test_app
from tests.flows.conftest import SEED_BODY, Integrator
from tests.flows.scheduling import BODY as SCHEDULE_BODY

ASSIGN, READ, REPORTS, SCHEDULES = ALL_SCOPES

# (scope, method, path, body, status with the scope): every /v1 route, grouped by family.
# {assignment} and {schedule} are made by the `made` fixture; the export is unknown, so a key
# that may read it gets past its scope to the 404.
ROUTES = [
    (ASSIGN, "POST", "/flows/assign", {**SEED_BODY, "userEmail": "manager@royalenfield.com"}, 200),
    (ASSIGN, "POST", "/flows/assign/bulk", {"assignments": [{"flowId": "flow_sec101",
                                                             "userEmail": "manager@royalenfield.com"}]}, 200),
    (ASSIGN, "POST", "/assignments/{assignment}/cancel", None, 200),
    (ASSIGN, "PATCH", "/assignments/{assignment}", {"dueDate": "2099-01-31"}, 200),
    (ASSIGN, "POST", "/assignments/{assignment}/remind", None, 200),
    (ASSIGN, "POST", "/assignments/{assignment}/reassign", {"userEmail": "sam.lee@company.com"}, 201),
    (ASSIGN, "POST", "/assignments/bulk", {"action": "remind", "assignmentIds": ["asgn_nope"]}, 200),
    (READ, "GET", "/flows", None, 200),
    (READ, "GET", "/flows/flow_123abc", None, 200),
    (READ, "GET", "/assignments", None, 200),
    (READ, "GET", "/assignments/{assignment}", None, 200),
    (READ, "GET", "/flows/schedules", None, 200),
    (READ, "GET", "/flows/schedules/{schedule}", None, 200),
    (REPORTS, "POST", "/flows/report", {"flowId": "flow_123abc"}, 200),
    (REPORTS, "GET", "/exports/exp_000000000000", None, 404),
    (SCHEDULES, "POST", "/flows/schedules", SCHEDULE_BODY, 201),
    (SCHEDULES, "PATCH", "/flows/schedules/{schedule}", {"every": 6}, 200),
    (SCHEDULES, "POST", "/flows/schedules/{schedule}/run", None, 200),
    (SCHEDULES, "DELETE", "/flows/schedules/{schedule}", None, 200),
]
ROUTE_IDS = [f"{method} {path}" for _, method, path, _, _ in ROUTES]


@pytest.fixture
def made(integrator):
    """An open assignment and an active schedule to read, cancel and delete."""
    assignment = integrator.post("/flows/assign", json=SEED_BODY).get_json()["assignmentId"]
    schedule = integrator.post("/flows/schedules", json=SCHEDULE_BODY).get_json()["scheduleId"]
    return {"assignment": assignment, "schedule": schedule}


def key_with(client, organization, scopes):
    _, secret = create_api_key(organization, "scoped", scopes)
    return Integrator(client, secret)


def call(caller, method, path, body, made):
    return caller.client.open(f"/v1{path.format(**made)}", method=method, json=body, headers=caller.headers())


@pytest.mark.parametrize("scope, method, path, body, status", ROUTES, ids=ROUTE_IDS)
def test_a_key_with_only_the_routes_scope_is_served(client, demo_org, made, scope, method, path, body, status):
    response = call(key_with(client, demo_org, [scope]), method, path, body, made)
    assert response.status_code == status, response.get_data(as_text=True)


@pytest.mark.parametrize("scope, method, path, body, status", ROUTES, ids=ROUTE_IDS)
def test_a_key_without_the_routes_scope_is_403_naming_it(client, demo_org, db, made, scope, method, path, body,
                                                         status):
    counts = _rows(db)
    others = [other for other in ALL_SCOPES if other != scope]
    response = call(key_with(client, demo_org, others), method, path, body, made)
    assert response.status_code == 403
    assert response.get_json() == {"error": "forbidden", "message": f"This API key lacks the {scope} scope"}
    assert _rows(db) == counts  # nothing assigned, cancelled, scheduled or deleted


def test_every_v1_route_is_in_the_table(app):
    """A new route is tested here too (the app refuses to start without its scope)."""
    served = {(method, re.sub(r"<[^>]+>", "*", rule.rule.removeprefix("/v1")))
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("integrator.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    tested = {(method, re.sub(r"/(\{\w+\}|flow_123abc|exp_0+)", "/*", path)) for _, method, path, _, _ in ROUTES}
    assert served == tested


def test_a_route_without_a_declared_scope_stops_the_app(tmp_path):
    fresh = make_test_app("sqlite://", tmp_path)
    fresh.add_url_rule("/v1/loose", "integrator.loose", lambda: "")
    with pytest.raises(RuntimeError, match="integrator.loose"):
        check_every_route_declares_a_scope(fresh, "integrator")


def test_a_bad_key_is_401_before_any_scope_is_asked(client, demo):
    response = client.post("/v1/flows/assign", json=SEED_BODY, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_the_scope_is_asked_before_the_body_is_read(client, demo_org):
    reader = key_with(client, demo_org, [READ])
    response = reader.client.post("/v1/flows/assign", data="{not json", headers=reader.headers(
        {"Content-Type": "application/json"}))
    assert response.status_code == 403


def _rows(db):
    return (db.session.query(Assignment).filter(Assignment.cancelled_at.is_(None)).count(),
            db.session.query(FlowSchedule).filter(FlowSchedule.active.is_(True)).count(),
            db.session.query(Assignment).count())
