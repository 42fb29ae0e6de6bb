"""Smoke test for the throwaway slapd in tests/ldap_server.py."""

import time

import ldap3
import pytest
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from tests.ldap_server import SlapdServer, slapd_available

pytestmark = pytest.mark.skipif(
    not slapd_available(), reason="OpenLDAP slapd not installed (apt-get install slapd ldap-utils)"
)

NASTY_CN = "Star * (Paren) \\ Back"
ATTRS = ["cn", "mail", "title", "departmentNumber", "displayName", "department", "userPrincipalName"]


@pytest.fixture(scope="module")
def slapd(tmp_path_factory):
    server = SlapdServer(tmp_path_factory.mktemp("slapd"))
    server.start()
    yield server
    server.stop()


def connect(server, user=None, password=None):
    return ldap3.Connection(
        ldap3.Server(server.url, connect_timeout=2, get_info=ldap3.NONE),
        user or server.bind_dn,
        password or server.bind_password,
        receive_timeout=5,
    )


def find(server, flt):
    conn = connect(server)
    assert conn.bind(), conn.result
    conn.search(server.base_dn, flt, attributes=ATTRS)
    entries = list(conn.entries)
    conn.unbind()
    return entries


def test_openldap_style_person(slapd):
    assert slapd.url.startswith("ldap://127.0.0.1:")
    (alice,) = find(slapd, "(mail=alice@momoflow.test)")
    assert alice.cn.value == "Alice Approver"
    assert alice.title.value == "Manager"
    assert alice.departmentNumber.value == "Finance"


def test_ad_style_person(slapd):
    (dave,) = find(slapd, "(mail=dave@momoflow.test)")
    assert dave.cn.value == "dave"
    assert dave.displayName.value == "Dave Directory"
    assert dave.department.value == "Legal"
    assert dave.userPrincipalName.value == "dave.upn@corp.momoflow.test"
    assert find(slapd, "(userPrincipalName=DAVE.UPN@corp.momoflow.test)")  # caseIgnoreMatch


def test_user_bind(slapd):
    alice_dn = "uid=alice,ou=people,dc=momoflow,dc=test"
    alice = connect(slapd, alice_dn, "ldap-pass-123")
    assert alice.bind()
    # a user can find only themselves
    assert alice.search(slapd.base_dn, "(mail=alice@momoflow.test)", attributes=["cn"])
    assert not alice.search(slapd.base_dn, "(mail=bob@momoflow.test)")
    wrong = connect(slapd, alice_dn, "wrong-password")
    assert not wrong.bind()
    assert wrong.result["description"] == "invalidCredentials"


def test_anonymous_sees_nothing(slapd):
    conn = ldap3.Connection(ldap3.Server(slapd.url, get_info=ldap3.NONE), auto_bind=True)
    conn.search(slapd.base_dn, "(mail=*)", attributes=ATTRS)
    assert conn.entries == []


def test_non_ascii_and_metacharacter_names_round_trip(slapd):
    (zoe,) = find(slapd, "(mail=zoe@momoflow.test)")
    assert zoe.cn.value == "Zoë Ñúñez-Østergård"
    (zoe_by_cn,) = find(slapd, f"(cn={escape_filter_chars('Zoë Ñúñez-Østergård')})")
    assert zoe_by_cn.mail.value == "zoe@momoflow.test"
    (nasty,) = find(slapd, f"(cn={escape_filter_chars(NASTY_CN)})")
    assert nasty.mail.value == "nasty@momoflow.test"
    assert nasty.cn.value == NASTY_CN


def test_escaped_filter_injection_matches_nothing(slapd):
    assert find(slapd, f"(mail={escape_filter_chars('*)(mail=*')})") == []
    assert len(find(slapd, "(mail=*)")) == 8  # sanity: unescaped wildcard does match


def test_restart_keeps_port_and_data_and_stop_closes_port(tmp_path):
    server = SlapdServer(tmp_path)
    t0 = time.monotonic()
    server.start()
    assert time.monotonic() - t0 < 10
    url = server.url
    server.restart()
    assert server.running and server.url == url
    assert find(server, "(mail=bob@momoflow.test)")

    server.stop()
    assert not server.running
    t0 = time.monotonic()
    with pytest.raises(LDAPException):
        connect(server).bind()
    assert time.monotonic() - t0 < 3
