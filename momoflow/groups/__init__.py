"""Groups of people: local groups admins manage (Settings → Groups) and mirrors of the
company directory's groups, read when a request template names a group of approvers.
SCIM (issue 17) will push groups into the same tables, hence ``source`` and ``external_id``."""
