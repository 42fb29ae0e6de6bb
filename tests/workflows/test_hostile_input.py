"""Hostile input to the workflow API and pages: each answers a clear 4xx in the surface's
documented shape (``{"success": false, "error", "details"}``, or an inline form error),
never a 500, and leaves nothing behind."""

import base64
import json
from datetime import datetime, time, timezone
from html import unescape

import pytest

from momoflow.accounts.models import Organization
from momoflow.workflows.models import RequestNumberCounter, WorkflowRequest
from momoflow.worktime import MAX_HORIZON, BeyondHorizon, WorkCalendar, add_working_hours
from tests.workflows.conftest import simple_request
from tests.workflows.pages import HTMX, MANAGER, error_of, raise_request, token_on

INITIATOR = "employee@company.com"
ADMIN = "admin@company.com"
DEEP = "[" * 10_000 + "]" * 10_000
SURROGATE = "\\ud800"  # as JSON text: json.loads turns it into a lone surrogate
JSON = {"Content-Type": "application/json"}
HUGE = "9" * 5_000


def validation_failed(response, details):
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json() == {"success": False, "error": "Validation failed", "details": details}


def raw_body(**fields):
    """A request body as JSON text, with ``fields`` spliced in as written (escapes kept)."""
    text = json.dumps(simple_request(MANAGER))[:-1]
    return text + "".join(f', "{name}": {value}' for name, value in fields.items()) + "}"


def deep_cursor():
    return base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")


# --- deep JSON and lone surrogates in bodies -------------------------------------------


def test_deep_json_at_login_is_400(client, demo):
    response = client.post("/api/v1/auth/login", data=DEEP, headers=JSON)
    validation_failed(response, "body: Request body is nested too deeply")


@pytest.mark.parametrize("path", ["/workflows", "/workflows/x/comments", "/workflows/x/approvers/at-level"])
def test_deep_json_in_a_body_is_400(api_as, path):
    api = api_as(INITIATOR)
    response = api.client.post(f"/api/v1{path}", data=DEEP, headers={**api.headers, **JSON})
    validation_failed(response, "body: Request body is nested too deeply")


def test_bytes_that_are_not_utf8_are_400(api_as):
    api = api_as(INITIATOR)
    response = api.client.post("/api/v1/workflows", data=b'{"title": "\xff"}', headers={**api.headers, **JSON})
    validation_failed(response, "body: Request body is not valid UTF-8")


@pytest.mark.parametrize("name", ["title", "description"])
def test_a_lone_surrogate_in_a_field_is_400_naming_it(api_as, db, name):
    api = api_as(INITIATOR)
    body = json.dumps({**simple_request(MANAGER), name: "x"}).replace('"x"', f'"{SURROGATE}"')
    response = api.client.post("/api/v1/workflows", data=body, headers={**api.headers, **JSON})
    validation_failed(response, f"{name}: {name} must be valid text (it holds a lone surrogate)")
    assert db.session.scalar(db.select(db.func.count()).select_from(WorkflowRequest)) == 0


def test_a_lone_surrogate_in_a_level_name_or_comment_is_400(api_as, db, demo):
    api = api_as(INITIATOR)
    body = raw_body().replace('"tatHours": 24', f'"tatHours": 24, "levelName": "{SURROGATE}"')
    response = api.client.post("/api/v1/workflows", data=body, headers={**api.headers, **JSON})
    path = "approvalLevels.0.levelName"
    validation_failed(response, f"{path}: {path} must be valid text (it holds a lone surrogate)")
    workflow = raise_request(db, demo, MANAGER)
    response = api.client.post(f"/api/v1/workflows/{workflow.id}/comments", data=f'{{"content": "{SURROGATE}"}}',
                               headers={**api.headers, **JSON})
    validation_failed(response, "content: content must be valid text (it holds a lone surrogate)")


def test_a_lone_surrogate_in_the_password_is_400(client, demo):
    body = f'{{"email": "{INITIATOR}", "password": "{SURROGATE}"}}'
    response = client.post("/api/v1/auth/login", data=body, headers=JSON)
    validation_failed(response, "password: password must be valid text (it holds a lone surrogate)")


@pytest.mark.parametrize("payload, details", [
    (DEEP, "payload: payload is nested too deeply"),
    (json.dumps({**simple_request(MANAGER), "title": "x"}).replace('"x"', f'"{SURROGATE}"'),
     "payload.title: payload.title must be valid text (it holds a lone surrogate)"),
])
def test_the_multipart_payload_is_checked_like_a_body(api_as, payload, details):
    api = api_as(INITIATOR)
    response = api.client.post("/api/v1/workflows/multipart", data={"payload": payload}, headers=api.headers,
                               content_type="multipart/form-data")
    validation_failed(response, details)


# --- wrong types and huge numbers -------------------------------------------------------


@pytest.mark.parametrize("value", [[], {}, 1, True])
def test_a_wrong_json_type_for_an_enum_is_a_validation_error(api_as, value):
    response = api_as(INITIATOR).post("/workflows", json=simple_request(MANAGER, priority=value, templateType=value))
    validation_failed(response, "templateType: Template type must be CUSTOM or TEMPLATE; "
                                "priority: Priority must be STANDARD or EXPRESS")


def test_tat_hours_of_400_digits_are_too_many(api_as):
    api = api_as(INITIATOR)
    body = raw_body().replace('"tatHours": 24', f'"tatHours": {"9" * 400}')
    response = api.client.post("/api/v1/workflows", data=body, headers={**api.headers, **JSON})
    validation_failed(response, "approvalLevels.0.tatHours: TAT hours must be at most 8760 (one year)")


