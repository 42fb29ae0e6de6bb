"""Settings → Groups over HTTP: the list (one query for the counts), creating a group, a
group's page (details, members, delete), refusals inline, and who may open what."""

import re

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Role
from momoflow.extensions import db as _db
from momoflow.groups import services
from momoflow.groups.models import Group, GroupMember, GroupSource
from tests.conftest import csrf_token_from
from tests.factories import make_org, make_user

PAGE = "/settings/groups"


@pytest.fixture
def admin(db, client, login_as):
    user = make_user(make_org(), role=Role.ADMIN, display_name="Ada Admin")
    login_as(user)
    return user


def token(client, url=PAGE):
    return csrf_token_from(client.get(url).get_data(as_text=True))


def group_url(group):
    return f"{PAGE}/{group.id}"


def test_the_list_shows_groups_with_source_and_count_in_fixed_queries(client, admin, count_queries):
    payroll = services.create_group(admin, "Payroll", "Pays people")
    services.add_member(admin, payroll.id, admin.email)
    _db.session.add(Group(organization_id=admin.organization_id, name="hr", name_key="hr",
                          source=GroupSource.DIRECTORY))
    services.create_group(make_user(make_org(), role=Role.ADMIN), "Elsewhere")
    _db.session.flush()
    with count_queries() as few:
        client.get(PAGE)
    for number in range(5):
        group = services.create_group(admin, f"Extra {number}")
        services.add_member(admin, group.id, make_user(admin.organization).email)
    with count_queries() as many:
        response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert len(many) == len(few)  # no query per group
    assert re.findall(r'<th scope="row"><a href="/settings/groups/[^"]+">([^<]+)</a>', html) == [
        "Extra 0", "Extra 1", "Extra 2", "Extra 3", "Extra 4", "hr", "Payroll"]
    assert "Elsewhere" not in html and "Pays people" in html
    assert ">Directory</span>" in html and ">Local</span>" in html and "1 member<" in html
    assert f'href="{PAGE}"' in html and ">Groups</a>" in html  # the Settings tab


def test_an_empty_list_says_what_groups_are_for(client, admin):
    assert "No groups yet." in client.get(PAGE).get_data(as_text=True)


def test_create_a_group_then_land_on_its_page(client, admin):
    response = client.post(PAGE, data={"csrf_token": token(client), "name": "Payroll", "description": ""})
    group = _db.session.scalar(sa.select(Group).where(Group.organization_id == admin.organization_id))
    assert response.status_code == 303 and response.headers["Location"].endswith(group_url(group))
    html = client.get(group_url(group)).get_data(as_text=True)
    assert "Group Payroll created." in html and "Nobody is in Payroll yet." in html


def test_create_refusals_are_inline(client, admin):
    services.create_group(admin, "Payroll")
    response = client.post(PAGE, data={"csrf_token": token(client), "name": "payroll", "description": "x" * 1001})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="group-name-error">A group called Payroll already exists' in html
    assert 'id="group-description-error">Description must be at most 1000 characters' in html
    assert 'value="payroll"' in html


def test_posts_need_the_csrf_token(client, admin):
    assert client.post(PAGE, data={"name": "Payroll"}).status_code == 400


def test_add_and_remove_a_member(client, admin):
    group = services.create_group(admin, "Payroll")
    pat = make_user(admin.organization, email="pat@example.com", display_name="Pat Payer")
    url = group_url(group)
    response = client.post(f"{url}/members", data={"csrf_token": token(client, url), "email": "pat@example.com"})
    assert response.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "Pat Payer added to Payroll." in html and "Members (1)" in html and "Remove Pat Payer" in html
    assert 'hx-get="/people/search"' in html  # the directory autocomplete
    response = client.post(f"{url}/members/remove", data={"csrf_token": token(client, url), "email": pat.email})
    assert response.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert "Pat Payer removed from Payroll." in html and "Members (0)" in html


