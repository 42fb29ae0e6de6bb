"""Raising a request from a template in the browser: the chooser on the New request page,
the template's form with its preview of who approves, inline errors, the create, and the
request page's filled-in details."""

import io
import re
import uuid

from werkzeug.datastructures import MultiDict

from momoflow.accounts.models import Role
from momoflow.request_templates import services as template_services
from momoflow.workflows.models import ApprovalLevel, Document, WorkflowRequest
from tests.factories import make_org, make_user
from tests.request_templates.conftest import EMPLOYEE, purchase_request_definition
from tests.workflows.pages import HTMX, PDF, error_of, htmx_post, token_on

EVERY_FIELD = [
    {"key": "item", "label": "Item", "type": "SHORT_TEXT", "required": True, "help": "What you are buying"},
    {"key": "reason", "label": "Reason", "type": "LONG_TEXT"},
    {"key": "quantity", "label": "Quantity", "type": "NUMBER", "min": 1, "max": 50},
    {"key": "amount", "label": "Amount", "type": "AMOUNT", "required": True, "min": 0, "currency": "INR"},
    {"key": "needed_by", "label": "Needed by", "type": "DATE"},
    {"key": "kind", "label": "Kind", "type": "CHOICE", "options": ["Hardware", "Software"]},
    {"key": "owner", "label": "Owner", "type": "PERSON"},
    {"key": "quote", "label": "Quotation", "type": "FILE"},
]


def every_field_template(make_template, **changes):
    return make_template(purchase_request_definition(name="Everything", fields=EVERY_FIELD, **changes))


def page_of(template):
    return f"/requests/new?template={template['templateId']}"


def post_form(client, template, data, files=None):
    token = token_on(client, page_of(template))
    data = MultiDict(data)
    body = MultiDict({"csrf_token": token, "category": "SUPPORTING", "priority": "STANDARD"})
    for name in data:
        body.setlist(name, data.getlist(name))
    for name, (content, filename) in (files or {}).items():
        body.add(name, (io.BytesIO(content), filename))
    return client.post(page_of(template), data=body, content_type="multipart/form-data")


# --- the chooser ---------------------------------------------------------------------


def test_the_chooser_lists_templates_by_category(client, demo, login_as, make_template):
    make_template(name="New hire", category="People", description="Someone joins the team.")
    make_template()  # Purchase request, in Finance
    make_template(name="Parking space", category="")
    login_as(demo[EMPLOYEE])
    html = client.get("/requests/new").get_data(as_text=True)
    headings = re.findall(r'<h3 class="template-category">([^<]*)</h3>', html)
    assert headings == ["Finance", "People", "Other"]
    names = re.findall(r'class="template-card__link" href="([^"]*)">([^<]*)</a>', html)
    assert [name for _, name in names] == ["Custom request", "Purchase request", "New hire", "Parking space"]
    assert names[1][0].startswith("/requests/new?template=tmpl_")
    assert "Someone joins the team." in html
    assert 'for="template-type"' not in html and 'name="template_type"' not in html  # the page decides the type
    assert 'id="custom-request"' in html and 'for="title"' in html  # the custom form is still there


def test_the_chooser_searches_on_the_server_and_for_htmx(client, demo, login_as, make_template):
    make_template(name="New hire", category="People", description="Someone joins the team.")
    make_template()
    login_as(demo[EMPLOYEE])
    html = client.get("/requests/new?q=JOINS team").get_data(as_text=True)
    assert "New hire" in html and ">Purchase request<" not in html
    assert "1 template matches" in html and 'value="JOINS team"' in html
    response = client.get("/requests/new/templates?q=finance", headers=HTMX)
    partial = response.get_data(as_text=True)
    assert partial.lstrip().startswith('<div id="template-results"') and "<html" not in partial
    assert ">Purchase request<" in partial and "New hire" not in partial
    assert "HX-Request" in response.headers["Vary"]
    nothing = client.get("/requests/new/templates?q=zebra", headers=HTMX).get_data(as_text=True)
    assert "No template matches “zebra”" in nothing


def test_without_templates_the_chooser_says_so(client, demo, login_as):
    login_as(demo[EMPLOYEE])
    html = client.get("/requests/new").get_data(as_text=True)
    assert "no request templates yet" in html and 'href="/settings/templates"' not in html
    login_as(demo["admin@company.com"])
    html = client.get("/requests/new").get_data(as_text=True)
    assert '<a href="/settings/templates">Create a template in Settings → Templates</a>' in html


