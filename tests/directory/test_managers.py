"""Managers from the directory: LDAP's ``manager`` DN read as an email, the local
directory's ``manager`` (the demo file), and provisioning that links ``User.manager_id``."""

import pytest

from momoflow.accounts.models import User
from momoflow.accounts.services import provision_user
from momoflow.demo.seed import seed_demo
from momoflow.directory.local import LocalDirectory
from tests.directory.test_ldap import ldap_directory
from tests.factories import make_org, make_user


@pytest.fixture
def directory(slapd):
    return ldap_directory(slapd)


@pytest.fixture
def org(db, app, monkeypatch, directory):
    organization = make_org(slug="ldap-managers")
    monkeypatch.setitem(app.config, "DIRECTORY_ORG", "ldap-managers")
    monkeypatch.setitem(app.extensions, "momoflow.directory", directory)
    return organization


# --- LDAP ---------------------------------------------------------------------------


def test_the_manager_dn_is_read_as_an_email(directory):
    assert directory.lookup("alice@momoflow.test").manager_email == "dave@momoflow.test"
    assert directory.lookup("bob@momoflow.test").manager_email == "alice@momoflow.test"


def test_a_manager_dn_with_escaped_characters_is_read(directory):
    assert directory.lookup("zoe@momoflow.test").manager_email == "boss@momoflow.test"  # normalised


@pytest.mark.parametrize("email", [
    "carol@momoflow.test",  # names an entry that does not exist
    "nasty@momoflow.test",  # names an entry that is not a person (the service account)
    "mallory@momoflow.test",  # names herself
    "boss@momoflow.test",  # names nobody
])
def test_a_missing_or_unusable_manager_is_none(directory, email):
    person = directory.lookup(email)
    assert person is not None and person.manager_email is None


def test_the_manager_attribute_is_part_of_the_attribute_map(slapd):
    directory = ldap_directory(slapd, manager="secretary")  # an attribute nobody here has
    assert directory.lookup("alice@momoflow.test").manager_email is None


def test_a_lookup_costs_one_search_and_one_manager_read(directory, monkeypatch):
    calls = []
    search = directory._search
    monkeypatch.setattr(directory, "_search", lambda *a, **k: calls.append(k.get("base")) or search(*a, **k))
    directory.lookup("alice@momoflow.test")
    assert calls == [None, "uid=dave,ou=people,dc=momoflow,dc=test"]
    calls.clear()
    directory.search("al")
    assert calls == [None]  # the autocomplete reads no managers


def test_a_malformed_manager_dn_is_none_and_never_sent(directory, monkeypatch):
    sent = []
    search = directory._search
    monkeypatch.setattr(directory, "_search", lambda *a, **k: sent.append(k.get("base")) or search(*a, **k))
    assert directory._manager_email("uid=x,,)(=*", "uid=alice") is None
    assert sent == []


def test_an_unreachable_manager_read_is_none(directory, monkeypatch):
    from momoflow.directory import DirectoryUnavailable

    def refuse(*args, **kwargs):
        raise DirectoryUnavailable("down")

    monkeypatch.setattr(directory, "_search", refuse)
    assert directory._manager_email("uid=dave,ou=people,dc=momoflow,dc=test", "uid=alice") is None


# --- provisioning ----------------------------------------------------------------------


def test_provisioning_links_the_manager_and_provisions_them_one_level_only(db, org):
    bob = provision_user("bob@momoflow.test", org)
    alice = db.session.scalar(db.select(User).where(User.email == "alice@momoflow.test"))
    assert bob.manager_id == alice.id
    assert alice.manager_id is None  # alice's own manager (dave) waits for her own refresh
    assert db.session.scalar(db.select(User).where(User.email == "dave@momoflow.test")) is None


def test_a_known_manager_is_linked_without_asking_again(db, org):
    dave = provision_user("dave@momoflow.test", org)
    alice = provision_user("alice@momoflow.test", org)
    assert alice.manager_id == dave.id


def test_a_refresh_links_the_manager_it_had_left(db, org):
    provision_user("bob@momoflow.test", org)
    alice = db.session.scalar(db.select(User).where(User.email == "alice@momoflow.test"))
    alice.synced_at = None
    db.session.flush()
    assert provision_user("alice@momoflow.test", org).manager_id is not None


@pytest.mark.parametrize("email", ["carol@momoflow.test", "mallory@momoflow.test", "nasty@momoflow.test"])
def test_no_usable_manager_is_none(db, org, email):
    assert provision_user(email, org).manager_id is None


def test_a_manager_of_another_organisation_is_not_linked(db, org):
    make_user(make_org(), email="alice@momoflow.test")  # the same address, elsewhere
    assert provision_user("bob@momoflow.test", org).manager_id is None


# --- the local directory (the demo file) ---------------------------------------------------


def test_the_demo_seed_links_managers(db):
    _, people = seed_demo()
    by_email = {person.email: person for person in people}
    employee, manager = by_email["employee@company.com"], by_email["manager@royalenfield.com"]
    assert employee.manager_id == manager.id
    assert manager.manager_id == by_email["director@royalenfield.com"].id
    assert by_email["vp@royalenfield.com"].manager_id is None
    assert all(person.manager_id != person.id for person in people)
    seed_demo()  # idempotent
    assert employee.manager_id == manager.id


def test_the_local_directory_names_the_manager(db):
    seed_demo()
    assert LocalDirectory().lookup("employee@company.com").manager_email == "manager@royalenfield.com"
    assert LocalDirectory().lookup("vp@royalenfield.com").manager_email is None


def test_a_manager_outside_the_file_or_the_person_themself_is_none(db, tmp_path):
    import json

    from momoflow.demo.seed import PEOPLE_FILE

    data = json.loads(PEOPLE_FILE.read_text())
    data["people"][0]["manager"] = "nobody@nowhere.test"
    data["people"][1]["manager"] = data["people"][1]["email"]
    path = tmp_path / "people.json"
    path.write_text(json.dumps(data))
    _, people = seed_demo(path)
    assert people[0].manager_id is None and people[1].manager_id is None


def test_a_template_walk_up_the_chain_reads_the_links_provisioning_left(db, org):
    """bob → alice → dave → mallory: provisioning bob links alice only; walking the chain
    reads alice and dave again, once each, and finds the rest."""
    from momoflow.request_templates.resolution import management_chain

    bob = provision_user("bob@momoflow.test", org)
    assert [person.email for person in management_chain(bob)] == [
        "alice@momoflow.test", "dave@momoflow.test", "mallory@momoflow.test"]
    assert [person.email for person in management_chain(bob, depth=1)] == ["alice@momoflow.test"]
