"""Real answers of both APIs conform to the schemas the OpenAPI document gives them."""

import pytest

from tests.platform.openapi_checks import conformance, resolve


# --- real answers conform to the document ---------------------------------------------


@pytest.fixture
def demo_org(db):
    from momoflow.demo.seed import seed_demo

    organization, _ = seed_demo(templates=False)
    db.session.flush()
    return organization


def answer(document, response, method, template, status=200):
    """The JSON of ``response``, after checking it is a documented answer of that operation."""
    assert response.status_code == status, response.get_data(as_text=True)
    documented = resolve(document, document["paths"][template][method]["responses"][str(status)])
    body = response.get_json()
    assert conformance(document, body, documented["content"]["application/json"]["schema"]) == []
    for header in set(documented.get("headers", {})) - {"Idempotent-Replayed", "X-Request-ID", "Retry-After"}:
        assert header in response.headers, header
    return body


def example_of(document, template, method, status, summary):
    examples = resolve(document, document["paths"][template][method]["responses"][status])["content"]
    examples = examples["application/json"]["examples"].values()
    return next(e["value"] for e in map(lambda e: resolve(document, e), examples) if e["summary"] == summary)


def test_approval_api_answers_match_the_document(app, client, document, demo_org):
    import io

    from momoflow.openapi import seed_examples as seed

    def sign_in(email):
        body = answer(document, client.post("/api/v1/auth/login", json={
            "email": email, "password": app.config["DEMO_PASSWORD"]}), "post", "/api/v1/auth/login")
        return {"Authorization": f"Bearer {body['data']['token']}"}

    employee, manager = sign_in("employee@company.com"), sign_in("manager@royalenfield.com")
    base = "/api/v1/workflows"
    answer(document, client.get("/api/v1/auth/me", headers=employee), "get", "/api/v1/auth/me")
    assert answer(document, client.get("/api/v1/auth/me"), "get", "/api/v1/auth/me", 401) == example_of(
        document, "/api/v1/auth/me", "get", "401", "No token")
    created = answer(document, client.post(base, json=seed.CREATE_SIMPLE, headers=employee), "post", base, 201)
    request_id = created["data"]["requestId"]
    one = f"{base}/{request_id}"
    answer(document, client.get(base, headers=employee), "get", base)
    answer(document, client.get(one, headers=employee), "get", f"{base}/{{requestId}}")
    answer(document, client.post(f"{one}/approvers/at-level", json=seed.AT_LEVEL_REQUEST, headers=employee),
           "post", f"{base}/{{requestId}}/approvers/at-level", 201)
    for kind, body in (("spectator", seed.SPECTATOR_REQUEST), ("approver", seed.APPROVER_REQUEST)):
        answer(document, client.post(f"{one}/participants/{kind}", json=body, headers=employee),
               "post", f"{base}/{{requestId}}/participants/{kind}", 201)
    answer(document, client.post(f"{one}/comments", json={"comment": "Thanks"}, headers=employee),
           "post", f"{base}/{{requestId}}/comments", 201)
    level_id = created["data"]["approvalLevels"][0]["levelId"]
    reject = f"{base}/{{requestId}}/levels/{{levelId}}/reject"
    assert client.post(f"{one}/levels/{level_id}/reject", json={}, headers=manager).get_json() == example_of(
        document, reject, "post", "400", "No comment")
    answer(document, client.post(f"{one}/levels/{level_id}/approve", headers=manager),
           "post", f"{base}/{{requestId}}/levels/{{levelId}}/approve")
    answer(document, client.post(f"{one}/withdraw", json={"reason": "Not needed"}, headers=employee),
           "post", f"{base}/{{requestId}}/withdraw")
    with_file = answer(document, client.post(f"{base}/multipart", headers=employee, data={
        "payload": seed.MULTIPART_PAYLOAD, "category": "SUPPORTING", "files": (io.BytesIO(b"budget"), "budget.txt")}),
        "post", f"{base}/multipart", 201)
    download = with_file["data"]["documents"][0]["downloadUrl"]
    assert client.get(download, headers=employee).status_code == 200


