"""``/api/v1/me/out-of-office`` and ``/api/v1/users/<email>/out-of-office`` over HTTP."""

import json
from datetime import timedelta

import pytest

from momoflow.accounts import absences
from momoflow.accounts.models import Absence
from momoflow.auth.tokens import issue_token
from momoflow.database import utcnow
from tests.factories import make_org, make_user

EMPLOYEE, MANAGER, JANE, ADMIN = ("employee@company.com", "manager@royalenfield.com", "spectator@royalenfield.com",
                                  "admin@company.com")
MINE = "/api/v1/me/out-of-office"
JSON = {"Content-Type": "application/json"}


class Api:
    def __init__(self, client, user):
        self.client, self.headers = client, {"Authorization": f"Bearer {issue_token(user)}"}

    def __getattr__(self, method):
        return lambda path, **kwargs: getattr(self.client, method)(path, headers={**self.headers,
                                                                                 **kwargs.pop("headers", {})},
                                                                   **kwargs)


@pytest.fixture
def api(client, demo):
    return lambda email: Api(client, demo[email])


def theirs(email):
    return f"/api/v1/users/{email}/out-of-office"


def body(start_in=timedelta(days=1), length=timedelta(days=4), delegate=MANAGER, **extra):
    start = utcnow() + start_in
    return {"start": start.isoformat(), "end": (start + length).isoformat(), "delegateEmail": delegate, **extra}


def validation(response, details):
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json() == {"success": False, "error": "Validation failed", "details": details}


def test_set_read_and_clear_my_out_of_office(api, demo, db):
    demo[EMPLOYEE].organization.timezone = "Asia/Kolkata"
    db.session.flush()
    me = api(EMPLOYEE)
    assert me.get(MINE).get_json() == {"success": True, "data": None}
    sent = {"start": "2099-12-07T03:30:00Z", "end": "2099-12-11T18:00:00+05:30",
            "delegateEmail": "Manager@RoyalEnfield.com", "message": "Back on the 14th"}
    saved = me.put(MINE, json=sent)
    assert saved.status_code == 200
    expected = {"start": "2099-12-07T09:00:00+05:30", "end": "2099-12-11T18:00:00+05:30", "delegateEmail": MANAGER,
                "delegate": {"email": MANAGER, "name": "Arjun Mehta"}, "message": "Back on the 14th",
                "active": False, "timeZone": "Asia/Kolkata"}
    assert saved.get_json() == {"success": True, "message": "Out of office saved", "data": expected}
    assert me.get(MINE).get_json()["data"] == expected
    assert me.delete(MINE).get_json() == {"success": True, "message": "Out of office cleared", "data": None}
    assert me.delete(MINE).status_code == 404
    assert db.session.query(Absence).count() == 0


def test_times_in_any_zone_come_back_in_the_organisations(api):
    data = api(EMPLOYEE).put(MINE, json={**body(), "start": "2099-01-01T00:00:00Z",
                                         "end": "2099-01-02T00:00:00-08:00"}).get_json()["data"]
    assert (data["start"], data["end"], data["timeZone"]) == ("2099-01-01T00:00:00+00:00", "2099-01-02T08:00:00+00:00",
                                                              "UTC")


def test_an_absence_that_covers_now_is_active_and_begins(api, db, demo):
    data = api(EMPLOYEE).put(MINE, json=body(start_in=-timedelta(hours=1))).get_json()["data"]
    assert data["active"] is True
    absence = db.session.query(Absence).one()
    assert absence.moved_at is not None and absence.returned_at is None  # continuity.absence_began ran


def test_a_new_absence_replaces_the_old(api, db):
    me = api(EMPLOYEE)
    me.put(MINE, json=body())
    assert me.put(MINE, json=body(delegate=JANE)).get_json()["data"]["delegate"]["name"] == "Jane Doe"
    assert db.session.query(Absence).count() == 1


