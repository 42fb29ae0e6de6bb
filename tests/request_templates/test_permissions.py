"""Who may do what with templates: administrators keep them, everyone raises requests
from active ones, and another organisation's templates do not exist."""

import pytest

from momoflow.auth.tokens import issue_token
from momoflow.request_templates.api import ONLY_ADMINS_SEE_ARCHIVED, SAVE_FAILED
from momoflow.request_templates.models import RequestTemplate
from momoflow.request_templates.services import ONLY_ADMINS_KEEP_TEMPLATES
from momoflow.workflows.api import CREATE_FAILED
from momoflow.workflows.models import WorkflowRequest
from tests.factories import make_org, make_user
from tests.request_templates.conftest import purchase_request_definition, raise_from
from tests.workflows.conftest import Api

VALUES = {"item": "Laptop", "amount": 5000}


def error(response):
    body = response.get_json()
    assert body["success"] is False, body
    return response.status_code, body["error"], body["details"]


def not_found(template_id, title="Not found"):
    return 404, title, f"Template with ID '{template_id}' does not exist"


def count(db, model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


# --- employees ----------------------------------------------------------------------------------


def test_employees_cannot_create_change_archive_or_restore(employee_api, make_template, db):
    template = make_template()
    url = f"/templates/{template['templateId']}"
    refused = (403, SAVE_FAILED, ONLY_ADMINS_KEEP_TEMPLATES)
    assert error(employee_api.post("/templates", json=purchase_request_definition(name="Mine"))) == refused
    assert error(employee_api.put(url, json=purchase_request_definition(name="Changed"))) == refused
    assert error(employee_api.put(url, json={"name": 5})) == refused  # before the body is read
    assert error(employee_api.post(f"{url}/archive")) == refused
    assert error(employee_api.post(f"{url}/restore")) == refused
    assert employee_api.get(url).get_json()["data"] == template
    assert count(db, RequestTemplate) == 1


def test_employees_use_active_templates(employee_api, make_template):
    template = make_template()
    url = f"/templates/{template['templateId']}"
    assert [item["templateId"] for item in employee_api.get("/templates").get_json()["data"]] == [
        template["templateId"]]
    assert employee_api.get(url).status_code == 200
    assert employee_api.post(f"{url}/preview", json={"fields": VALUES}).status_code == 200
    assert raise_from(employee_api, template, VALUES).status_code == 201


def test_employees_cannot_see_archived_templates(employee_api, admin_api, make_template, db):
    template = make_template()
    template_id, url = template["templateId"], f"/templates/{template['templateId']}"
    assert admin_api.post(f"{url}/archive").status_code == 200
    assert employee_api.get("/templates").get_json()["data"] == []
    assert error(employee_api.get("/templates?includeArchived=true")) == (403, "Forbidden", ONLY_ADMINS_SEE_ARCHIVED)
    assert error(employee_api.get(url)) == not_found(template_id)
    assert error(employee_api.post(f"{url}/preview", json={"fields": VALUES})) == not_found(
        template_id, "Failed to preview")
    status, title, _ = error(raise_from(employee_api, template, VALUES))
    assert (status, title) == (409, CREATE_FAILED) and count(db, WorkflowRequest) == 0
    # Administrators still see it, and can bring it back.
    listed = admin_api.get("/templates?includeArchived=true").get_json()["data"]
    assert [(item["templateId"], item["status"]) for item in listed] == [(template_id, "ARCHIVED")]
    assert admin_api.get(url).status_code == 200
    assert admin_api.post(f"{url}/restore").status_code == 200
    assert employee_api.get(url).status_code == 200


# --- another organisation -----------------------------------------------------------------------


@pytest.fixture
def outsider(client, db):
    """An administrator of another organisation."""
    return Api(client, issue_token(make_user(make_org(), role="admin")))


@pytest.mark.parametrize("call, title", [
    (lambda api, url: api.get(url), "Not found"),
    (lambda api, url: api.put(url, json=purchase_request_definition(name="Taken over")), SAVE_FAILED),
    (lambda api, url: api.post(f"{url}/archive"), SAVE_FAILED),
    (lambda api, url: api.post(f"{url}/restore"), SAVE_FAILED),
    (lambda api, url: api.post(f"{url}/preview", json={"fields": VALUES}), "Failed to preview"),
])
def test_another_organisations_template_does_not_exist(outsider, make_template, call, title):
    template = make_template()
    url = f"/templates/{template['templateId']}"
    assert error(call(outsider, url)) == not_found(template["templateId"], title)


def test_another_organisations_template_raises_nothing_and_is_not_listed(outsider, admin_api, make_template, db):
    template = make_template()
    assert error(raise_from(outsider, template, VALUES)) == not_found(template["templateId"], CREATE_FAILED)
    assert outsider.get("/templates?includeArchived=true").get_json()["data"] == []
    assert count(db, WorkflowRequest) == 0
    assert admin_api.get(f"/templates/{template['templateId']}").get_json()["data"] == template


def test_the_same_name_is_free_in_another_organisation(outsider, make_template):
    make_template()
    assert outsider.post("/templates", json=purchase_request_definition(levels=[
        {"levelName": "Manager", "tatHours": 24, "approverRule": {"type": "MANAGER"}}])).status_code == 201
