"""LdapDirectory and provisioning against a real OpenLDAP server (tests/ldap_server.py)."""

import socket
import threading
import time

import pytest

from momoflow.accounts.models import Source, User
from momoflow.accounts.services import provision_user, sign_in
from momoflow.directory import DirectoryUnavailable, Person
from momoflow.directory.ldap import LdapDirectory, attribute_map
from momoflow.errors import Unauthorized
from tests.factories import make_org, make_user
from tests.ldap_server import USER_PASSWORD

NASTY_CN = "Star * (Paren) \\ Back"


def ldap_directory(slapd, flavor="openldap", timeout=3, **overrides):
    attributes = attribute_map(flavor)
    attributes.update(overrides)
    return LdapDirectory(slapd.url, slapd.bind_dn, slapd.bind_password, slapd.base_dn, attributes, timeout)


@pytest.fixture
def directory(slapd):
    return ldap_directory(slapd)


@pytest.fixture
def ad_directory(slapd):
    # AD's attribute map; only the people filter is OpenLDAP's, since slapd has no objectCategory.
    return ldap_directory(slapd, "ad", user_filter="(objectClass=inetOrgPerson)")


@pytest.fixture
def org(db, app, monkeypatch, directory):
    """The organisation the directory serves, with the LDAP directory installed on the app."""
    organization = make_org(slug="ldap-co")
    monkeypatch.setitem(app.config, "DIRECTORY_ORG", "ldap-co")
    monkeypatch.setitem(app.extensions, "momoflow.directory", directory)
    return organization


# --- lookup -----------------------------------------------------------------------


def test_lookup_maps_openldap_attributes(directory):
    assert directory.lookup("alice@momoflow.test") == Person(
        "alice@momoflow.test", "Alice Approver", "Manager", "Finance", "dave@momoflow.test")


def test_lookup_of_missing_details_gives_none(directory):
    assert directory.lookup("carol@momoflow.test") == Person("carol@momoflow.test", "Carol Nodetails", None, None)


def test_lookup_keeps_special_and_non_ascii_names(directory):
    assert directory.lookup("nasty@momoflow.test").display_name == NASTY_CN
    zoe = directory.lookup("zoe@momoflow.test")
    assert (zoe.display_name, zoe.designation, zoe.department) == ("Zoë Ñúñez-Østergård", "Directrice", "Ventes")


def test_lookup_is_case_insensitive(directory):
    assert directory.lookup("ALICE@MomoFlow.test").email == "alice@momoflow.test"


def test_unknown_email_is_none(directory):
    assert directory.lookup("ghost@momoflow.test") is None


@pytest.mark.parametrize("attack", [
    "*", "*)(mail=*", "*)(|(mail=*)", "alice@momoflow.test)(mail=*", "*@momoflow.test",
    "\\2a", "alice*", "*)(objectClass=*))(|(mail=*",
])
def test_filter_injection_finds_nobody(directory, attack):
    assert directory.lookup(attack) is None
    assert directory.authenticate(attack, USER_PASSWORD) is None


def test_filter_values_are_escaped(directory):
    assert directory.search_filter("*)(mail=*") == (
        "(&(objectClass=inetOrgPerson)(|(mail=\\2a\\29\\28mail=\\2a)))")


def test_ad_attribute_map(ad_directory):
    assert ad_directory.lookup("dave@momoflow.test") == Person(
        "dave@momoflow.test", "Dave Directory", "Vice President", "Legal", "mallory@momoflow.test")


def test_ad_people_can_be_found_by_user_principal_name(ad_directory):
    assert ad_directory.lookup("dave.upn@corp.momoflow.test").email == "dave@momoflow.test"
    assert ad_directory.authenticate("dave.upn@corp.momoflow.test", USER_PASSWORD).email == "dave@momoflow.test"


def test_attribute_map_overrides_and_errors():
    assert attribute_map("openldap", "name=displayName")["name"] == "displayName"
    with pytest.raises(ValueError):
        attribute_map("openldap", "colour=blue")
    with pytest.raises(ValueError):
        attribute_map("novell")


# --- authentication ------------------------------------------------------------------


def test_authenticate_binds_as_the_person(directory):
    assert directory.authenticate("alice@momoflow.test", USER_PASSWORD).display_name == "Alice Approver"


