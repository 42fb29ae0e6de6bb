"""The one place that decides what an email address is and how it is compared."""

import re

# RFC 5322 dot-atom local part (Unicode letters allowed, as SMTPUTF8 does) and a dotted
# domain. Internal domains such as ``corp.local`` are valid: directories use them.
_LOCAL = r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+", re.UNICODE)
MAX_EMAIL_LENGTH = 254


def normalize_email(value):
    """Lower-cased, trimmed address, or None when ``value`` is not a valid email."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        return None
    return email
