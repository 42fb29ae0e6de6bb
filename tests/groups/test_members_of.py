"""``members_of``: local groups from our tables, directory groups from slapd mirrored here."""

import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa

from momoflow.accounts.models import Source, User
from momoflow.database import utcnow
from momoflow.directory import DirectoryUnavailable
from momoflow.directory.ldap import LdapDirectory, attribute_map
from momoflow.extensions import db as _db
from momoflow.groups.models import Group, GroupMember, GroupSource
from momoflow.groups.services import members_of
from tests.directory.test_ldap import ldap_directory
from tests.factories import make_org, make_user

FINANCE = ["alice@momoflow.test", "bob@momoflow.test", "dave@momoflow.test"]


def local_group(organization, name, people):
    group = Group(organization_id=organization.id, name=name, name_key=name.casefold(), source=GroupSource.LOCAL)
    _db.session.add(group)
    _db.session.flush()
    _db.session.add_all(GroupMember(group_id=group.id, user_id=person.id) for person in people)
    _db.session.flush()
    return group


def emails(users):
    return [user.email for user in users]


# --- local groups ---------------------------------------------------------------------


def test_a_local_group_answers_its_active_members_by_name(db, count_queries):
    org = make_org()
    zed, amy, gone = (make_user(org, display_name=name) for name in ("Zed", "Amy", "Gone"))
    gone.active = False
    local_group(org, "Payroll", [zed, amy, gone])
    with count_queries() as statements:
        members = members_of(org, "  PAYROLL ")
    assert [user.display_name for user in members] == ["Amy", "Zed"]
    assert len(statements) == 2  # the group, its members


def test_no_such_group_is_none(db):
    org = make_org()
    assert members_of(org, "nobody") is None
    for nonsense in ("", "   ", None, 42, "\x00", "x" * 201, "\ud800"):
        assert members_of(org, nonsense) is None


def test_an_empty_local_group_is_an_empty_list(db):
    org = make_org()
    local_group(org, "Empty", [])
    assert members_of(org, "empty") == []


def test_other_organisations_never_see_a_group_or_its_people(db):
    mine, theirs = make_org(), make_org()
    stranger = make_user(theirs)
    local_group(theirs, "Payroll", [stranger])
    assert members_of(mine, "Payroll") is None
    group = local_group(mine, "Mixed", [make_user(mine, display_name="Mine")])
    _db.session.add(GroupMember(group_id=group.id, user_id=stranger.id))  # however it got there
    _db.session.flush()
    assert [user.display_name for user in members_of(mine, "mixed")] == ["Mine"]


# --- directory groups -------------------------------------------------------------------


@pytest.fixture
def directory(slapd):
    return ldap_directory(slapd)


@pytest.fixture
def org(db, app, monkeypatch, directory):
    organization = make_org(slug="ldap-groups")
    monkeypatch.setitem(app.config, "DIRECTORY_ORG", "ldap-groups")
    monkeypatch.setitem(app.extensions, "momoflow.directory", directory)
    return organization


def counting_directory_calls(directory, monkeypatch):
    calls = []
    read = directory.group_members
    monkeypatch.setattr(directory, "group_members", lambda name: calls.append(name) or read(name))
    return calls


def test_a_directory_group_provisions_its_people_and_is_mirrored(org):
    members = members_of(org, "finance-approvers")
    assert sorted(emails(members)) == FINANCE
    assert all(user.source == Source.DIRECTORY and user.organization_id == org.id for user in members)
    assert [user.display_name for user in members] == sorted(user.display_name for user in members)
    group = _db.session.scalar(sa.select(Group).where(Group.organization_id == org.id))
    assert (group.name, group.source) == ("finance-approvers", GroupSource.DIRECTORY)
    assert group.synced_at is not None
    stored = _db.session.scalars(sa.select(GroupMember.user_id).where(GroupMember.group_id == group.id))
    assert set(stored) == {user.id for user in members}


def test_known_people_are_read_in_one_query(org, count_queries):
    members_of(org, "finance-approvers")  # provisions everyone
    group = _db.session.scalar(sa.select(Group).where(Group.organization_id == org.id))
    group.synced_at = utcnow() - timedelta(days=1)  # stale: asks the directory again
    _db.session.flush()
    with count_queries() as statements:
        assert sorted(emails(members_of(org, "finance-approvers"))) == FINANCE
    user_reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM users" in s
                  and "group_members" not in s]
    assert len(user_reads) == 1


