"""OpenLDAP and Active Directory through ldap3.

Lookups search under the base DN with a service account over one reused connection;
authentication finds the person's DN the same way and then binds as that DN with the
given password on a fresh connection. Every value put into a filter is escaped.
A person's ``manager`` is a DN; one more read of that entry (base scope) gives its email,
and so does each ``member`` DN of a group.
"""

import logging
import threading
import time

from ldap3 import BASE, NONE, SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import safe_dn

from momoflow.accounts.emails import normalize_email
from momoflow.directory import DirectoryUnavailable, Person

log = logging.getLogger(__name__)

INVALID_CREDENTIALS = 49
# After a failed autocomplete search, leave the directory alone this long: typing must
# not queue searches (each up to a timeout) in front of sign-ins and lookups.
SEARCH_PAUSE_SECONDS = 60
# Search results that are answers, not faults: success, size limit (ambiguous), no such base.
SEARCH_ANSWERS = {0, 4, 32}
# A group's members are read one entry each: an approval level needs no more people than this.
MAX_GROUP_MEMBERS = 100
MAX_NESTING = 5  # groups within groups, this many levels down
MAX_GROUP_NAMES = 500  # the group list offers no more of the directory's groups than this
# Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: memberOf through any number of nested groups.
IN_CHAIN = "1.2.840.113556.1.4.1941"

# What each kind of directory calls our fields. "login" lists the attributes an email
# may match (AD people often sign in with their userPrincipalName).
FLAVORS = {
    "openldap": {
        "email": "mail",
        "name": "cn",
        "designation": "title",
        "department": "departmentNumber",
        "manager": "manager",
        "login": "mail",
        "user_filter": "(objectClass=inetOrgPerson)",
        "group_filter": "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
        "group_name": "cn",
        "member": "member",
        "nested": "walk",  # nested groups: read member by member
    },
    "ad": {
        "email": "mail",
        "name": "displayName",
        "designation": "title",
        "department": "department",
        "manager": "manager",
        "login": "mail|userPrincipalName",
        # People only, and not disabled accounts (userAccountControl bit 2).
        "user_filter": "(&(objectCategory=person)(objectClass=user)"
        "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))",
        "group_filter": "(objectClass=group)",
        "group_name": "cn",
        "member": "member",
        "nested": "in_chain",  # one search through every nesting level (then "walk" if it finds none)
    },
}


def in_chain_filter(attributes, group_dn):
    """People who are members of ``group_dn`` directly or through nested groups (AD only)."""
    return f"(&{attributes['user_filter']}(memberOf:{IN_CHAIN}:={escape_filter_chars(group_dn)}))"


def _dn_key(dn):
    return str(dn).replace(" ", "").casefold()


def attribute_map(flavor, overrides=None):
    """The flavor's map with ``key=attribute,…`` overrides applied."""
    if flavor not in FLAVORS:
        raise ValueError(f"LDAP_FLAVOR must be one of {', '.join(FLAVORS)}, not {flavor!r}")
    mapping = dict(FLAVORS[flavor])
    for item in filter(None, (overrides or "").split(",")):
        key, _, value = item.partition("=")
        if key.strip() not in mapping or not value.strip():
            raise ValueError(f"LDAP_ATTRIBUTE_MAP: cannot use {item!r}; keys are {', '.join(mapping)}")
        mapping[key.strip()] = value.strip()
    return mapping


