"""The directory autocomplete's search: who matches, who never does, and literal input."""

from momoflow.accounts.search import escape_like, search_people
from tests.factories import make_org, make_user


def emails(people):
    return [person.email for person in people]


def test_matches_email_prefix_and_the_start_of_any_name_word(db):
    org = make_org()
    make_user(org, email="kavita.rao@corp.example", display_name="Kavita Rao")
    make_user(org, email="raj@corp.example", display_name="Rajesh Iyer")
    make_user(org, email="arjun@corp.example", display_name="Arjun Mehta")
    assert emails(search_people(org, "KAV")) == ["kavita.rao@corp.example"]
    assert emails(search_people(org, "ra")) == ["kavita.rao@corp.example", "raj@corp.example"]
    assert emails(search_people(org, "mehta")) == ["arjun@corp.example"]
    assert emails(search_people(org, "ehta")) == []  # not the middle of a word
    assert search_people(org, "   ") == [] and search_people(org, None) == []


def test_only_active_people_of_the_same_organisation(db):
    org, other = make_org(), make_org()
    make_user(org, email="sam@one.example", display_name="Sam One")
    make_user(org, email="sam.gone@one.example", display_name="Sam Gone", active=False)
    make_user(other, email="sam@two.example", display_name="Sam Two")
    assert emails(search_people(org, "sam")) == ["sam@one.example"]


def test_like_wildcards_in_the_input_are_literal(db):
    org = make_org()
    make_user(org, email="a_b@corp.example", display_name="Under Score")
    make_user(org, email="axb@corp.example", display_name="Ex Ample")
    make_user(org, email="100%sure@corp.example", display_name="Per Cent")
    assert emails(search_people(org, "a_")) == ["a_b@corp.example"]
    assert emails(search_people(org, "%")) == []
    assert emails(search_people(org, "100%")) == ["100%sure@corp.example"]
    assert emails(search_people(org, "\\")) == []
    assert escape_like("50%_\\") == "50\\%\\_\\\\"


def test_limit_and_order_by_name(db):
    org = make_org()
    for letter in "hgfedcba":
        make_user(org, email=f"{letter}.team@corp.example", display_name=f"Team {letter.upper()}")
    found = search_people(org, "team", limit=3)
    assert [person.display_name for person in found] == ["Team A", "Team B", "Team C"]


def test_nul_characters_are_ignored(db):
    org = make_org()
    make_user(org, email="nul.tester@example.com", display_name="Nul Tester")
    assert emails(search_people(org, "nul\x00")) == ["nul.tester@example.com"]


def test_the_search_page_is_rate_limited_per_person(client, db, login_as):
    login_as(make_user(make_org()))
    statuses = [client.get("/people/search?q=ab").status_code for _ in range(241)]
    assert statuses[:240] == [200] * 240 and statuses[240] == 429