# --- the form ------------------------------------------------------------------------


def test_the_form_has_an_input_for_each_field_type(client, demo, login_as, make_template):
    template = every_field_template(make_template, instructions="Attach the quotation.",
                                    defaultPriority="EXPRESS",
                                    defaultSpectators=[{"email": "spectator@royalenfield.com"}])
    login_as(demo[EMPLOYEE])
    response = client.get(page_of(template))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for key, tag in (("item", '<input type="text"'), ("reason", "<textarea"), ("quantity", '<input type="number"'),
                     ("amount", '<input type="number" step="0.01"'), ("needed_by", '<input type="date"'),
                     ("kind", "<select"), ("owner", '<input type="email"'), ("quote", '<input type="file"')):
        assert f'<label for="field-{key}">' in html
        assert re.search(rf'{re.escape(tag)}[^>]*id="field-{key}" name="field.{key}"', html), key
    assert 'min="1" max="50"' in html and 'id="field-amount-currency" title="Currency">INR<' in html
    assert "What you are buying" in html and "From 1 to 50." in html
    assert '<option value="Hardware">Hardware</option>' in html
    assert re.search(r'id="field-item" name="field.item" required aria-required="true"', html)
    assert 'hx-get="/people/search"' in html or "people-options" in html
    assert "Attach the quotation." in html and "spectator@royalenfield.com" in html
    assert 'id="priority-express" name="priority" value="EXPRESS" checked' in html
    assert 'placeholder="Everything"' in html
    assert 'hx-trigger="input changed delay:500ms from:#template-form, change from:#template-form"' in html
    assert 'id="template-preview"' in html and "Fill in Item and Amount to see every level." in html
    assert 'for="title"' in html and 'for="spectator-' not in html and 'for="files"' in html


def test_the_preview_follows_the_amount(client, demo, login_as, make_template):
    template = make_template()
    login_as(demo[EMPLOYEE])
    token = token_on(client, page_of(template))
    url = f"/requests/new/preview?template={template['templateId']}"
    small = htmx_post(client, url, token, {"field.item": "Laptop", "field.amount": "5000"}).get_data(as_text=True)
    assert small.lstrip().startswith('<div id="template-preview"')
    assert "Level 1 · Manager approval · 24 h" in small and "(your manager)" in small
    assert small.count("Left out") == 2 and "Amount &gt; 10,000" in small
    big = htmx_post(client, url, token, {"field.item": "Laptop", "field.amount": "20000"}).get_data(as_text=True)
    assert "Level 2 · Finance · 48 h" in big and big.count("Left out") == 1
    missing = htmx_post(client, url, token, {"field.item": "Laptop"}).get_data(as_text=True)
    assert "Fill in Amount to see every level." in missing
    wrong = htmx_post(client, url, token, {"field.amount": "lots"}).get_data(as_text=True)
    assert "Amount must be a number" in wrong and "Level 1" not in wrong


def test_a_rule_that_finds_nobody_is_a_warning_in_the_preview_and_an_error_on_submit(
        client, demo, login_as, make_template):
    template = make_template(name="Ghostly", fields=[], levels=[
        {"levelName": "Ghost", "tatHours": 8, "approverRule": {"type": "PEOPLE", "emails": ["ghost@royalenfield.com"]}}])
    login_as(demo[EMPLOYEE])
    html = client.get(page_of(template)).get_data(as_text=True)
    assert "cannot be raised as it is" in html and "Level 1 (Ghost)" in html
    response = post_form(client, template, {})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "template-preview").startswith("Level 1 (Ghost)")
    assert 'href="#template-preview"' in html


# --- submitting ----------------------------------------------------------------------


