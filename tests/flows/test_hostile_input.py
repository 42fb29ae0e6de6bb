"""Hostile input to the integrator API (``/v1``) and the flow pages: each answers a clear
4xx in the documented shape (``{"error", "message"}``, or an inline form error), never a
500, and leaves nothing behind. In a bulk, a bad item fails alone."""

import base64
import json

import pytest

from momoflow.flows.models import Assignment, FlowSchedule
from tests.conftest import csrf_token_from
from tests.flows.conftest import SEED_BODY
from tests.flows.pages import ADMIN, EMPLOYEE, HR, MANAGER, error_of, post
from tests.flows.scheduling import BODY as SCHEDULE_BODY
from tests.flows.scheduling import form as schedule_form
from tests.flows.scheduling import page_token

DEEP = "[" * 10_000 + "]" * 10_000
SURROGATE = "\\ud800"
JSON = {"Content-Type": "application/json"}
HUGE = "9" * 5_000
FLOW = "flow_sec101"


def validation_error(response, message):
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json() == {"error": "validation_error", "message": message}


def raw(integrator, path, body, headers=None):
    return integrator.client.post(f"/v1{path}", data=body, headers=integrator.headers({**JSON, **(headers or {})}))


def with_surrogate(body, name):
    return json.dumps({**body, name: "x"}).replace('"x"', f'"{SURROGATE}"')


def count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/flows/assign", "/flows/assign/bulk", "/flows/schedules"])
@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "deep-1"}])
def test_deep_json_is_400(integrator, db, path, headers):
    validation_error(raw(integrator, path, DEEP, headers), "body: Request body is nested too deeply")
    assert count(db, Assignment) == count(db, FlowSchedule) == 0


@pytest.mark.parametrize("name", ["flowId", "notes", "userEmail"])
@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "surrogate-1"}])
def test_a_lone_surrogate_in_an_assignment_is_400_naming_the_field(integrator, db, name, headers):
    response = raw(integrator, "/flows/assign", with_surrogate(SEED_BODY, name), headers)
    validation_error(response, f"{name}: {name} must be valid text (it holds a lone surrogate)")
    assert count(db, Assignment) == 0


def test_a_lone_surrogate_in_a_schedule_is_400(integrator):
    response = raw(integrator, "/flows/schedules", with_surrogate(SCHEDULE_BODY, "notes"))
    validation_error(response, "notes: notes must be valid text (it holds a lone surrogate)")


@pytest.mark.parametrize("value", [[], {}, 3, True])
def test_a_wrong_json_type_for_priority_is_a_validation_error(integrator, value):
    response = integrator.post("/flows/assign", json={**SEED_BODY, "priority": value})
    validation_error(response, "priority: priority must be one of low, medium, high")


@pytest.mark.parametrize("change, message", [
    ({"unit": []}, "unit: unit must be days or months"),
    ({"unit": {}}, "unit: unit must be days or months"),
    ({"priority": {"a": 1}}, "priority: priority must be one of low, medium, high"),
    ({"priority": []}, "priority: priority must be one of low, medium, high"),
    ({"every": 10 ** 400}, "every: every must be a whole number from 1 to 120"),
    ({"dueInDays": [1]}, "dueInDays: dueInDays must be a whole number from 0 to 3650"),
])
def test_wrong_types_in_a_schedule_are_validation_errors(integrator, db, change, message):
    validation_error(integrator.post("/flows/schedules", json={**SCHEDULE_BODY, **change}), message)
    assert count(db, FlowSchedule) == 0


