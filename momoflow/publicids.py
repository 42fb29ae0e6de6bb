"""Public identifiers such as ``flow_7Hq2xK9a`` and secret keys with a checksum.

Public ids are what integrators see and store: a readable prefix and random base62,
never our database keys.
"""

import secrets
import string
import zlib

BASE62 = string.digits + string.ascii_letters


def random_base62(length):
    return "".join(secrets.choice(BASE62) for _ in range(length))


def public_id(prefix, length=12):
    return f"{prefix}_{random_base62(length)}"


def base62(number, width):
    digits = []
    for _ in range(width):
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    return "".join(reversed(digits))


def checksum(text):
    """Six base62 characters of CRC32: catches typos and truncation without a lookup."""
    return base62(zlib.crc32(text.encode()), 6)