@pytest.mark.parametrize("password", ["wrong", "", None, USER_PASSWORD.upper()])
def test_authenticate_refuses_wrong_or_empty_password(directory, password):
    assert directory.authenticate("alice@momoflow.test", password) is None


def test_authenticate_unknown_person(directory):
    assert directory.authenticate("ghost@momoflow.test", USER_PASSWORD) is None


def test_connection_is_reused(directory):
    directory.lookup("alice@momoflow.test")
    first = directory._connection
    directory.lookup("bob@momoflow.test")
    assert directory._connection is first


# --- provisioning --------------------------------------------------------------------


def test_provision_creates_a_directory_user(db, org):
    user = provision_user("Alice@MomoFlow.test", org)
    db.session.flush()
    assert (user.email, user.display_name, user.designation, user.department) == (
        "alice@momoflow.test", "Alice Approver", "Manager", "Finance")
    assert user.source == Source.DIRECTORY and user.organization_id == org.id
    assert user.password_hash is None


def test_provision_twice_keeps_one_record(db, org):
    first = provision_user("bob@momoflow.test", org)
    db.session.flush()
    assert provision_user("bob@momoflow.test", org) is first
    assert db.session.query(User).filter_by(email="bob@momoflow.test").count() == 1


def test_provision_refreshes_stale_details(db, app, org):
    user = provision_user("zoe@momoflow.test", org)
    user.display_name, user.synced_at = "Old Name", None
    db.session.flush()
    assert provision_user("zoe@momoflow.test", org).display_name == "Zoë Ñúñez-Østergård"


def test_provision_deactivates_people_who_left_the_directory(db, org):
    user = make_user(org, email="left@momoflow.test", source=Source.DIRECTORY)
    assert provision_user("left@momoflow.test", org) is None
    assert user.active is False


def test_provision_unknown_or_invalid_email_is_none(db, org):
    assert provision_user("ghost@momoflow.test", org) is None
    assert provision_user("*)(mail=*", org) is None


def test_provision_never_crosses_organisations(db, org):
    other = make_org()
    make_user(other, email="outsider@elsewhere.com")
    assert provision_user("outsider@elsewhere.com", org) is None
    assert provision_user("alice@momoflow.test", other) is None


def test_sign_in_provisions_on_first_login(db, org):
    user = sign_in("alice@momoflow.test", USER_PASSWORD)
    assert user.source == Source.DIRECTORY and user.last_login_at is not None


def test_sign_in_with_wrong_directory_password(db, org):
    with pytest.raises(Unauthorized):
        sign_in("alice@momoflow.test", "wrong")
    assert db.session.query(User).filter_by(email="alice@momoflow.test").count() == 0


def test_api_login_for_an_ldap_person(client, org):
    response = client.post("/api/v1/auth/login", json={"email": "dave@momoflow.test", "password": USER_PASSWORD})
    assert response.status_code == 200, response.get_json()
    user = response.get_json()["data"]["user"]
    assert (user["email"], user["displayName"]) == ("dave@momoflow.test", "dave")  # OpenLDAP map: cn
    token = response.get_json()["data"]["token"]
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_api_login_injection_attempt_finds_nobody(client, org):
    response = client.post("/api/v1/auth/login", json={"email": "*)(mail=*", "password": "x"})
    assert response.status_code == 400
    response = client.post("/api/v1/auth/login", json={"email": "*@momoflow.test", "password": USER_PASSWORD})
    assert response.status_code == 401


# --- the autocomplete -----------------------------------------------------------------


def test_search_matches_the_start_of_email_or_name(directory):
    assert [person.email for person in directory.search("ali")] == ["alice@momoflow.test"]
    assert [person.email for person in directory.search("Bob B")] == ["bob@momoflow.test"]
    assert directory.search("lice") == []  # prefixes only: what AD can answer from an index


def test_search_values_are_escaped(directory):
    assert [person.email for person in directory.search("Star * (Paren")] == ["nasty@momoflow.test"]
    assert directory.search("*") == [] and directory.search(")(mail=*") == []  # literal, not wildcards


def test_search_stops_at_its_limit(directory):
    assert len(directory.search("", limit=2)) == 2


