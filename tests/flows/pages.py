"""What the flow page tests share: the demo's people, posting with a CSRF token, reading
errors and lists off a page, and assigning without the API."""

import re

from momoflow.flows import services
from momoflow.flows.validation import parse_assignment
from tests.conftest import csrf_token_from

ADMIN = "admin@company.com"
EMPLOYEE = "employee@company.com"
MANAGER = "manager@royalenfield.com"
HR = "hr@royalenfield.com"
HTMX = {"HX-Request": "true"}


def token_on(client, url="/my-flows"):
    response = client.get(url)
    assert response.status_code == 200
    return csrf_token_from(response.get_data(as_text=True))


def post(client, url, data=None, htmx=False, token=None):
    token = token or token_on(client)
    headers = {"X-CSRFToken": token, **(HTMX if htmx else {})}
    return client.post(url, data=data or {}, headers=headers)


def error_of(html, input_id):
    match = re.search(rf'<p class="field__error" id="{re.escape(input_id)}-error">([^<]*)</p>', html)
    return match and match.group(1)


def assign(demo, email, flow_id="flow_123abc", **fields):
    organization = demo[ADMIN].organization
    spec = parse_assignment({"flowId": flow_id, "userEmail": email, **fields})
    return services.assign_flow(services.Assigner(organization.id, person=demo[ADMIN]), spec).assignment


def rows(html, kind="assignment-row"):
    """How many list items of ``kind`` (an assignment in the overview, a flow card…) a page has."""
    return html.count(f'<li class="{kind}')


def fresh(db, model, ident):
    return db.session.get(model, ident, populate_existing=True)