@pytest.mark.parametrize("change, details", [
    ({"start": None, "end": None, "delegateEmail": None},
     f"start: {absences.START_REQUIRED}; end: {absences.END_REQUIRED}; delegateEmail: Valid email is required"),
    ({"start": "tomorrow"}, f"start: {absences.START_INVALID}"),
    ({"end": "2099-01-01T10:00:00"}, f"end: {absences.END_NEEDS_ZONE}"),
    ({"start": "2099-01-02T00:00:00Z", "end": "2099-01-01T00:00:00Z"}, f"end: {absences.END_BEFORE_START}"),
    ({"start": "2001-01-01T00:00:00Z", "end": "2001-01-02T00:00:00Z"}, f"end: {absences.END_IN_PAST}"),
    ({"delegateEmail": "ghost@company.com"}, f"delegateEmail: {absences.DELEGATE_UNKNOWN}"),
    ({"delegateEmail": EMPLOYEE}, f"delegateEmail: {absences.DELEGATE_IS_SELF}"),
    ({"message": "x" * 1001}, "message: Message must be at most 1000 characters"),
    # wrong JSON types
    ({"start": 20991201}, f"start: {absences.START_INVALID}"),
    ({"end": {"at": "2099"}}, f"end: {absences.END_INVALID}"),
    ({"delegateEmail": ["manager@royalenfield.com"]}, "delegateEmail: Valid email is required"),
    ({"message": 42}, "message: Message must be text"),
    # huge strings
    ({"start": "2" * 100_000}, f"start: {absences.START_INVALID}"),
    ({"delegateEmail": "a" * 100_000 + "@x.com"}, "delegateEmail: Valid email is required"),
    ({"message": "x" * 1_000_000}, "message: Message must be at most 1000 characters"),
    ({"message": "nul \x00"}, "message: Message cannot contain NUL characters"),
])
def test_each_problem_is_a_400_naming_its_field(api, db, change, details):
    validation(api(EMPLOYEE).put(MINE, json={**body(), **change}), details)
    assert db.session.query(Absence).count() == 0


@pytest.mark.parametrize("field", ["start", "delegateEmail", "message"])
def test_a_lone_surrogate_is_a_400(api, field):
    raw = json.dumps({**body(), field: "x"}).replace('"x"', '"\\ud800"')
    validation(api(EMPLOYEE).put(MINE, data=raw, headers=JSON),
               f"{field}: {field} must be valid text (it holds a lone surrogate)")


@pytest.mark.parametrize("raw, details", [
    ("[" * 10_000 + "]" * 10_000, "body: Request body is nested too deeply"),
    ("[]", "body: Request body must be a JSON object"),
    ("nope", "body: Request body is not valid JSON"),
])
def test_bodies_that_are_not_objects_are_400(api, raw, details):
    validation(api(EMPLOYEE).put(MINE, data=raw, headers=JSON), details)


def test_a_cycle_is_refused(api):
    assert api(JANE).put(MINE, json=body(delegate=EMPLOYEE)).status_code == 200
    validation(api(EMPLOYEE).put(MINE, json=body(delegate=JANE)),
               "delegateEmail: Jane Doe is away then and hands their work to you: choose someone else")


def test_the_chain_is_followed(api, demo):
    api(EMPLOYEE).put(MINE, json=body(start_in=-timedelta(hours=1), delegate=JANE))
    api(JANE).put(MINE, json=body(start_in=-timedelta(hours=1), delegate=MANAGER))
    chain = absences.delegation_chain(demo[EMPLOYEE], utcnow())
    assert [person.email for person in chain] == [JANE, MANAGER]


def test_the_delegate_hears_of_it(api, db, demo):
    from momoflow.events import Event

    api(EMPLOYEE).put(MINE, json=body())
    event = db.session.query(Event).filter_by(type="absence.set").one()
    assert event.payload["delegateEmail"] == MANAGER and event.actor_id == demo[EMPLOYEE].id


# --- administrators -----------------------------------------------------------------------


def test_an_admin_manages_someone_elses(api, db, demo):
    admin = api(ADMIN)
    assert admin.get(theirs(EMPLOYEE)).get_json() == {"success": True, "data": None}
    assert admin.put(theirs("Employee@Company.com"), json=body()).status_code == 200
    absence = db.session.query(Absence).one()
    assert (absence.user_id, absence.set_by_id) == (demo[EMPLOYEE].id, demo[ADMIN].id)
    assert api(EMPLOYEE).get(MINE).get_json()["data"]["delegateEmail"] == MANAGER
    assert admin.delete(theirs(EMPLOYEE)).status_code == 200
    assert admin.delete(theirs(EMPLOYEE)).status_code == 404


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_everyone_else_is_403(api, method):
    response = getattr(api(JANE), method)(theirs(EMPLOYEE), json=body())
    assert response.status_code == 403
    assert response.get_json() == {"success": False, "error": "Forbidden", "details": absences.NOT_ALLOWED}


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_people_of_another_organisation_or_unknown_are_404(api, method):
    make_user(make_org(), email="outsider@elsewhere.com")
    for email in ("outsider@elsewhere.com", "ghost@company.com", "not-an-email"):
        response = getattr(api(ADMIN), method)(theirs(email), json=body())
        assert response.status_code == 404
        assert response.get_json()["details"] == absences.PERSON_NOT_FOUND


def test_no_token_is_401(client):
    assert client.get(MINE).status_code == 401
