from tests.request_templates.conftest import raise_from


def test_purchase_request_follows_the_amount(make_template, employee_api):
    template = make_template()
    small = employee_api.post(f"/templates/{template['templateId']}/preview",
                              json={"fields": {"item": "Laptop", "amount": 5000}})
    assert small.status_code == 200, small.get_json()
    levels = small.get_json()["data"]["levels"]
    assert [level["approvers"][0]["email"] for level in levels] == ["manager@royalenfield.com"]
    big = raise_from(employee_api, template, {"item": "Server", "amount": "75000"})
    assert big.status_code == 201, big.get_json()
    data = big.get_json()["data"]
    assert [level["approverEmail"] for level in data["approvalLevels"]] == [
        "manager@royalenfield.com", "finance-manager@royalenfield.com", "cfo@royalenfield.com"]
    assert data["fields"] == {"item": "Server", "amount": 75000}
    assert data["template"]["version"] == 1
    assert data["title"] == "Purchase request: Server"