class LdapDirectory:
    kind = "ldap"

    def __init__(self, url, bind_dn, bind_password, base_dn, attributes, timeout=5, group_base_dn=None):
        self.base_dn = base_dn
        self.group_base_dn = group_base_dn or base_dn  # people and groups often live apart
        self.attributes = attributes
        self.timeout = timeout
        self._url = url
        self._bind_dn = bind_dn
        self._bind_password = bind_password
        self._server = self._new_server()
        self._connection = None
        self._lock = threading.Lock()
        self._search_resumes_at = 0.0

    @classmethod
    def from_config(cls, config):
        attributes = attribute_map(config["LDAP_FLAVOR"], config["LDAP_ATTRIBUTE_MAP"])
        if config.get("LDAP_USER_FILTER"):
            attributes["user_filter"] = config["LDAP_USER_FILTER"]
        return cls(config["LDAP_URL"], config["LDAP_BIND_DN"], config["LDAP_BIND_PASSWORD"],
                   config["LDAP_BASE_DN"], attributes, config["LDAP_TIMEOUT"], config.get("LDAP_GROUP_BASE_DN"))

    def lookup(self, email):
        found = self._find(email)
        return found[1] if found else None

    def authenticate(self, email, password):
        # An empty password is an "unauthenticated bind", which LDAP servers accept.
        if not password:
            return None
        found = self._find(email)
        if not found:
            return None
        dn, person = found
        connection = Connection(self._server, user=dn, password=password,
                                receive_timeout=self.timeout, raise_exceptions=False)
        try:
            bound = connection.bind()
        except LDAPException as exc:
            raise DirectoryUnavailable(str(exc)) from exc
        finally:
            connection.unbind()
        if not bound and connection.result.get("result") != INVALID_CREDENTIALS:
            log.warning("LDAP bind for %s refused: %s", dn, connection.result.get("description"))
        return person if bound else None

    def search(self, text, limit=8):
        """Up to ``limit`` people whose email or name starts with ``text``: the
        autocomplete, for people not provisioned here yet. Prefix matches only, which
        Active Directory can answer from its indexes."""
        if time.monotonic() < self._search_resumes_at:
            raise DirectoryUnavailable("autocomplete paused after a failed search")
        value = escape_filter_chars(text)
        email, name = self.attributes["email"], self.attributes["name"]
        search_filter = f"(&{self.attributes['user_filter']}(|({email}={value}*)({name}={value}*)))"
        try:
            entries = self._search(search_filter, self._wanted(), size_limit=limit)
        except DirectoryUnavailable:
            self._search_resumes_at = time.monotonic() + SEARCH_PAUSE_SECONDS
            raise
        people = (self._person(entry["attributes"]) for entry in entries)  # no manager reads while typing
        return [person for person in people if person.email]

    def group_members(self, name):
        """The emails of the people in the group called ``name`` (its ``group_name``
        attribute), nested groups' people included, at most ``MAX_GROUP_MEMBERS``; None when
        no such group (or several: never a guess). Members that are neither people nor
        groups (service accounts, disabled AD accounts, dangling DNs) are left out.

        Active Directory answers for the whole tree in one search (the matching rule in
        chain); elsewhere, and when AD finds nobody that way, members are read one entry
        each, breadth first, every group once (a cycle ends), ``MAX_NESTING`` levels deep."""
        value = escape_filter_chars(name)
        search_filter = f"(&{self.attributes['group_filter']}({self.attributes['group_name']}={value}))"
        entries = self._search(search_filter, [self.attributes["member"]], base=self.group_base_dn)
        if len(entries) != 1:
            if entries:
                log.warning("LDAP: %d groups are called %r; refusing to guess", len(entries), name)
            return None
        group = entries[0]
        in_chain = self.attributes.get("nested") == "in_chain"
        return (self._members_in_chain(group["dn"]) if in_chain else None) or self._walk(group)

    def group_names(self, limit=MAX_GROUP_NAMES):
        """The names of the directory's groups, at most ``limit``, by name (the group list)."""
        name = self.attributes["group_name"]
        entries = self._search(self.attributes["group_filter"], [name], size_limit=limit, base=self.group_base_dn)
        return sorted({found for entry in entries if (found := self._first(entry["attributes"], "group_name"))},
                      key=str.casefold)

    def _members_in_chain(self, group_dn):
        """AD's own answer for a group and its nested groups: people only, one search."""
        people = self._search(in_chain_filter(self.attributes, group_dn), [self.attributes["email"]],
                              size_limit=MAX_GROUP_MEMBERS)
        emails = []
        for entry in people:
            email = normalize_email(self._first(entry["attributes"], "email"))
            if email and email not in emails:
                emails.append(email)
        return emails

    def _walk(self, group):
        emails, seen, level, depth = [], {_dn_key(group["dn"])}, [group], 0
        while level and depth < MAX_NESTING and len(emails) < MAX_GROUP_MEMBERS:
            nested = []
            for entry in level:
                for dn in self._member_dns(entry):
                    if len(emails) >= MAX_GROUP_MEMBERS or _dn_key(dn) in seen:
                        continue
                    seen.add(_dn_key(dn))
                    email = self._person_email(dn, entry["dn"], strict=True)
                    if not email:
                        nested.extend(self._group_at(dn))
                    elif email not in emails:
                        emails.append(email)
            level, depth = nested, depth + 1
        return emails

    def _member_dns(self, entry):
        member_dns = entry["attributes"].get(self.attributes["member"]) or []
        return [member_dns] if isinstance(member_dns, str) else member_dns

    def _group_at(self, dn):
        """The group entry at ``dn`` (with its members), as a one-item list; [] if it is none."""
        try:
            base = safe_dn(dn)
        except (LDAPException, ValueError, TypeError):
            return []
        return self._search(self.attributes["group_filter"], [self.attributes["member"]], size_limit=1,
                            base=base, scope=BASE)

    def search_filter(self, email):
        value = escape_filter_chars(email)
        matches = "".join(f"({attr}={value})" for attr in self.attributes["login"].split("|"))
        return f"(&{self.attributes['user_filter']}(|{matches}))"

    def _find(self, email):
        """(dn, Person) for the one entry matching ``email``; None if none or ambiguous."""
        entries = self._search(self.search_filter(email), self._wanted() + [self.attributes["manager"]])
        if len(entries) != 1:
            if entries:
                log.warning("LDAP: %d entries match %r; refusing to guess", len(entries), email)
            return None
        attributes = entries[0]["attributes"]
        manager = self._manager_email(self._first(attributes, "manager"), entries[0]["dn"])
        return entries[0]["dn"], self._person(attributes, email, manager)

    def _manager_email(self, manager_dn, own_dn):
        """The email of the person entry at ``manager_dn``, or None: no manager, a DN that does
        not parse, an entry that is not a person (or a disabled AD account), or a directory
        that does not answer (a manager is a detail, never a reason to fail a lookup)."""
        if not manager_dn or _same_dn(manager_dn, own_dn):
            return None
        return self._person_email(manager_dn, own_dn)

    def _person_email(self, dn, named_by, strict=False):
        """The email of the person entry at ``dn`` (one base-scope read), or None when the DN
        does not parse or names no person. A directory that does not answer is None too,
        unless ``strict``: then DirectoryUnavailable, since a partial answer would be wrong."""
        try:
            base = safe_dn(dn)  # a malformed DN is refused here, never sent
        except (LDAPException, ValueError, TypeError):
            log.warning("LDAP: %s names an unreadable DN %r", named_by, dn)
            return None
        try:
            entries = self._search(self.attributes["user_filter"], [self.attributes["email"]], size_limit=1,
                                   base=base, scope=BASE)
        except DirectoryUnavailable as exc:
            if strict:
                raise
            log.warning("LDAP: could not read %s, named by %s (%s)", dn, named_by, exc.detail)
            return None
        return normalize_email(self._first(entries[0]["attributes"], "email")) if entries else None

    def _wanted(self):
        return [self.attributes[key] for key in ("email", "name", "designation", "department")]

    def _search(self, search_filter, attributes, size_limit=2, base=None, scope=SUBTREE):
        with self._lock:
            for attempt in (1, 2):  # a reused connection may have been dropped: retry once
                try:
                    connection = self._service_connection()
                    connection.search(base or self.base_dn, search_filter, search_scope=scope,
                                      attributes=attributes, size_limit=size_limit,
                                      time_limit=max(1, int(self.timeout)))
                    result = connection.result
                    if result.get("result") not in SEARCH_ANSWERS:
                        raise DirectoryUnavailable(f"search refused: {result.get('description')}")
                    return [e for e in connection.response or [] if e.get("type") == "searchResEntry"]
                except LDAPException as exc:
                    self._discard_connection()
                    if attempt == 2:
                        log.error("LDAP search failed: %s", exc)
                        raise DirectoryUnavailable(str(exc)) from exc

    def _service_connection(self):
        if self._connection is None or self._connection.closed:
            self._connection = Connection(self._server, user=self._bind_dn, password=self._bind_password,
                                          receive_timeout=self.timeout, auto_bind=True,
                                          raise_exceptions=False, read_only=True)
        return self._connection

    def _new_server(self):
        return Server(self._url, connect_timeout=self.timeout, get_info=NONE)

    def _discard_connection(self):
        if self._connection is not None:
            try:
                self._connection.unbind()
            except LDAPException:
                pass
        self._connection = None
        # ldap3 marks a failed address unusable for minutes; start afresh instead.
        self._server = self._new_server()

    def _first(self, attributes, key):
        value = attributes.get(self.attributes[key])
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value).strip() if value not in (None, "") else None

    def _person(self, attributes, searched_email=None, manager_email=None):
        email = normalize_email(self._first(attributes, "email")) or searched_email
        if manager_email == email:
            manager_email = None
        return Person(email, self._first(attributes, "name") or email, self._first(attributes, "designation"),
                      self._first(attributes, "department"), manager_email)


def _same_dn(dn, other):
    try:
        dn = safe_dn(dn)
    except (LDAPException, ValueError, TypeError):
        return False
    return dn.lower() == str(other).lower()