def test_a_bad_bulk_item_fails_alone(integrator, db):
    good = {"flowId": FLOW, "userEmail": EMPLOYEE}
    items = [good, {**good, "userEmail": HR, "priority": []}, {**good, "userEmail": MANAGER, "priority": {}},
             {"flowId": ["x"], "userEmail": {}}, "not an object", {**good, "userEmail": HR, "notes": "x"}]
    body = json.dumps({"assignments": items}).replace('"notes": "x"', f'"notes": "{SURROGATE}"')
    response = raw(integrator, "/flows/assign/bulk", body)
    answer = response.get_json()
    assert response.status_code == 200, answer
    assert (answer["assigned"], answer["failed"]) == (1, 5)
    results = answer["results"]
    assert results[0]["success"] is True
    assert [(r["index"], r["error"], r["message"]) for r in results[1:]] == [
        (1, "validation_error", "priority: priority must be one of low, medium, high"),
        (2, "validation_error", "priority: priority must be one of low, medium, high"),
        (3, "validation_error", "userEmail: userEmail must be a valid email address; flowId: flowId is required"),
        (4, "validation_error", "userEmail: userEmail must be a valid email address; flowId: flowId is required"),
        (5, "validation_error", "notes: notes must be valid text"),
    ]
    assert count(db, Assignment) == 1


@pytest.mark.parametrize("path", ["/assignments", "/flows/schedules"])
def test_a_deep_cursor_is_not_valid(integrator, path):
    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    validation_error(integrator.get(f"{path}?cursor={cursor}"),
                     "cursor: cursor is not valid (use nextCursor from the previous page)")


def test_a_huge_limit_is_out_of_range(integrator):
    validation_error(integrator.get(f"/assignments?limit={HUGE}"), "limit: limit must be a whole number from 1 to 200")


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/flows/schedules", "/flows/assignments"])
def test_a_deep_cursor_on_a_list_page_is_not_a_500(client, demo, login_as, url):
    login_as(demo[ADMIN])
    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    assert client.get(f"{url}?cursor={cursor}").status_code in (200, 400)


def test_5000_digit_numbers_on_the_schedule_form_are_inline_errors(client, demo, login_as, db):
    login_as(demo[ADMIN])
    response = client.post("/flows/schedules", data=schedule_form(every=HUGE, due_in_days=HUGE),
                           headers={"X-CSRFToken": page_token(client)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "schedule-every") == "Repeat every must be a whole number from 1 to 120"
    assert error_of(html, "schedule-due") == "Due in (days) must be a whole number from 0 to 3650"
    assert count(db, FlowSchedule) == 0


def flow_form(titles, minutes):
    return {"name": "Sales Basics", "description": "", "module_id": [""] * len(titles), "module_title": titles,
            "module_content": [""] * len(titles), "module_minutes": minutes}


def test_a_5000_digit_module_minutes_is_an_inline_error(client, demo, login_as):
    login_as(demo[ADMIN])
    response = post(client, "/flows/new", flow_form(["Intro"], [HUGE]))
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "module-r0-minutes") == "Enter whole minutes from 0 to 600"


def test_a_module_row_without_a_title_is_an_error_on_that_row(client, demo, login_as):
    login_as(demo[ADMIN])
    response = post(client, "/flows/new", flow_form(["Intro", ""], ["10", "15"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "module-r1-title") == "Title is required"
    assert "Add at least one module" not in html
    response = post(client, "/flows/new", flow_form([""], ["15"]))  # the form's one row, left blank
    assert error_of(response.get_data(as_text=True), "module-r0-title") == "Title is required"


def test_assign_keeps_the_addresses_that_failed_in_the_box(client, demo, login_as, db):
    login_as(demo[MANAGER])
    response = post(client, "/flows/assign", {"flow": FLOW, "email": [EMPLOYEE, "ghost@company.com"],
                                              "pasted": "not-an-email"}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    box = html.split('id="assign-pasted"', 1)[1].split("</textarea>", 1)[0]
    assert box.endswith(">ghost@company.com\nnot-an-email")
    assert f'value="{EMPLOYEE}"' not in html  # assigned: gone from the form


def test_a_webhook_url_with_port_0_is_refused(client, demo, login_as, db):
    login_as(demo[ADMIN])
    token = csrf_token_from(client.get("/settings/webhooks").get_data(as_text=True))
    response = client.post("/settings/webhooks", data={"csrf_token": token, "url": "https://example.com:0/hook"})
    assert response.status_code == 422
    assert "This URL cannot be used: the URL has an invalid port" in response.get_data(as_text=True)