def test_member_refusals_are_inline(client, admin):
    group = services.create_group(admin, "Payroll")
    url = group_url(group)
    response = client.post(f"{url}/members", data={"csrf_token": token(client, url), "email": "nobody@example.com"})
    assert response.status_code == 422
    assert ('id="member-email-error">No active person with email nobody@example.com in your organisation'
            in response.get_data(as_text=True))
    response = client.post(f"{url}/members/remove", data={"csrf_token": token(client, url), "email": "x@example.com"})
    assert response.status_code == 409 and "x@example.com is not in Payroll" in response.get_data(as_text=True)


def test_rename_and_describe(client, admin):
    group = services.create_group(admin, "Payroll")
    url = group_url(group)
    response = client.post(url, data={"csrf_token": token(client, url), "name": "Pay team", "description": "Pays"})
    assert response.status_code == 303
    assert "Group Pay team saved." in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": token(client, url), "name": " ", "description": ""})
    assert response.status_code == 422 and 'id="group-name-error">Name is required' in response.get_data(as_text=True)


def test_delete_a_group(client, admin):
    group = services.create_group(admin, "Payroll")
    services.add_member(admin, group.id, admin.email)
    url = group_url(group)
    response = client.post(f"{url}/delete", data={"csrf_token": token(client, url)})
    assert response.status_code == 303 and response.headers["Location"].endswith(PAGE)
    assert "Group Payroll deleted." in client.get(PAGE).get_data(as_text=True)
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(GroupMember)) == 0


def test_a_directory_group_is_read_only(client, admin):
    mirror = Group(organization_id=admin.organization_id, name="hr", name_key="hr", source=GroupSource.DIRECTORY)
    _db.session.add(mirror)
    _db.session.flush()
    _db.session.add(GroupMember(group_id=mirror.id, user_id=admin.id))
    _db.session.flush()
    url = group_url(mirror)
    html = client.get(url).get_data(as_text=True)
    assert "From the directory: read-only here" in html and "Ada Admin" in html
    assert "Add a member" not in html and "Remove Ada" not in html and "Delete hr" not in html
    response = client.post(f"{url}/delete", data={"csrf_token": token(client, url)})
    assert response.status_code == 409 and "change it there" in response.get_data(as_text=True)
    assert _db.session.get(Group, mirror.id) is not None


def test_employees_are_refused(client, db, login_as):
    org = make_org()
    group = services.create_group(make_user(org, role=Role.ADMIN), "Payroll")
    login_as(make_user(org))
    assert client.get(PAGE).status_code == 403
    assert client.get(group_url(group)).status_code == 403
    assert f'href="{PAGE}"' not in client.get("/settings/notifications").get_data(as_text=True)


def test_another_organisations_group_is_not_found(client, admin):
    theirs = services.create_group(make_user(make_org(), role=Role.ADMIN), "Theirs")
    url = group_url(theirs)
    assert client.get(url).status_code == 404
    csrf = token(client)
    for path in ("", "/members", "/members/remove", "/delete"):
        assert client.post(url + path, data={"csrf_token": csrf, "email": admin.email, "name": "x"}).status_code == 404
    assert client.get(f"{PAGE}/not-a-uuid").status_code == 404


def test_the_directorys_groups_nobody_used_yet_are_listed_too(client, db, login_as, app, monkeypatch, slapd):
    from tests.directory.test_ldap import ldap_directory

    organization = make_org(slug="ldap-groups")
    monkeypatch.setitem(app.config, "DIRECTORY_ORG", "ldap-groups")
    monkeypatch.setitem(app.extensions, "momoflow.directory", ldap_directory(slapd))
    admin = make_user(organization, role=Role.ADMIN)
    services.create_group(admin, "hr")  # a local group of the same name hides the directory's
    login_as(admin)
    html = client.get(PAGE).get_data(as_text=True)
    listed = html[html.index('id="directory-groups"'):]
    assert re.findall(r'badge--round">([^<]+)</span>', listed) == [
        "engineering", "finance-approvers", "Ops (Night) * Crew", "platform", "sre"]
    assert "No groups yet." not in html