def test_integrator_api_answers_match_the_document(client, document, demo_org, db):
    from momoflow.apikeys.services import create_api_key
    from momoflow.openapi import seed_examples as seed

    _, secret = create_api_key(demo_org, "docs check")
    db.session.flush()
    key = {"Authorization": f"Bearer {secret}"}
    assert answer(document, client.get("/v1/flows"), "get", "/v1/flows", 401) == seed.UNAUTHORIZED
    first = client.post("/v1/flows/assign", json=seed.ASSIGN_REQUEST, headers={**key, "X-Request-ID": "docs-1"})
    assigned = answer(document, first, "post", "/v1/flows/assign")
    again = client.post("/v1/flows/assign", json=seed.ASSIGN_REQUEST, headers={**key, "X-Request-ID": "docs-1"})
    assert answer(document, again, "post", "/v1/flows/assign") == assigned
    assert again.headers["Idempotent-Replayed"] == "true" and again.headers["X-Request-ID"] == "docs-1"
    duplicate = answer(document, client.post("/v1/flows/assign", json=seed.ASSIGN_REQUEST, headers=key),
                       "post", "/v1/flows/assign", 409)
    assert duplicate["error"] == "already_assigned" and duplicate["assignmentId"] == assigned["assignmentId"]
    assert client.post("/v1/flows/assign", data="x", content_type="text/plain", headers=key).get_json() == \
        example_of(document, "/v1/flows/assign", "post", "415", "Wrong content type")
    assert answer(document, client.post("/v1/flows/assign", json={**seed.ASSIGN_REQUEST, "flowId": "flow_nope"},
                                        headers=key), "post", "/v1/flows/assign", 404)["error"] == "not_found"
    bulk = {"assignments": [{"flowId": "flow_sec101", "userEmail": "employee@company.com"}, {"flowId": "flow_nope",
                                                                                            "userEmail": "x@y.z"}]}
    answer(document, client.post("/v1/flows/assign/bulk", json=bulk, headers=key), "post", "/v1/flows/assign/bulk")
    answer(document, client.get("/v1/flows", headers=key), "get", "/v1/flows")
    answer(document, client.get("/v1/flows/flow_123abc", headers=key), "get", "/v1/flows/{flowId}")
    answer(document, client.get("/v1/assignments?status=assigned&limit=1", headers=key), "get", "/v1/assignments")
    one = f"/v1/assignments/{assigned['assignmentId']}"
    answer(document, client.get(one, headers=key), "get", "/v1/assignments/{assignmentId}")
    answer(document, client.post(f"{one}/cancel", headers=key), "post", "/v1/assignments/{assignmentId}/cancel")
    answer(document, client.post(f"{one}/cancel", headers=key), "post", "/v1/assignments/{assignmentId}/cancel", 409)


def test_out_of_office_answers_match_the_document(client, document, demo_org):
    from datetime import timedelta

    from momoflow.accounts.services import find_user
    from momoflow.auth.tokens import issue_token
    from momoflow.database import utcnow

    employee = {"Authorization": f"Bearer {issue_token(find_user('employee@company.com'))}"}
    admin = {"Authorization": f"Bearer {issue_token(find_user('admin@company.com'))}"}
    mine, theirs = "/api/v1/me/out-of-office", "/api/v1/users/{email}/out-of-office"
    someone = theirs.replace("{email}", "employee@company.com")
    body = {"start": (utcnow() + timedelta(days=1)).isoformat(), "end": (utcnow() + timedelta(days=3)).isoformat(),
            "delegateEmail": "manager@royalenfield.com"}
    assert answer(document, client.get(mine, headers=employee), "get", mine)["data"] is None
    assert answer(document, client.put(mine, json=body, headers=employee), "put", mine)["data"]["active"] is False
    answer(document, client.get(someone, headers=admin), "get", theirs)
    answer(document, client.put(someone, json=body, headers=admin), "put", theirs)
    answer(document, client.put(mine, json={}, headers=employee), "put", mine, 400)
    answer(document, client.get(someone, headers=employee), "get", theirs, 403)
    answer(document, client.delete(mine, headers=employee), "delete", mine)
    answer(document, client.delete(mine, headers=employee), "delete", mine, 404)
    answer(document, client.delete(someone, headers=admin), "delete", theirs, 404)