def test_a_fresh_mirror_answers_without_the_directory(org, directory, monkeypatch):
    calls = counting_directory_calls(directory, monkeypatch)
    first = members_of(org, "hr")
    assert members_of(org, "HR") == first
    assert calls == ["hr"]


def test_a_stale_mirror_asks_the_directory_again_and_follows_it(org, directory, monkeypatch):
    members_of(org, "hr")
    group = _db.session.scalar(sa.select(Group).where(Group.organization_id == org.id))
    outsider = make_user(org, email="former@momoflow.test", display_name="Former")
    _db.session.add(GroupMember(group_id=group.id, user_id=outsider.id))  # left the group since
    group.synced_at = utcnow() - timedelta(seconds=3601)
    _db.session.flush()
    calls = counting_directory_calls(directory, monkeypatch)
    assert emails(members_of(org, "hr")) == ["carol@momoflow.test", "zoe@momoflow.test"]
    assert calls == ["hr"]


def test_a_group_gone_from_the_directory_loses_its_mirror(org, directory, monkeypatch):
    members_of(org, "hr")
    group = _db.session.scalar(sa.select(Group).where(Group.organization_id == org.id))
    group.synced_at = None
    _db.session.flush()
    monkeypatch.setattr(directory, "group_members", lambda name: None)
    assert members_of(org, "hr") is None
    assert _db.session.scalar(sa.select(sa.func.count()).select_from(Group)
                              .where(Group.organization_id == org.id)) == 0


def test_unknown_directory_group_is_none(org):
    assert members_of(org, "no-such-group") is None


def test_inactive_people_are_skipped(org):
    members_of(org, "hr")
    _db.session.scalar(sa.select(User).where(User.email == "zoe@momoflow.test")).active = False
    _db.session.flush()
    assert emails(members_of(org, "hr")) == ["carol@momoflow.test"]


def test_a_person_of_another_organisation_is_never_a_member(org):
    make_user(make_org(), email="carol@momoflow.test")  # the same address, elsewhere
    assert emails(members_of(org, "hr")) == ["zoe@momoflow.test"]


def test_only_the_directorys_organisation_sees_its_groups(org, directory, monkeypatch):
    calls = counting_directory_calls(directory, monkeypatch)
    assert members_of(make_org(), "hr") is None
    assert calls == []


def test_a_local_group_wins_over_the_directory(org, directory, monkeypatch):
    amy = make_user(org, display_name="Amy")
    local_group(org, "HR", [amy])
    calls = counting_directory_calls(directory, monkeypatch)
    assert members_of(org, "hr") == [amy]
    assert calls == []


@pytest.fixture
def directory_down(app, slapd, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    down = LdapDirectory(f"ldap://127.0.0.1:{port}", slapd.bind_dn, slapd.bind_password, slapd.base_dn,
                         attribute_map("openldap"), timeout=1)
    return lambda: monkeypatch.setitem(app.extensions, "momoflow.directory", down)


def test_directory_down_uses_a_stale_mirror(org, directory_down):
    first = members_of(org, "hr")
    _db.session.scalar(sa.select(Group).where(Group.organization_id == org.id)).synced_at = None
    _db.session.flush()
    directory_down()
    assert members_of(org, "hr") == first


def test_directory_down_without_a_mirror_raises(org, directory_down):
    directory_down()
    with pytest.raises(DirectoryUnavailable):
        members_of(org, "hr")


# --- one group list ----------------------------------------------------------------------


def test_the_group_list_holds_local_mirrored_and_unused_directory_groups_once(org, directory, monkeypatch):
    from momoflow.flows import audiences
    from momoflow.groups.services import group_names

    local_group(org, "Payroll", [])
    local_group(org, "HR", [])  # a local group called like a directory one: listed once
    members_of(org, "finance-approvers")  # mirrored now
    names = group_names(org)
    assert names == ["engineering", "finance-approvers", "HR", "Ops (Night) * Crew", "Payroll", "platform", "sre"]
    assert ("group:engineering", "Group: engineering") in audiences.choices(org)
    assert [user.email for user in members_of(org, "engineering")] != []  # and it can be used

    def down(limit=None):
        raise DirectoryUnavailable("down")

    monkeypatch.setattr(directory, "group_names", down)
    assert group_names(org) == ["engineering", "finance-approvers", "HR", "Payroll"]  # the stored ones


def test_another_organisation_sees_none_of_the_directorys_groups(db, org):
    from momoflow.groups.services import group_names

    assert group_names(make_org()) == []
