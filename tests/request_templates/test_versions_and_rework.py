"""Keeping templates (versions, archive) and template requests that go round again."""

from tests.request_templates.conftest import purchase_request_definition, raise_from

MANAGER, FINANCE, CFO = "manager@royalenfield.com", "finance-manager@royalenfield.com", "cfo@royalenfield.com"


def test_every_change_is_a_new_version_and_requests_keep_theirs(make_template, admin_api, employee_api):
    template = make_template()
    template_id = template["templateId"]
    first = raise_from(employee_api, template, {"item": "Desk", "amount": 20000}).get_json()["data"]
    changed = purchase_request_definition(instructions="Attach two quotations.")
    changed["fields"][1]["label"] = "Total amount"
    saved = admin_api.put(f"/templates/{template_id}", json=changed)
    assert saved.status_code == 200 and saved.get_json()["data"]["version"] == 2
    assert admin_api.put(f"/templates/{template_id}", json=changed).get_json()["data"]["version"] == 2  # no change
    second = raise_from(employee_api, template, {"item": "Chair", "amount": 300}).get_json()["data"]
    assert second["template"]["version"] == 2
    assert employee_api.get(f"/workflows/{first['requestId']}").get_json()["data"]["template"]["version"] == 1
    shown = employee_api.get(f"/templates/{template_id}").get_json()["data"]
    assert shown["version"] == 2 and shown["fields"][1]["label"] == "Total amount"
    assert shown["instructions"] == "Attach two quotations."


def test_templates_are_listed_read_archived_and_restored(make_template, admin_api, employee_api):
    template = make_template()
    template_id = template["templateId"]
    listed = employee_api.get("/templates").get_json()["data"]
    assert [(item["templateId"], item["category"], item["version"]) for item in listed] == [
        (template_id, "Finance", 1)]
    detail = employee_api.get(f"/templates/{template_id}").get_json()["data"]
    assert detail["levels"][1]["condition"] == {"field": "amount", "op": ">", "value": 10000}
    assert detail["levels"][0]["approverRule"] == {"type": "MANAGER", "levelsUp": 1}
    assert admin_api.post(f"/templates/{template_id}/archive").get_json()["data"]["status"] == "ARCHIVED"
    assert employee_api.get("/templates").get_json()["data"] == []
    assert employee_api.get(f"/templates/{template_id}").status_code == 404
    refused = raise_from(employee_api, template, {"item": "Desk", "amount": 1})
    assert refused.status_code == 409
    assert refused.get_json()["details"] == "The template 'Purchase request' is archived: choose another one"
    assert [item["status"] for item in admin_api.get("/templates?includeArchived=true").get_json()["data"]] == [
        "ARCHIVED"]
    assert admin_api.post(f"/templates/{template_id}/restore").get_json()["data"]["status"] == "ACTIVE"
    assert raise_from(employee_api, template, {"item": "Desk", "amount": 1}).status_code == 201


def test_names_are_unique_per_organisation_whatever_their_case(make_template, admin_api):
    make_template()
    response = admin_api.post("/templates", json=purchase_request_definition(name="PURCHASE REQUEST"))
    assert response.status_code == 409
    assert response.get_json()["details"] == "A template called 'PURCHASE REQUEST' already exists: choose another name"


def test_on_approval_flows_must_be_the_organisations_active_flows(admin_api):
    response = admin_api.post("/templates", json=purchase_request_definition(
        onApproval=[{"flowId": "flow_nope", "assignTo": "REQUESTER", "dueInDays": 7}]))
    assert response.status_code == 400
    assert "onApproval.0.flowId: Flow with ID 'flow_nope' does not exist" in response.get_json()["details"]


def test_a_template_request_takes_template_id_and_fields_not_levels(make_template, employee_api):
    template = make_template()
    both = raise_from(employee_api, template, {"item": "Desk", "amount": 1},
                      approvalLevels=[{"email": MANAGER, "tatHours": 4}])
    assert both.status_code == 400
    assert both.get_json()["details"] == (
        "approvalLevels: A TEMPLATE request takes its levels from the template: give templateId and fields, "
        "not approvalLevels")
    missing = employee_api.post("/workflows", json={"templateType": "TEMPLATE", "fields": {}})
    assert missing.get_json()["details"] == (
        "templateId: templateId is required for a TEMPLATE request: the template to raise it from")
    unknown = employee_api.post("/workflows", json={"templateType": "TEMPLATE", "templateId": "tmpl_nope"})
    assert unknown.status_code == 404
    assert unknown.get_json()["details"] == "Template with ID 'tmpl_nope' does not exist"


def test_defaults_fill_what_the_requester_leaves_out(make_template, employee_api):
    template = make_template(defaultPriority="EXPRESS", defaultSpectators=[
        {"email": "spectator@royalenfield.com"}, {"email": MANAGER}])
    data = raise_from(employee_api, template, {"item": "Desk", "amount": 10}).get_json()["data"]
    assert (data["title"], data["priority"]) == ("Purchase request: Desk", "EXPRESS")
    assert data["description"] == "Buying goods or services for the company."
    spectators = [p["userEmail"] for p in data["participants"] if p["participantType"] == "SPECTATOR"]
    assert spectators == ["spectator@royalenfield.com"]  # the manager approves: not a spectator too
    own = raise_from(employee_api, template, {"item": "Desk", "amount": 10}, title="My desk",
                     priority="STANDARD").get_json()["data"]
    assert (own["title"], own["priority"]) == ("My desk", "STANDARD")


def _return_to_initiator(api_as, request):
    level = request["approvalLevels"][0]
    response = api_as(level["approverEmail"]).post(
        f"/workflows/{request['requestId']}/levels/{level['levelId']}/return", json={"comments": "Too vague"})
    assert response.status_code == 200, response.get_json()


