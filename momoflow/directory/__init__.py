"""The company directory: one interface, two backends.

``LdapDirectory`` talks to OpenLDAP or Active Directory; ``LocalDirectory`` serves the
organisation's local accounts from the database (seeded from a file by ``seed-demo``).
Both answer ``lookup(email)`` and ``authenticate(email, password)`` with a ``Person``
or None (with their manager's email where the directory names one), and
``search(text, limit)`` with a list of them (the autocomplete, managers left out), and
``group_members(name)`` with the emails of a directory group's people (None: no such group); they raise
``DirectoryUnavailable`` when they cannot answer at all.
"""

from dataclasses import dataclass

from flask import current_app

from momoflow.errors import ServiceUnavailable


@dataclass(frozen=True)
class Person:
    email: str
    display_name: str
    designation: str | None = None
    department: str | None = None
    manager_email: str | None = None  # the directory's ``manager``, as an email


class DirectoryUnavailable(ServiceUnavailable):
    def __init__(self, detail=None):
        super().__init__("The company directory is not reachable right now. Please try again in a minute.")
        self.detail = detail


def init_directory(app):
    if app.config["LDAP_URL"]:
        from momoflow.directory.ldap import LdapDirectory

        directory = LdapDirectory.from_config(app.config)
    else:
        from momoflow.directory.local import LocalDirectory

        directory = LocalDirectory()
    app.extensions["momoflow.directory"] = directory


def get_directory():
    return current_app.extensions["momoflow.directory"]
