"""The assignments overview's Person filter and ``GET /v1/assignments?q=``: part of a
person's name or email, wildcards taken literally, only the organisation's own
assignments, "Load more" keeping the filter, hostile text refused with a 400."""

import re

import pytest

from momoflow.accounts.models import Role
from momoflow.flows import editing, services
from momoflow.flows.validation import parse_assignment
from tests.factories import make_org, make_user
from tests.flows.pages import ADMIN, EMPLOYEE, HR, HTMX, MANAGER, assign, rows

NAMES = {EMPLOYEE: "Priya Sharma", HR: "Meera Nair", MANAGER: "Arjun Mehta"}


@pytest.fixture
def assigned(db, demo):
    """The demo's employee, HR person and manager each have the onboarding flow; another
    organisation's "Priya Sharma" has one of her own organisation's flows."""
    for email in NAMES:
        assign(demo, email)
    elsewhere = make_org("elsewhere")
    boss = make_user(elsewhere, "boss@elsewhere.example", role=Role.ADMIN)
    namesake = make_user(elsewhere, "priya@elsewhere.example", display_name="Priya Sharma")
    flow = editing.create_flow(elsewhere, editing.parse_flow({"name": "Elsewhere onboarding",
                                                              "modules": [{"title": "One", "minutes": 5}]}))
    db.session.flush()
    spec = parse_assignment({"flowId": flow.public_id, "userEmail": namesake.email})
    services.assign_flow(services.Assigner(elsewhere.id, person=boss), spec)
    db.session.flush()


SEARCHES = [("Priya", {EMPLOYEE}), ("sharma", {EMPLOYEE}), ("employee@comp", {EMPLOYEE}),
            ("royalenfield", {HR, MANAGER}), ("@", {EMPLOYEE, HR, MANAGER}), ("%", set()), ("_", set()),
            ("nobody at all", set()), ("  ", {EMPLOYEE, HR, MANAGER})]


def test_the_overview_finds_people_by_part_of_their_name_or_email(client, demo, login_as, assigned):
    login_as(demo[MANAGER])
    for text, emails in SEARCHES:
        html = client.get("/flows/assignments", query_string={"person": text}).get_data(as_text=True)
        assert rows(html) == len(emails), text
        assert {email for email in NAMES if f">{email}</small>" in html} == emails, text
        assert "Elsewhere onboarding" not in html


def test_the_assignments_api_searches_with_q(integrator, assigned):
    for text, emails in SEARCHES:
        response = integrator.get("/assignments", query_string={"q": text})
        assert response.status_code == 200, response.get_json()
        assert {item["userEmail"] for item in response.get_json()["data"]} == emails, text


def test_load_more_keeps_the_person_filter(client, db, demo, login_as):
    organization = demo[ADMIN].organization
    for number in range(26):
        assign(demo, make_user(organization, f"trainee{number}@company.com", display_name=f"Trainee {number}").email)
    assign(demo, HR)
    login_as(demo[ADMIN])
    html = client.get("/flows/assignments?person=trainee").get_data(as_text=True)
    assert rows(html) == 25 and 'value="trainee"' in html
    more = re.search(r'hx-get="([^"]+)"[^>]*data-load-more', html).group(1).replace("&amp;", "&")
    assert "person=trainee" in more
    rest = client.get(more, headers=HTMX).get_data(as_text=True)
    assert rows(rest) == 1 and HR not in rest


def test_an_exact_email_link_still_filters_one_person(client, demo, login_as, assigned):
    login_as(demo[ADMIN])
    html = client.get(f"/flows/assignments?email={EMPLOYEE}").get_data(as_text=True)
    assert rows(html) == 1 and f'value="{EMPLOYEE}"' in html


@pytest.mark.parametrize("query", ["q=" + "x" * 201, "q=a%00b"])
def test_hostile_search_text_is_400(integrator, client, demo, login_as, query):
    response = integrator.get(f"/assignments?{query}")
    assert response.status_code == 400 and "q" in str(response.get_json())
    login_as(demo[ADMIN])
    page = client.get("/flows/assignments?" + query.replace("q=", "person="))
    assert page.status_code == 400 and "Enter part of the person" in page.get_data(as_text=True)