def test_a_deep_cursor_is_not_valid(api_as):
    response = api_as(INITIATOR).get(f"/workflows?cursor={deep_cursor()}")
    validation_failed(response, "cursor: Cursor is not valid (use nextCursor from the previous page)")


# --- TAT on a sparse calendar ---------------------------------------------------------------


def sparse_calendar(db, demo):
    organization = db.session.get(Organization, demo[ADMIN].organization_id)
    organization.timezone, organization.workdays, organization.work_hours = "UTC", "mon", "09:00-09:01"
    db.session.flush()


def test_a_tat_beyond_the_horizon_is_refused_before_the_request_number(api_as, db, demo):
    sparse_calendar(db, demo)
    api = api_as(INITIATOR)
    body = simple_request(MANAGER)
    body["approvalLevels"][0]["tatHours"] = 8760
    response = api.post("/workflows", json=body)
    validation_failed(response, "approvalLevels.0.tatHours: TAT hours would end more than 5 years from now in "
                                "this organisation's working time; choose fewer hours")
    # Refused before the organisation's counter was taken: no number used up, no lock held.
    assert db.session.scalar(db.select(db.func.count()).select_from(RequestNumberCounter)) == 0
    body["priority"] = "EXPRESS"  # calendar hours: a year is fine
    assert api.post("/workflows", json=body).status_code == 201


def test_adding_a_level_beyond_the_horizon_is_refused(api_as, db, demo):
    workflow = raise_request(db, demo, MANAGER)
    sparse_calendar(db, demo)
    response = api_as(INITIATOR).post(f"/workflows/{workflow.id}/approvers/at-level",
                                      json={"email": "director@royalenfield.com", "tatHours": 8000, "level": 2})
    assert response.status_code == 400
    assert response.get_json()["details"].startswith("tatHours: TAT hours would end more than 5 years")


def test_whole_weeks_are_counted_in_one_step_each(monkeypatch):
    """Mondays 09:00-09:01 and the largest TAT: a few hundred calendar days are looked
    at (one per week), not the millions a day-by-day walk to the year 9999 would take."""
    calendar = WorkCalendar(workdays={1}, day_start=time(9), day_end=time(9, 1))
    windows = []
    original = WorkCalendar.window
    monkeypatch.setattr(WorkCalendar, "window", lambda self, day: windows.append(day) or original(self, day))
    with pytest.raises(BeyondHorizon):
        add_working_hours(calendar, datetime(2025, 6, 2, tzinfo=timezone.utc), 8760)
    assert len(windows) <= 2 * MAX_HORIZON.days / 7


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/requests", "/inbox", "/watching", "/notifications"])
def test_a_deep_cursor_on_a_list_page_is_a_message_not_a_500(client, demo, login_as, url):
    login_as(demo[INITIATOR])
    response = client.get(f"{url}?cursor={deep_cursor()}")
    assert response.status_code in (200, 400)
    assert "not valid" in response.get_data(as_text=True)


def test_a_5000_digit_level_on_the_add_approver_form_is_an_inline_error(client, db, demo, login_as):
    workflow = raise_request(db, demo, MANAGER)
    login_as(demo[INITIATOR])
    token = token_on(client, f"/requests/{workflow.id}")
    response = client.post(f"/requests/{workflow.id}/approvers", headers={**HTMX, "X-CSRFToken": token},
                           data={"email": "director@royalenfield.com", "level": HUGE, "tat_hours": HUGE})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "add-approver-level") == "Level must be a whole number from 1 to 10"
    assert error_of(html, "add-approver-tat") == "TAT hours must be a number"


def new_request_form(token, **changes):
    return {"csrf_token": token, "title": "Laptops", "description": "Two laptops", "priority": "STANDARD",
            "template_type": "CUSTOM", "category": "SUPPORTING", **changes}


def test_a_duplicate_approver_is_flagged_with_the_other_problems(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    response = client.post("/requests/new", data=new_request_form(
        token, title=" ", level_email=[MANAGER, MANAGER.upper()], level_tat=["24", "24"], level_name=["", ""]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "title") == "Title is required"
    assert error_of(html, "level-r1-email") == (f"Duplicate approver email found: {MANAGER}. "
                                                "Each approver must have a unique email.")


def test_an_added_level_row_left_blank_is_an_error_on_that_row(client, db, demo, login_as):
    login_as(demo[INITIATOR])
    token = token_on(client, "/requests/new")
    added = client.get("/requests/new/level-row").get_data(as_text=True)
    assert 'name="level_added" value="added"' in added
    response = client.post("/requests/new", data=new_request_form(
        token, level_email=[MANAGER, ""], level_tat=["24", "24"], level_name=["", ""], level_added=["", "added"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert unescape(error_of(html, "level-r1-email")) == "Enter an approver's email or remove this level"
    assert 'name="level_added" value="added"' in html  # still marked, should it be left blank again
    assert db.session.scalar(db.select(db.func.count()).select_from(WorkflowRequest)) == 0


def test_a_5000_character_time_zone_is_an_inline_error(client, demo, login_as):
    login_as(demo[ADMIN])
    token = token_on(client, "/settings/working-time")
    response = client.post("/settings/working-time", data={
        "csrf_token": token, "timezone": "A" * 5000, "workdays": ["1", HUGE], "day_start": "09:00",
        "day_end": "17:00", "holidays": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "working-timezone") == "Time zone must be at most 64 characters"
    assert "is not a weekday" in html
