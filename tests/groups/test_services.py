"""Admins managing local groups, and the groups' autocomplete."""

import pytest

from momoflow.accounts.models import Role
from momoflow.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from momoflow.extensions import db as _db
from momoflow.groups import services
from momoflow.groups.models import Group, GroupSource
from tests.factories import make_org, make_user


@pytest.fixture
def admin(db):
    return make_user(make_org(), role=Role.ADMIN)


def test_create_a_local_group(admin):
    group = services.create_group(admin, "  Finance   approvers ", " Sign off purchases ")
    assert (group.name, group.name_key, group.description) == ("Finance approvers", "finance approvers",
                                                               "Sign off purchases")
    assert group.source == GroupSource.LOCAL and group.organization_id == admin.organization_id


@pytest.mark.parametrize("name, description, problem", [
    ("", None, ("name", "Name is required")),
    ("x" * 201, None, ("name", "Name must be at most 200 characters")),
    ("ok", "d" * 1001, ("description", "Description must be at most 1000 characters")),
    (["list"], None, ("name", "Name must be text")),
    ("nul\x00", None, ("name", "Name cannot contain NUL characters")),
])
def test_create_refuses_bad_details(admin, name, description, problem):
    with pytest.raises(ValidationFailed) as error:
        services.create_group(admin, name, description)
    assert error.value.problems == [problem]


def test_names_are_unique_per_organisation_in_any_case(admin):
    services.create_group(admin, "Payroll")
    with pytest.raises(ValidationFailed) as error:
        services.create_group(admin, "PAYROLL")
    assert error.value.problems == [("name", "A group called Payroll already exists")]
    with pytest.raises(ValidationFailed):
        services.create_group(admin, " payroll ")
    services.create_group(admin, "Finance   approvers")
    with pytest.raises(ValidationFailed):
        services.create_group(admin, "finance approvers")  # nor do runs of spaces
    assert [user.email for user in services.members_of(admin.organization, "FINANCE  APPROVERS")] == []
    other_admin = make_user(make_org(), role=Role.ADMIN)
    assert services.create_group(other_admin, "payroll").name == "payroll"


def test_only_admins_manage_groups(admin):
    group = services.create_group(admin, "Payroll")
    employee = make_user(admin.organization)
    with pytest.raises(Forbidden):
        services.create_group(employee, "Mine")
    with pytest.raises(Forbidden):
        services.add_member(employee, group.id, employee.email)
    with pytest.raises(Forbidden):
        services.find_group(employee, group.id)


def test_another_organisations_group_is_not_found(admin):
    theirs = services.create_group(make_user(make_org(), role=Role.ADMIN), "Theirs")
    for call in (lambda: services.find_group(admin, theirs.id), lambda: services.delete_group(admin, theirs.id),
                 lambda: services.add_member(admin, theirs.id, admin.email)):
        with pytest.raises(NotFound):
            call()


def test_rename_and_describe(admin):
    group = services.create_group(admin, "Payroll", "Old")
    services.create_group(admin, "Taken")
    assert services.edit_group(admin, group.id, "PAYROLL", "Old").name == "PAYROLL"  # only its case
    assert services.edit_group(admin, group.id, "PAYROLL", "  ").description is None
    with pytest.raises(ValidationFailed):
        services.edit_group(admin, group.id, "taken", None)
    assert services.edit_group(admin, group.id, "Pay", "New").description == "New"


def test_add_and_remove_members(admin):
    group = services.create_group(admin, "Payroll")
    person = make_user(admin.organization, email="pat@example.com")
    assert services.add_member(admin, group.id, " PAT@example.com ") == person
    assert [user.email for user in services.group_members(group)] == ["pat@example.com"]
    with pytest.raises(Conflict) as error:
        services.add_member(admin, group.id, "pat@example.com")
    assert error.value.field == "email"
    services.remove_member(admin, group.id, "pat@example.com")
    assert services.group_members(group) == []
    with pytest.raises(Conflict):
        services.remove_member(admin, group.id, "pat@example.com")


@pytest.mark.parametrize("email, message", [
    ("not an email", "email: Valid email is required"),
    ("nobody@example.com", "No active person with email nobody@example.com in your organisation"),
])
def test_add_member_refuses_unknown_people(admin, email, message):
    group = services.create_group(admin, "Payroll")
    with pytest.raises(DomainError) as error:
        services.add_member(admin, group.id, email)
    assert error.value.message == message and error.value.field == "email"


def test_add_member_refuses_other_organisations_and_inactive_people(admin):
    group = services.create_group(admin, "Payroll")
    make_user(make_org(), email="stranger@example.com")
    make_user(admin.organization, email="gone@example.com", active=False)
    for email in ("stranger@example.com", "gone@example.com"):
        with pytest.raises(DomainError):
            services.add_member(admin, group.id, email)


def test_delete_a_local_group_with_its_members(admin):
    group = services.create_group(admin, "Payroll")
    services.add_member(admin, group.id, admin.email)
    services.delete_group(admin, group.id)
    assert _db.session.get(Group, group.id) is None
    assert services.members_of(admin.organization, "Payroll") is None


def test_directory_groups_are_read_only(admin):
    mirror = Group(organization_id=admin.organization_id, name="hr", name_key="hr", source=GroupSource.DIRECTORY)
    _db.session.add(mirror)
    _db.session.flush()
    for call in (lambda: services.delete_group(admin, mirror.id), lambda: services.edit_group(admin, mirror.id, "x", None),
                 lambda: services.add_member(admin, mirror.id, admin.email)):
        with pytest.raises(Conflict):
            call()
    with pytest.raises(ValidationFailed) as error:
        services.create_group(admin, "HR")
    assert error.value.problems == [("name", "A group called hr (from the directory) already exists")]


def test_search_groups_for_the_autocomplete(admin):
    for name in ("Payroll", "Finance approvers", "Approvers 50%", "Hr"):
        services.create_group(admin, name)
    services.create_group(make_user(make_org(), role=Role.ADMIN), "Approvers elsewhere")
    assert [g.name for g in services.search_groups(admin.organization, "approv")] == [
        "Approvers 50%", "Finance approvers"]  # names starting with the text first
    assert [g.name for g in services.search_groups(admin.organization, "50%")] == ["Approvers 50%"]
    assert [g.name for g in services.search_groups(admin.organization, "%")] == ["Approvers 50%"]  # no wildcard
    assert services.search_groups(admin.organization, "_") == []
    assert len(services.search_groups(admin.organization, "r", limit=2)) == 2
    assert services.search_groups(admin.organization, "") == []


def test_list_groups_counts_active_members_in_one_query(admin, count_queries):
    payroll, empty = services.create_group(admin, "Payroll"), services.create_group(admin, "Empty")
    services.add_member(admin, payroll.id, admin.email)
    services.add_member(admin, payroll.id, make_user(admin.organization).email)
    gone = make_user(admin.organization)
    services.add_member(admin, payroll.id, gone.email)
    gone.active = False
    _db.session.flush()
    with count_queries() as statements:
        rows = services.list_groups(admin.organization)
    assert [(group.name, count) for group, count in rows] == [("Empty", 0), ("Payroll", 2)]
    assert len(statements) == 1
    assert empty in [group for group, _ in rows]
