"""People kept in our own database: the embedded default, and local accounts anywhere."""

from momoflow.accounts.models import Source, User
from momoflow.accounts.passwords import check_password
from momoflow.directory import Person
from momoflow.extensions import db


class LocalDirectory:
    kind = "local"

    def lookup(self, email):
        user = self._local_user(email)
        return person_from_user(user) if user else None

    def search(self, text, limit=8):
        """Nothing beyond our own table, which ``accounts.search`` already reads."""
        return []

    def group_members(self, name):
        """None: the local directory has no groups of its own (admins' local groups live in
        ``momoflow.groups``)."""
        return None

    def group_names(self, limit=None):
        return []

    def authenticate(self, email, password):
        user = self._local_user(email)
        return person_from_user(user) if check_password(user, password) else None

    @staticmethod
    def _local_user(email):
        return db.session.scalar(
            db.select(User).where(User.email == email, User.source == Source.LOCAL, User.active)
        )


def person_from_user(user):
    manager = db.session.get(User, user.manager_id) if user.manager_id else None
    return Person(user.email, user.display_name, user.designation, user.department,
                  manager.email if manager else None)
