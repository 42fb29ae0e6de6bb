"""The search boxes' matching: part of a text, in any case, wildcards taken literally.

Every list search (requests, assignments) matches ``column ILIKE '%text%'``: PostgreSQL
answers it from the trigram indexes (``database.trigram_index``), SQLite with
``lower(column) LIKE lower(...)``. ``%`` and ``_`` typed in a search box are plain
characters, never wildcards. The text is parsed by ``fields.search_text``.
"""

import sqlalchemy as sa

MAX_LENGTH = 200
ESCAPE = "\\"


def like_pattern(text):
    """``%text%`` with the text's own ``\\``, ``%`` and ``_`` escaped."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(pattern, *columns):
    """Any of ``columns`` holds the text ``pattern`` (a ``like_pattern``) was made from."""
    return sa.or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