def test_autocomplete_adds_directory_people_not_known_yet(db, org):
    from momoflow.accounts.search import search_people

    provision_user("alice@momoflow.test", org)
    assert [(type(p).__name__, p.email) for p in search_people(org, "alice")] == [("User", "alice@momoflow.test")]
    assert [(type(p).__name__, p.display_name) for p in search_people(org, "bob")] == [("Person", "Bob Builder")]
    assert search_people(make_org(), "bob") == []  # the directory is one organisation's only


def test_autocomplete_without_the_directory_keeps_known_people(slapd, db, org, directory):
    from momoflow.accounts.search import search_people

    provision_user("alice@momoflow.test", org)
    slapd.stop()
    try:
        assert [person.email for person in search_people(org, "al")] == ["alice@momoflow.test"]
    finally:
        slapd.start()
    # Searches pause for a while after a failure (sign-ins and lookups do not).
    assert search_people(org, "bob") == []
    assert directory.lookup("bob@momoflow.test") is not None


# --- a directory that is down or slow -------------------------------------------------


def test_stopped_server_is_a_clear_error(slapd, directory, db, org, client):
    directory.lookup("alice@momoflow.test")  # holds a live connection that will break
    slapd.stop()
    try:
        started = time.monotonic()
        with pytest.raises(DirectoryUnavailable):
            directory.lookup("alice@momoflow.test")
        assert time.monotonic() - started < 5
        response = client.post("/api/v1/auth/login", json={"email": "bob@momoflow.test", "password": USER_PASSWORD})
        assert response.status_code == 503
        assert response.get_json()["details"] == (
            "The company directory is not reachable right now. Please try again in a minute.")
    finally:
        slapd.start()
    assert directory.lookup("alice@momoflow.test") is not None  # reconnects by itself


def test_known_people_are_served_from_the_database_while_the_directory_is_down(slapd, db, org):
    user = provision_user("alice@momoflow.test", org)
    user.synced_at = None  # due for a refresh
    db.session.flush()
    slapd.stop()
    try:
        assert provision_user("alice@momoflow.test", org) is user
    finally:
        slapd.start()


@pytest.fixture
def silent_server():
    """A loopback TCP server that accepts connections and never answers: a hung directory."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"ldap://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_hung_server_times_out_with_a_clear_error(silent_server, slapd):
    directory = LdapDirectory(silent_server, slapd.bind_dn, slapd.bind_password, slapd.base_dn,
                              attribute_map("openldap"), timeout=1)
    started = time.monotonic()
    with pytest.raises(DirectoryUnavailable):
        directory.lookup("alice@momoflow.test")
    assert time.monotonic() - started < 6


def test_the_tick_notices_an_approver_who_left_the_directory_and_moves_their_tasks(db, org, app):
    from datetime import timedelta

    from momoflow.accounts.services import refresh_approvers
    from momoflow.database import utcnow
    from momoflow.workflows import services
    from momoflow.workflows.models import ApprovalTask, TaskStatus
    from momoflow.workflows.validation import parse_new_request
    from tests.workflows.conftest import simple_request

    initiator = provision_user("bob@momoflow.test", org)
    manager = provision_user("alice@momoflow.test", org)
    gone = make_user(org, email="left@momoflow.test", source=Source.DIRECTORY)
    gone.synced_at, gone.manager_id = utcnow(), manager.id
    request = services.create_request(initiator, parse_new_request(simple_request("left@momoflow.test")))
    db.session.flush()
    assert refresh_approvers(utcnow()) == 0  # read recently: left alone
    later = utcnow() + timedelta(seconds=app.config["DIRECTORY_REFRESH_SECONDS"] + 1)
    assert refresh_approvers(later) == 1
    assert gone.active is False
    tasks = db.session.scalars(db.select(ApprovalTask).where(ApprovalTask.request_id == request.id)
                               .order_by(ApprovalTask.created_at)).all()
    assert [(t.assignee_id, t.status) for t in tasks] == [(gone.id, TaskStatus.REASSIGNED),
                                                          (manager.id, TaskStatus.PENDING)]
    assert refresh_approvers(later) == 1 and manager.active  # Alice holds it now: read, and still there
