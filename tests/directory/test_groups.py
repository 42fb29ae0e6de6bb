"""Directory groups: ``group_members(name)`` against the real slapd (tests/ldap/people.ldif)."""

import socket

import pytest

from momoflow.directory import DirectoryUnavailable
from momoflow.directory.ldap import LdapDirectory, attribute_map, in_chain_filter
from momoflow.directory.local import LocalDirectory
from tests.directory.test_ldap import ldap_directory


@pytest.fixture
def directory(slapd):
    return ldap_directory(slapd)


def test_a_groups_people_are_read_as_emails(directory):
    assert directory.group_members("hr") == ["carol@momoflow.test", "zoe@momoflow.test"]


def test_members_that_are_not_people_are_left_out(directory):
    # finance-approvers also names the reader account (not a person) and a DN nobody holds.
    assert directory.group_members("finance-approvers") == [
        "alice@momoflow.test", "bob@momoflow.test", "dave@momoflow.test"]


def test_the_group_name_is_case_insensitive(directory):
    assert directory.group_members("Finance-Approvers") == directory.group_members("finance-approvers")


def test_a_missing_group_is_none(directory):
    assert directory.group_members("no-such-group") is None


def test_a_person_is_not_a_group(directory):
    assert directory.group_members("dave") is None  # a cn, but of an inetOrgPerson


def test_filter_metacharacters_are_escaped(directory):
    assert directory.group_members("Ops (Night) * Crew") == ["mallory@momoflow.test"]
    assert directory.group_members("Ops (Night) *") is None  # "*" is no wildcard
    assert directory.group_members("*") is None
    assert directory.group_members("hr)(cn=*") is None


def test_the_ad_flavor_reads_groups_with_its_own_filter(slapd):
    # slapd has no AD "group" class: the AD map's filter finds nothing, and says so with None.
    ad = ldap_directory(slapd, "ad", user_filter="(objectClass=inetOrgPerson)")
    assert ad.attributes["group_filter"] == "(objectClass=group)"
    assert ad.group_members("hr") is None
    ad.attributes["group_filter"] = "(objectClass=groupOfNames)"
    assert ad.group_members("hr") == ["carol@momoflow.test", "zoe@momoflow.test"]


def test_members_are_capped(directory, monkeypatch):
    monkeypatch.setattr("momoflow.directory.ldap.MAX_GROUP_MEMBERS", 2)
    assert directory.group_members("finance-approvers") == ["alice@momoflow.test", "bob@momoflow.test"]


def test_a_directory_that_is_down_raises(slapd):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    down = LdapDirectory(f"ldap://127.0.0.1:{port}", slapd.bind_dn, slapd.bind_password, slapd.base_dn,
                         attribute_map("openldap"), timeout=1)
    with pytest.raises(DirectoryUnavailable):
        down.group_members("hr")


def test_a_member_read_failing_midway_raises_instead_of_a_partial_list(directory, monkeypatch):
    search = directory._search

    def members_unreadable(*args, **kwargs):
        if kwargs.get("base"):
            raise DirectoryUnavailable("down")
        return search(*args, **kwargs)

    monkeypatch.setattr(directory, "_search", members_unreadable)
    with pytest.raises(DirectoryUnavailable):
        directory.group_members("hr")


def test_the_local_directory_has_no_groups(app):
    assert LocalDirectory().group_members("hr") is None


def test_groups_are_searched_under_their_own_base(slapd):
    def directory_with(group_base_dn):
        return LdapDirectory(slapd.url, slapd.bind_dn, slapd.bind_password, slapd.base_dn,
                             attribute_map("openldap"), 3, group_base_dn)

    assert directory_with(f"ou=groups,{slapd.base_dn}").group_members("hr") == [
        "carol@momoflow.test", "zoe@momoflow.test"]
    assert directory_with(f"ou=people,{slapd.base_dn}").group_members("hr") is None


def test_the_group_base_comes_from_the_config(slapd):
    config = {"LDAP_URL": slapd.url, "LDAP_BIND_DN": slapd.bind_dn, "LDAP_BIND_PASSWORD": slapd.bind_password,
              "LDAP_BASE_DN": slapd.base_dn, "LDAP_FLAVOR": "openldap", "LDAP_ATTRIBUTE_MAP": None,
              "LDAP_TIMEOUT": 3}
    assert LdapDirectory.from_config(config).group_base_dn == slapd.base_dn
    config["LDAP_GROUP_BASE_DN"] = "ou=groups,dc=momoflow,dc=test"
    assert LdapDirectory.from_config(config).group_base_dn == "ou=groups,dc=momoflow,dc=test"


# --- groups within groups ----------------------------------------------------------------


def test_nested_groups_people_count_each_once_and_a_cycle_ends(directory):
    # engineering → platform → sre → engineering again; alice is in two of them.
    assert directory.group_members("engineering") == [
        "alice@momoflow.test", "bob@momoflow.test", "carol@momoflow.test"]
    assert directory.group_members("sre") == ["carol@momoflow.test", "alice@momoflow.test", "bob@momoflow.test"]


def test_nesting_is_followed_only_so_deep(directory, monkeypatch):
    monkeypatch.setattr("momoflow.directory.ldap.MAX_NESTING", 2)
    assert directory.group_members("engineering") == ["alice@momoflow.test", "bob@momoflow.test"]


def test_the_ad_flavor_asks_for_members_in_chain_then_walks_where_that_finds_none(slapd):
    # slapd knows no memberOf in-chain rule: the search finds nobody, so the walk answers,
    # as it would on an AD whose rule is switched off (LDAP_ATTRIBUTE_MAP nested=walk).
    ad = ldap_directory(slapd, "ad", user_filter="(objectClass=inetOrgPerson)")
    ad.attributes["group_filter"] = "(objectClass=groupOfNames)"
    assert ad.attributes["nested"] == "in_chain"
    assert ad.group_members("engineering") == ["alice@momoflow.test", "bob@momoflow.test", "carol@momoflow.test"]


def test_the_in_chain_filter_escapes_the_groups_dn():
    attributes = attribute_map("ad")
    assert in_chain_filter(attributes, "CN=Ops (Night) *,OU=Groups,DC=corp") == (
        f"(&{attributes['user_filter']}(memberOf:1.2.840.113556.1.4.1941:="
        "CN=Ops \\28Night\\29 \\2a,OU=Groups,DC=corp))")