def test_changed_values_are_in_the_resubmission_diff_and_plan_the_levels_again(make_template, employee_api, api_as):
    template = make_template()
    request = raise_from(employee_api, template, {"item": "Desk", "amount": 5000}).get_json()["data"]
    assert [level["approverEmail"] for level in request["approvalLevels"]] == [MANAGER]
    _return_to_initiator(api_as, request)
    response = employee_api.post(f"/workflows/{request['requestId']}/resubmit",
                                 json={"fields": {"amount": 60000}, "comments": "Bigger desk"})
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["fields"] == {"item": "Desk", "amount": 60000}
    assert [level["approverEmail"] for level in data["approvalLevels"]] == [MANAGER, FINANCE, CFO]
    resubmitted = next(a for a in data["activities"] if a["action"] == "workflow.resubmitted")
    changes = resubmitted["details"]["changes"]
    assert {"field": "fields.amount", "label": "Amount", "old": "INR 5,000.00", "new": "INR 60,000.00"} in changes


def test_a_template_request_is_resubmitted_with_fields_not_levels(make_template, employee_api, api_as):
    template = make_template()
    request = raise_from(employee_api, template, {"item": "Desk", "amount": 5000}).get_json()["data"]
    _return_to_initiator(api_as, request)
    levels = employee_api.post(f"/workflows/{request['requestId']}/resubmit",
                               json={"approvalLevels": [{"email": CFO, "tatHours": 4}]})
    assert levels.status_code == 400
    bad = employee_api.post(f"/workflows/{request['requestId']}/resubmit", json={"fields": {"amount": -1}})
    assert bad.get_json()["details"] == "fields.amount: Amount must be at least 0"
    assert employee_api.post(f"/workflows/{request['requestId']}/resubmit", json={}).status_code == 200


def test_fields_are_refused_on_a_custom_request_resubmission(employee_api, api_as):
    from tests.request_templates.conftest import simple_request

    created = employee_api.post("/workflows", json=simple_request(MANAGER)).get_json()["data"]
    _return_to_initiator(api_as, created)
    response = employee_api.post(f"/workflows/{created['requestId']}/resubmit", json={"fields": {"a": 1}})
    assert response.status_code == 400
    assert response.get_json()["details"] == (
        "fields are the form of a request raised from a template; this one was not")


def test_only_admins_keep_templates(employee_api, make_template):
    assert employee_api.post("/templates", json=purchase_request_definition()).status_code == 403
    template = make_template()
    assert employee_api.put(f"/templates/{template['templateId']}",
                            json=purchase_request_definition()).status_code == 403
    assert employee_api.post(f"/templates/{template['templateId']}/archive").status_code == 403
    assert employee_api.get("/templates?includeArchived=true").status_code == 403


def test_a_name_taken_between_the_check_and_the_save_is_the_same_refusal(make_template, demo, monkeypatch):
    """Two admins saving the same name at once: the unique constraint refuses the second."""
    import pytest

    from momoflow.errors import Conflict
    from momoflow.request_templates import services

    make_template()
    monkeypatch.setattr(services, "_refuse_taken_name", lambda *args, **kwargs: None)  # as if it ran first
    with pytest.raises(Conflict) as refused:
        services.create_template(demo["admin@company.com"], purchase_request_definition(name="purchase REQUEST"))
    assert refused.value.message == "A template called 'purchase REQUEST' already exists: choose another name"


def test_resubmitted_values_plan_again_only_the_template_levels_after_the_decided_ones(make_template, employee_api,
                                                                                     api_as):
    """Manager, Finance (amount > 10,000), Legal (contracts). Legal sends it back after
    Finance approved; the amount drops under 10,000: Finance stays decided, Legal looks
    again, nothing shifts."""
    template = make_template(name="Contract purchase", fields=[
        {"key": "amount", "label": "Amount", "type": "AMOUNT", "required": True},
        {"key": "kind", "label": "Kind", "type": "CHOICE", "options": ["Goods", "Contract"], "required": True}],
        levels=[{"levelName": "Manager approval", "tatHours": 24, "approverRule": {"type": "MANAGER"}},
                {"levelName": "Finance", "tatHours": 24, "approverRule": {"type": "PEOPLE", "emails": [FINANCE]},
                 "condition": {"field": "amount", "op": ">", "value": 10000}},
                {"levelName": "Legal", "tatHours": 24,
                 "approverRule": {"type": "PEOPLE", "emails": ["legal@royalenfield.com"]},
                 "condition": {"field": "kind", "op": "==", "value": "Contract"}}])
    request = raise_from(employee_api, template, {"amount": 20000, "kind": "Contract"}).get_json()["data"]
    request_id = request["requestId"]
    for level in request["approvalLevels"][:2]:
        approved = api_as(level["approverEmail"]).post(
            f"/workflows/{request_id}/levels/{level['levelId']}/approve", json={})
        assert approved.status_code == 200, approved.get_json()
    legal = request["approvalLevels"][2]
    api_as("legal@royalenfield.com").post(f"/workflows/{request_id}/levels/{legal['levelId']}/return",
                                         json={"comments": "Which supplier?"})
    response = employee_api.post(f"/workflows/{request_id}/resubmit", json={"fields": {"amount": 5000}})
    assert response.status_code == 200, response.get_json()
    levels = response.get_json()["data"]["approvalLevels"]
    assert [(level["levelName"], level["status"]) for level in levels] == [
        ("Manager approval", "APPROVED"), ("Finance", "APPROVED"), ("Legal", "IN_PROGRESS")]
