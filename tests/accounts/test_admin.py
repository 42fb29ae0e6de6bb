"""accounts.admin: deactivating and reactivating people, and leaving the directory."""

import pytest
import sqlalchemy as sa

from momoflow.accounts import admin
from momoflow.accounts.models import Role, Source, User
from momoflow.accounts.services import provision_user
from momoflow.errors import Conflict, DomainError, Forbidden, NotFound
from momoflow.events import Event
from momoflow.workflows import continuity
from tests.factories import make_org, make_user
from tests.notifications.test_audience import emailed, heard, relay

ADMIN = "admin@company.com"
MANAGER = "manager@royalenfield.com"
EMPLOYEE = "employee@company.com"


def events(kind):
    return admin.db.session.scalars(sa.select(Event).where(Event.type == kind)).all()


def test_deactivating_ends_sign_ins_records_the_event_and_tells_the_other_admins(db, demo):
    other_admin = make_user(demo[ADMIN].organization, email="second-admin@company.com", role=Role.ADMIN)
    person = demo[MANAGER]
    version = person.auth_version
    admin.deactivate(demo[ADMIN], person)
    assert not person.active and person.auth_version == version + 1
    [event] = events("person.deactivated")
    assert event.subject_id == person.id and event.actor_id == demo[ADMIN].id
    assert event.payload == {"email": MANAGER, "name": person.display_name,
                             "deactivatedBy": {"email": ADMIN, "name": demo[ADMIN].display_name}}
    relay(db)
    # The actor is not told of their own act; the deactivated person is inactive and hears nothing.
    assert heard("person.deactivated") == [other_admin.email]
    assert emailed("person.deactivated") == [other_admin.email]


def test_reactivating_lets_them_back_and_tells_the_admins(db, demo):
    other_admin = make_user(demo[ADMIN].organization, email="second-admin@company.com", role=Role.ADMIN)
    person = demo[EMPLOYEE]
    admin.deactivate(other_admin, person)
    admin.reactivate(demo[ADMIN], person)
    assert person.active
    [event] = events("person.reactivated")
    assert event.payload["reactivatedBy"] == {"email": ADMIN, "name": demo[ADMIN].display_name}
    relay(db)
    assert heard("person.reactivated") == [other_admin.email]


def test_refusals(db, demo):
    with pytest.raises(DomainError, match=admin.NOT_YOURSELF):
        admin.deactivate(demo[ADMIN], demo[ADMIN])
    with pytest.raises(Forbidden):
        admin.deactivate(demo[MANAGER], demo[EMPLOYEE])
    with pytest.raises(NotFound):
        admin.deactivate(demo[ADMIN], make_user(make_org()))
    admin.deactivate(demo[ADMIN], demo[EMPLOYEE])
    with pytest.raises(Conflict, match=admin.ALREADY_INACTIVE):
        admin.deactivate(demo[ADMIN], demo[EMPLOYEE])
    with pytest.raises(Conflict, match=admin.ALREADY_ACTIVE):
        admin.reactivate(demo[ADMIN], demo[MANAGER])
    assert len(events("person.deactivated")) == 1


def test_the_last_active_admin_stays(db, demo):
    """Two admins deactivating each other at once: the second request, which loaded its
    actor before the first committed, finds the change once it may go on and is refused,
    so one admin always remains."""
    second = make_user(demo[ADMIN].organization, email="second-admin@company.com", role=Role.ADMIN)
    # The other request's change, behind this session's back (``second`` still looks active).
    db.session.execute(sa.update(User).where(User.id == second.id).values(active=False),
                       execution_options={"synchronize_session": False})
    assert second.active
    with pytest.raises(Conflict, match=admin.LAST_ADMIN):
        admin.deactivate(second, demo[ADMIN])
    assert demo[ADMIN].active


def test_find_person_is_404_for_other_organisations_and_bad_addresses(db, demo):
    stranger = make_user(make_org(), email="stranger@elsewhere.example")
    assert admin.find_person(demo[ADMIN], "Manager@RoyalEnfield.com") is demo[MANAGER]
    for email in (stranger.email, "nobody@company.com", "not an email", "\ud800@x.com"):
        with pytest.raises(NotFound):
            admin.find_person(demo[ADMIN], email)


class Spy:
    """Records continuity.person_left's calls and then runs it (failure-injection style)."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def __call__(self, person, actor, now):
        self.calls.append((person, actor, now))
        return self.real(person, actor, now)


def test_leaving_the_directory_deactivates_and_hands_the_tasks_on(db, demo, monkeypatch):
    spy = Spy(continuity.person_left)
    monkeypatch.setattr(continuity, "person_left", spy)
    gone = make_user(demo[ADMIN].organization, email="gone@company.com", source=Source.DIRECTORY, synced_at=None)
    assert provision_user(gone.email) is None  # the local directory does not have them
    assert not db.session.get(User, gone.id).active
    [(person, actor, now)] = spy.calls
    assert person is gone and actor is None and now is not None
    [event] = events("person.deactivated")
    assert event.actor_id is None and event.payload["deactivatedBy"] is None
    relay(db)
    assert heard("person.deactivated") == [ADMIN]


def test_deactivation_by_an_admin_goes_through_continuity_too(db, demo, monkeypatch):
    spy = Spy(continuity.person_left)
    monkeypatch.setattr(continuity, "person_left", spy)
    admin.deactivate(demo[ADMIN], demo[MANAGER])
    [(person, actor, _)] = spy.calls
    assert person is demo[MANAGER] and actor is demo[ADMIN] and not person.active  # already inactive when called