def test_template_answers_match_the_document(client, document, demo_org):
    import io

    from momoflow.accounts.services import find_user
    from momoflow.auth.tokens import issue_token
    from momoflow.openapi.template_paths import PURCHASE

    employee = {"Authorization": f"Bearer {issue_token(find_user('employee@company.com'))}"}
    admin = {"Authorization": f"Bearer {issue_token(find_user('admin@company.com'))}"}
    base, one = "/api/v1/templates", "/api/v1/templates/{templateId}"
    created = answer(document, client.post(base, json=PURCHASE, headers=admin), "post", base, 201)["data"]
    url = f"{base}/{created['templateId']}"
    answer(document, client.post(base, json=PURCHASE, headers=admin), "post", base, 409)
    answer(document, client.post(base, json={**PURCHASE, "name": ""}, headers=admin), "post", base, 400)
    assert client.post(base, json=PURCHASE, headers=employee).get_json() == example_of(
        document, base, "post", "403", "Not an admin")
    answer(document, client.get(base, headers=employee), "get", base)
    answer(document, client.get(f"{base}?includeArchived=true", headers=employee), "get", base, 403)
    answer(document, client.get(url, headers=employee), "get", one)
    assert answer(document, client.get(f"{base}/tmpl_unknown", headers=employee), "get", one, 404) == example_of(
        document, one, "get", "404", "Unknown template")
    changed = {**PURCHASE, "instructions": "Attach two quotations."}
    assert answer(document, client.put(url, json=changed, headers=admin), "put", one)["data"]["version"] == 2
    preview = f"{one}/preview"
    answer(document, client.post(f"{url}/preview", json={"fields": {"item": "Server", "amount": 75000}},
                                 headers=employee), "post", preview)
    assert answer(document, client.post(f"{url}/preview", json={"fields": {"item": "Laptop", "amount": "12,500"}},
                                        headers=employee), "post", preview, 400) == example_of(
        document, preview, "post", "400", "Bad value")
    workflows = "/api/v1/workflows"
    raised = answer(document, client.post(workflows, headers=employee, json={
        "templateType": "TEMPLATE", "templateId": created["templateId"], "fields": {"item": "Server", "amount": 75000}}),
        "post", workflows, 201)["data"]
    assert raised["template"]["version"] == 2 and raised["fields"] == {"item": "Server", "amount": 75000}
    payload = f'{{"templateType": "TEMPLATE", "templateId": "{created["templateId"]}", "fields": {{"item": "Desk", ' \
              '"amount": 900}}'
    with_file = answer(document, client.post(f"{workflows}/multipart", headers=employee, data={
        "payload": payload, "fields.quote": (io.BytesIO(b"quotation"), "quote.txt")}),
        "post", f"{workflows}/multipart", 201)["data"]
    assert with_file["fields"]["quote"] == {"documentId": with_file["documents"][0]["documentId"],
                                            "fileName": "quote.txt"}
    answer(document, client.post(f"{url}/archive", headers=admin), "post", f"{one}/archive")
    answer(document, client.post(workflows, headers=employee, json={
        "templateType": "TEMPLATE", "templateId": created["templateId"], "fields": {"item": "Desk", "amount": 1}}),
        "post", workflows, 409)
    answer(document, client.post(f"{url}/restore", headers=admin), "post", f"{one}/restore")