def test_each_field_type_shows_its_problem_inline_and_keeps_what_was_typed(
        client, demo, login_as, make_template):
    template = every_field_template(make_template)
    login_as(demo[EMPLOYEE])
    response = post_form(client, template, {
        "field.item": " ", "field.reason": "x" * 10_001, "field.quantity": "500", "field.amount": "12.345",
        "field.needed_by": "2026-13-45", "field.kind": "Furniture", "field.owner": "not-an-email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "field-item") == "Item is required"
    assert error_of(html, "field-reason") == "Reason must be at most 10000 characters"
    assert error_of(html, "field-quantity") == "Quantity must be at most 50"
    assert error_of(html, "field-amount") == "Amount can have at most two decimal places"
    assert error_of(html, "field-needed_by") == "Needed by must be a date such as 2026-12-31"
    assert error_of(html, "field-kind") == "Kind must be one of: Hardware, Software"
    assert error_of(html, "field-owner") == "Owner must be a valid email address"
    assert "There are 7 problems with this request" in html and 'href="#field-needed_by"' in html
    assert 'value="500"' in html and 'value="2026-13-45"' in html and 'value="not-an-email"' in html
    assert re.search(r'id="field-kind"[^>]*aria-invalid="true"', html)
    # The directory and the file's content are checked too, on their inputs.
    response = post_form(client, template, {"field.item": "Desk", "field.amount": "100",
                                            "field.owner": "nobody@royalenfield.com"})
    assert error_of(response.get_data(as_text=True), "field-owner") == (
        "Owner: nobody@royalenfield.com is not in the company directory")
    response = post_form(client, template, {"field.item": "Desk", "field.amount": "100"},
                         files={"field.quote": (b"MZ\x90\x00", "setup.exe")})
    html = response.get_data(as_text=True)
    assert "is not an accepted file type" in error_of(html, "field-quote")
    assert "Files are not kept when a form has problems" in html


def test_the_requests_own_parts_show_their_problems_inline(client, demo, login_as, make_template):
    template = make_template()
    login_as(demo[EMPLOYEE])
    fields = {"field.item": "Desk", "field.amount": "100"}
    response = post_form(client, template, MultiDict([*fields.items(), ("spectator_email", "nobody"),
                                                      ("title", "x" * 501), ("category", "BOGUS")]))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_of(html, "spectator-r0-email") == "Valid email is required"
    assert error_of(html, "title") is not None and error_of(html, "category").startswith("Category must be")
    assert "Spectator 1: Valid email is required" in html
    response = post_form(client, template, fields, files={"files": (b"MZ\x90\x00", "setup.exe")})
    assert "is not an accepted file type" in error_of(response.get_data(as_text=True), "files")


def test_a_request_is_raised_from_the_page(client, db, demo, login_as, make_template):
    template = every_field_template(make_template)
    login_as(demo[EMPLOYEE])
    response = post_form(client, template, {
        "field.item": "Server", "field.reason": "The old one died.\nTwice.", "field.quantity": "2",
        "field.amount": "75000", "field.needed_by": "2026-12-31", "field.kind": "hardware",
        "field.owner": "it-manager@royalenfield.com", "spectator_email": "spectator@royalenfield.com",
        "category": "QUOTATION"},
        files={"field.quote": (PDF, "quote.pdf"), "files": (PDF, "specs.pdf")})
    assert response.status_code == 303, response.get_data(as_text=True)
    workflow = db.session.scalar(db.select(WorkflowRequest).where(WorkflowRequest.title == "Everything: Server"))
    assert response.headers["Location"].endswith(f"/requests/{workflow.id}")
    levels = db.session.scalars(db.select(ApprovalLevel).where(ApprovalLevel.request_id == workflow.id)
                                .order_by(ApprovalLevel.level_number)).all()
    assert [level.level_name for level in levels] == ["Manager approval", "Finance", "CFO"]
    values = workflow.field_values
    assert values["kind"] == "Hardware" and values["amount"] == "75000" and values["quote"]["fileName"] == "quote.pdf"
    names = sorted(document.original_name for document in db.session.scalars(
        db.select(Document).where(Document.request_id == workflow.id)))
    assert names == ["quote.pdf", "specs.pdf"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created and sent to level 1" in page
    assert "<dt>Template</dt><dd>Everything · version 1</dd>" in page
    details = page[page.index('id="details"'):page.index('id="levels"')]
    for text in ("<dt>Amount</dt>", "INR 75,000.00", "31 Dec 2026", "Hardware", "it-manager@royalenfield.com",
                 "The old one died.\nTwice."):
        assert text in details, text
    assert re.search(rf'<a href="/requests/{workflow.id}/documents/{values["quote"]["documentId"]}" download>'
                     r'quote.pdf</a>', details)


def test_the_request_page_reads_the_form_without_a_query_per_field(client, db, demo, login_as, make_template,
                                                                   count_queries):
    small = make_template()
    large = every_field_template(make_template)
    login_as(demo[EMPLOYEE])
    common = {"field.item": "Desk", "field.amount": "100"}
    urls = [post_form(client, small, common).headers["Location"],
            post_form(client, large, {**common, "field.reason": "Old", "field.quantity": "3",
                                      "field.needed_by": "2026-01-31", "field.kind": "Software",
                                      "field.owner": "hr@royalenfield.com"}).headers["Location"]]
    counts = []
    for url in urls:
        client.get(url)  # the toast, once
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_a_custom_request_shows_no_details(client, db, demo, login_as):
    from tests.workflows.pages import raise_request

    workflow = raise_request(db, demo, "manager@royalenfield.com")
    login_as(demo[EMPLOYEE])
    html = client.get(f"/requests/{workflow.id}").get_data(as_text=True)
    assert "<dt>Template</dt><dd>Custom request</dd>" in html and 'id="details"' not in html


# --- templates one cannot use --------------------------------------------------------


def test_an_archived_or_unknown_template_is_a_friendly_404(client, demo, login_as, make_template, admin_api):
    template = make_template()
    login_as(demo[EMPLOYEE])
    token = token_on(client, page_of(template))
    assert admin_api.post(f"/templates/{template['templateId']}/archive").status_code == 200
    for response in (client.get(page_of(template)),
                     client.post(page_of(template), data={"csrf_token": token, "field.item": "Desk"}),
                     htmx_post(client, f"/requests/new/preview?template={template['templateId']}", token)):
        assert response.status_code == 404
    html = client.get(page_of(template)).get_data(as_text=True)
    assert "find that page" in html and "This template is not offered any more" in html
    assert client.get("/requests/new?template=tmpl_nope").status_code == 404
    assert client.get("/requests/new?template=%00").status_code == 404


def test_another_organisations_template_is_not_found(client, db, demo, login_as):
    other = make_org(slug="elsewhere", name="Elsewhere")
    admin = make_user(other, email="admin@elsewhere.example", role=Role.ADMIN)
    db.session.flush()
    template = template_services.create_template(admin, purchase_request_definition(levels=[
        {"levelName": "Admin", "tatHours": 24, "approverRule": {"type": "PEOPLE", "emails": [admin.email]}}]))
    db.session.flush()
    login_as(demo[EMPLOYEE])
    assert client.get(f"/requests/new?template={template.public_id}").status_code == 404
    assert ">Purchase request<" not in client.get("/requests/new").get_data(as_text=True)


# --- a returned template request, changed on its resubmit page -----------------------------


def _returned_purchase(make_template, api_as, amount):
    from tests.request_templates.conftest import raise_from

    template = make_template()
    created = raise_from(api_as(EMPLOYEE), template, {"item": "Desk", "amount": amount}).get_json()["data"]
    level = created["approvalLevels"][0]
    returned = api_as(level["approverEmail"]).post(
        f"/workflows/{created['requestId']}/levels/{level['levelId']}/return", json={"comments": "Which desk?"})
    assert returned.status_code == 200, returned.get_json()
    return created


def test_the_resubmit_page_of_a_template_request_edits_its_form_not_its_levels(make_template, api_as, client,
                                                                                 demo, login_as, db):
    created = _returned_purchase(make_template, api_as, 5000)
    url = f"/requests/{created['requestId']}/resubmit"
    login_as(demo[EMPLOYEE])
    html = client.get(url).get_data(as_text=True)
    assert 'name="field.item"' in html and 'value="Desk"' in html and 'value="5000"' in html
    assert 'id="level-rows"' not in html  # the template's rules choose the approvers
    token = token_on(client, url)
    form = {"csrf_token": token, "title": created["title"], "description": created["description"],
            "priority": "STANDARD", "category": "SUPPORTING", "field.item": "Standing desk", "field.amount": "-3"}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    assert error_of(refused.get_data(as_text=True), "field-amount") == "Amount must be at least 0"
    form.update({"csrf_token": token_on(client, url), "field.amount": "60000", "comments": "A standing one"})
    response = client.post(url, data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    request = db.session.get(WorkflowRequest, uuid.UUID(created["requestId"]), populate_existing=True)
    assert request.field_values == {"item": "Standing desk", "amount": "60000"}
    assert request.total_levels == 3  # finance and the CFO join above 50,000
    page = client.get(f"/requests/{created['requestId']}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Amount INR 60,000.00" in text  # the details
    assert "Amount was: INR 5,000.00 → now: INR 60,000.00" in text  # the resubmission's diff
    assert "Level 3 (none) → now: CFO: Rajesh Iyer, 48 h" in text
