"""Settings → Templates: admins list, create, edit (a new version each time), archive and
restore request templates in the browser; every problem shows next to its input and
nothing typed is lost; row buttons add, remove and move rows without JavaScript."""

import json

import pytest
import sqlalchemy as sa

from momoflow.flows.models import Flow, FlowStatus
from momoflow.request_templates import services
from momoflow.request_templates.models import RequestTemplate
from tests.conftest import csrf_token_from
from tests.factories import make_org, make_user
from tests.request_templates.conftest import purchase_request_definition
from tests.settings.template_form import EditorForm
from tests.workflows.conftest import api_as  # noqa: F401  (fixture)
from tests.workflows.test_query_counts import TRANSACTION_CONTROL

ADMIN, EMPLOYEE = "admin@company.com", "employee@company.com"
LIST, NEW = "/settings/templates", "/settings/templates/new"


def editor_on(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return EditorForm(response.get_data(as_text=True))


def press(client, url, form, action="save", **typed):
    """Post ``form``'s values with ``typed`` changed, as if ``action``'s button was pressed."""
    data = {**form.values, **typed, "action": action}
    return client.post(url, data={name: value for name, value in data.items() if value is not None})


def stored(db, name):
    return db.session.scalar(sa.select(RequestTemplate).where(RequestTemplate.name == name)
                             .execution_options(populate_existing=True))


def create(admin, **changes):
    template = services.create_template(admin, purchase_request_definition(**changes))
    return template


def test_only_admins_open_or_change_templates(client, demo, login_as, db):
    template = create(demo[ADMIN])
    login_as(demo[EMPLOYEE])
    for url in (LIST, NEW, f"{LIST}/{template.public_id}"):
        assert client.get(url).status_code == 403
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    for url in (NEW, f"{LIST}/{template.public_id}", f"{LIST}/{template.public_id}/archive"):
        assert client.post(url, data={"csrf_token": token, "name": "Mine"}).status_code == 403
    assert stored(db, "Purchase request").is_active and stored(db, "Purchase request").version == 1
    assert "/settings/templates" not in client.get("/settings/notifications").get_data(as_text=True)


def test_an_empty_list_invites_the_first_template(client, demo, login_as):
    login_as(demo[ADMIN])
    html = client.get(LIST).get_data(as_text=True)
    assert "No templates yet." in html and f'href="{NEW}">Create your first template</a>' in html
    assert '<a href="/settings/templates" aria-current="page">Templates</a>' in html


def test_creating_through_the_form_with_every_rule_and_a_flow(client, demo, login_as, db):
    flow = db.session.scalar(sa.select(Flow).where(Flow.organization_id == demo[ADMIN].organization_id,
                                                   Flow.status == FlowStatus.ACTIVE).order_by(Flow.name))
    login_as(demo[ADMIN])
    form = editor_on(client, NEW)
    assert form.values["levels.count"] == "1" and form.values["levels.0.rule_type"] == "MANAGER"
    form = EditorForm(press(client, NEW, form, "add-field", name="Laptop").get_data(as_text=True))
    form = EditorForm(press(client, NEW, form, "add-field", **{
        "fields.0.label": "Amount (₹)", "fields.0.type": "AMOUNT", "fields.0.required": "1", "fields.0.min": "0",
        "fields.0.currency": "inr"}).get_data(as_text=True))
    assert form.values["fields.0.key"] == "amount"  # suggested from the label
    form = EditorForm(press(client, NEW, form, "add-level", **{
        "fields.1.label": "New hire", "fields.1.type": "PERSON"}).get_data(as_text=True))
    assert form.values["fields.1.key"] == "new_hire"
    form = EditorForm(press(client, NEW, form, "add-condition-1").get_data(as_text=True))
    form = EditorForm(press(client, NEW, form, "add-level", **{
        "levels.1.name": "Finance", "levels.1.rule_type": "GROUP", "levels.1.group": "finance-approvers",
        "levels.1.conditions.0.field": "amount", "levels.1.conditions.0.op": ">",
        "levels.1.conditions.0.value": "10000"}).get_data(as_text=True))
    form = EditorForm(press(client, NEW, form, "add-level", **{
        "levels.2.name": "Hiring manager", "levels.2.rule_type": "FIELD_MANAGER",
        "levels.2.person_field": "new_hire", "levels.2.levels_up": "2"}).get_data(as_text=True))
    form = EditorForm(press(client, NEW, form, "add-flow", **{
        "levels.3.name": "CFO", "levels.3.rule_type": "PEOPLE", "levels.3.mode": "QUORUM", "levels.3.min": "2",
        "levels.3.emails": "cfo@royalenfield.com\n\nvp@royalenfield.com ", "levels.3.tat": "12.5",
        "levels.3.policy": "UNREACHABLE", "levels.3.breach": "ESCALATE"}).get_data(as_text=True))
    response = press(client, NEW, form, **{
        "category": "Hiring", "instructions": "Attach the offer.", "default_priority": "EXPRESS",
        "spectators": "hr@royalenfield.com", "when_no_approver": "SKIP", "levels.0.name": "Manager",
        "flows.0.flow": flow.public_id, "flows.0.assign_to": "new_hire", "flows.0.due": "7"})
    assert response.status_code == 303 and response.headers["Location"].endswith(LIST)
    template = stored(db, "Laptop")
    definition = template.definition
    assert template.version == 1 and definition["category"] == "Hiring"
    assert definition["defaultPriority"] == "EXPRESS" and definition["whenNoApprover"] == "SKIP"
    assert definition["defaultSpectators"] == [{"email": "hr@royalenfield.com"}]
    assert definition["fields"] == [
        {"key": "amount", "label": "Amount (₹)", "type": "AMOUNT", "required": True, "help": None, "min": 0,
         "max": None, "currency": "INR"},
        {"key": "new_hire", "label": "New hire", "type": "PERSON", "required": False, "help": None}]
    assert [level["approverRule"] for level in definition["levels"]] == [
        {"type": "MANAGER", "levelsUp": 1}, {"type": "GROUP", "group": "finance-approvers"},
        {"type": "FIELD_MANAGER", "field": "new_hire", "levelsUp": 2},
        {"type": "PEOPLE", "emails": ["cfo@royalenfield.com", "vp@royalenfield.com"]}]
    assert definition["levels"][1]["condition"] == {"field": "amount", "op": ">", "value": 10000}
    cfo = definition["levels"][3]
    assert (cfo["approvalMode"], cfo["minApprovals"], cfo["tatHours"], cfo["rejectionPolicy"], cfo["onBreach"]) == (
        "QUORUM", 2, 12.5, "UNREACHABLE", "ESCALATE")
    assert definition["onApproval"] == [{"flowId": flow.public_id, "assignTo": {"field": "new_hire"}, "dueInDays": 7}]
    html = client.get(LIST).get_data(as_text=True)
    assert "Template &#39;Laptop&#39; created as version 1." in html
    assert f'id="template-{template.public_id}"' in html


def test_editing_makes_version_2_which_the_api_shows(client, demo, login_as, db, api_as):  # noqa: F811
    template = create(demo[ADMIN])
    url = f"{LIST}/{template.public_id}"
    login_as(demo[ADMIN])
    html = client.get(url).get_data(as_text=True)
    assert "Saving creates version 2; requests raised with version 1 keep it." in html
    form = EditorForm(html)
    assert form.values["levels.1.conditions.0.value"] == "10000" and form.values["fields.1.currency"] == "INR"
    response = press(client, url, form)  # nothing changed
    assert response.status_code == 303 and stored(db, "Purchase request").version == 1
    assert "Nothing changed" in client.get(LIST).get_data(as_text=True)
    response = press(client, url, form, **{"levels.1.conditions.0.value": "20000"})
    assert response.status_code == 303
    assert stored(db, "Purchase request").version == 2
    assert "saved as version 2. Requests raised with version 1 keep it." in client.get(LIST).get_data(as_text=True)
    answer = api_as(ADMIN).get(f"/templates/{template.public_id}").get_json()["data"]
    assert answer["version"] == 2 and answer["levels"][1]["condition"]["value"] == 20000
    assert services.definition_of(stored(db, "Purchase request"), 1).levels[1].condition.value == 10000


def test_archive_then_restore(client, demo, login_as, db):
    template = create(demo[ADMIN])
    login_as(demo[ADMIN])
    token = csrf_token_from(client.get(LIST).get_data(as_text=True))
    response = client.post(f"{LIST}/{template.public_id}/archive", data={"csrf_token": token})
    assert response.status_code == 303 and not stored(db, "Purchase request").is_active
    html = client.get(LIST).get_data(as_text=True)
    assert "archived: nobody can raise new requests with it" in html and "No active templates." in html
    assert ">Create a template</a>" in html and "New template" not in html
    archived = html[html.index('id="archived-title"'):]
    assert f'id="template-{template.public_id}"' in archived and "Restore<span" in archived
    response = client.post(f"{LIST}/{template.public_id}/restore", data={"csrf_token": token})
    assert response.status_code == 303 and stored(db, "Purchase request").is_active
    html = client.get(LIST).get_data(as_text=True)
    assert "restored: people can raise requests with it again" in html and 'id="archived-title"' not in html
    assert "Archive Purchase request</button>" in html


@pytest.mark.parametrize("typed, key, message", [
    ({"fields.0.key": "Item!"}, "fields-0-key", "Key must start with a letter"),
    ({"fields.1.key": "item"}, "fields-1-key", "Two fields use the key &#39;item&#39;"),
    ({"levels.1.conditions.0.field": "ghost"}, "levels-1-conditions-0-field",
     "field must be the key of one of the template&#39;s fields"),
    ({"levels.1.conditions.0.value": "lots"}, "levels-1-conditions-0-value", "value must be a number"),
    ({"levels.1.mode": "QUORUM", "levels.1.min": "21"}, "levels-1-min", "minApprovals must be a whole number"),
    ({"levels.0.rule_type": "GROUP", "levels.0.group": ""}, "levels-0-group", "Name the group whose members approve"),
    ({"levels.0.rule_type": "FIELD_MANAGER"}, "levels-0-person_field", "field must be the key of one of the"),
    ({"levels.2.emails": "cfo@royalenfield.com\ncfo@royalenfield.com"}, "levels-2-emails", "is listed twice"),
    ({"levels.0.tat": "-3"}, "levels-0-tat", "TAT hours must be positive"),
    ({"name": ""}, "name", "Name is required"),
])
def test_each_problem_shows_next_to_its_input_and_nothing_is_lost(client, demo, login_as, db, typed, key, message):
    login_as(demo[ADMIN])
    template = create(demo[ADMIN])
    url = f"{LIST}/{template.public_id}"
    form = editor_on(client, url)
    response = press(client, url, form, **{"description": "Typed but not saved", **typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-summary"' in html and f'href="#tpl-{key}"' in html
    error = html[html.index(f'id="tpl-{key}-error"'):]
    assert message in error[:error.index("</p>")]
    assert f'id="tpl-{key}"' in html and 'aria-invalid="true"' in html
    again = EditorForm(html)
    assert again.values["description"] == "Typed but not saved"
    assert all(again.values.get(name) == value for name, value in typed.items())
    assert stored(db, "Purchase request").version == 1


def test_a_taken_name_and_an_archived_flow_are_refused_inline(client, demo, login_as, db):
    create(demo[ADMIN])
    login_as(demo[ADMIN])
    form = editor_on(client, NEW)
    form.values["levels.0.name"] = "Manager"
    response = press(client, NEW, form, **{"name": "purchase REQUEST"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "A template called &#39;purchase REQUEST&#39; already exists" in html
    assert 'id="tpl-name-error"' in html
    response = press(client, NEW, form, "add-flow", name="Joiner")
    form = EditorForm(response.get_data(as_text=True))
    response = press(client, NEW, form, **{"flows.0.flow": "flow_nothing"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="tpl-flows-0-flow-error"' in html
    assert "Flow with ID &#39;flow_nothing&#39; does not exist" in html
    assert '<option value="flow_nothing" selected>(flow_nothing)</option>' in html
    assert stored(db, "Joiner") is None


def test_another_organisations_template_is_not_found(client, demo, login_as, db):
    other = make_org("elsewhere")
    theirs = create(make_user(other, "boss@elsewhere.test", role=demo[ADMIN].role))
    login_as(demo[ADMIN])
    token = csrf_token_from(client.get(LIST).get_data(as_text=True))
    assert client.get(f"{LIST}/{theirs.public_id}").status_code == 404
    assert client.post(f"{LIST}/{theirs.public_id}", data={"csrf_token": token, "name": "Mine"}).status_code == 404
    assert client.post(f"{LIST}/{theirs.public_id}/archive", data={"csrf_token": token}).status_code == 404
    assert db.session.get(RequestTemplate, theirs.id).is_active


def test_row_buttons_add_remove_and_move_rows_keeping_what_was_typed(client, demo, login_as):
    login_as(demo[ADMIN])
    form = editor_on(client, NEW)
    for label in ("First", "Second"):
        form = EditorForm(press(client, NEW, form, "add-field", name="Typed name").get_data(as_text=True))
        index = int(form.values["fields.count"]) - 1
        form.values[f"fields.{index}.label"] = label
    form = EditorForm(press(client, NEW, form, "up-field-1", **{"fields.0.help": "first's help"}).get_data(
        as_text=True))
    assert [form.values["fields.0.label"], form.values["fields.1.label"]] == ["Second", "First"]
    assert form.values["fields.1.help"] == "first's help" and form.values["name"] == "Typed name"
    form = EditorForm(press(client, NEW, form, "add-level", **{"levels.0.name": "One"}).get_data(as_text=True))
    form = EditorForm(press(client, NEW, form, "down-level-0", **{"levels.1.name": "Two"}).get_data(as_text=True))
    assert [form.values["levels.0.name"], form.values["levels.1.name"]] == ["Two", "One"]
    form = EditorForm(press(client, NEW, form, "add-condition-1").get_data(as_text=True))
    form = EditorForm(press(client, NEW, form, "add-condition-1", **{
        "levels.1.conditions.0.field": "first", "levels.1.conditions.0.op": "is not empty"}).get_data(as_text=True))
    assert form.values["levels.1.conditions.count"] == "2" and form.values["levels.1.join"] == "all"
    form = EditorForm(press(client, NEW, form, "remove-condition-1-0").get_data(as_text=True))
    assert form.values["levels.1.conditions.count"] == "1" and form.values["levels.1.conditions.0.field"] == ""
    form = EditorForm(press(client, NEW, form, "remove-field-0").get_data(as_text=True))
    assert form.values["fields.count"] == "1" and form.values["fields.0.label"] == "First"
    assert form.values["levels.0.name"] == "Two"
    response = press(client, NEW, form, "remove-level-9")
    assert response.status_code == 400 and "That button is not one of this page&#39;s." in response.get_data(
        as_text=True)


def test_a_condition_deeper_than_the_editor_is_kept_read_only(client, demo, login_as, db):
    deep = {"all": [{"field": "amount", "op": ">", "value": 100},
                    {"any": [{"field": "item", "op": "==", "value": "Laptop"},
                             {"field": "item", "op": "is empty"}]}]}
    definition = purchase_request_definition()
    definition["levels"][1]["condition"] = deep
    template = services.create_template(demo[ADMIN], definition)
    url = f"{LIST}/{template.public_id}"
    login_as(demo[ADMIN])
    html = client.get(url).get_data(as_text=True)
    assert 'Amount &gt; 100 and (Item == &#34;Laptop&#34; or Item is empty)' in html
    form = EditorForm(html)
    assert json.loads(form.values["levels.1.condition"]) == deep
    response = press(client, url, form, **{"levels.0.name": "Line manager"})
    assert response.status_code == 303
    assert stored(db, "Purchase request").definition["levels"][1]["condition"] == deep
    form = EditorForm(press(client, url, editor_on(client, url), "replace-condition-1").get_data(as_text=True))
    assert "levels.1.condition" not in form.values and form.values["levels.1.conditions.count"] == "1"


def test_the_list_runs_the_same_queries_for_2_and_for_8_templates(client, demo, login_as, count_queries):
    admin = demo[ADMIN]
    login_as(admin)
    counts = []
    for size in (2, 8):
        for number in range(len(counts) * 2, size):
            create(admin, name=f"Template {number}")
        with count_queries() as statements:
            html = client.get(LIST).get_data(as_text=True)
        assert html.count('class="flow-admin template-admin') == size
        counts.append([s for s in statements if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)])
    assert len(counts[0]) == len(counts[1]), counts[1]
