"""CSV downloads: streamed a row at a time, and safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is one a
spreadsheet may run as a formula (CSV injection), so such text gets a leading ``'``;
numbers stay numbers. The file starts with a UTF-8 byte order mark so Excel reads
accents and non-Latin names correctly.
"""

import csv
import io
import re

from flask import Response, stream_with_context

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_lines(header, rows, chunk_size=64 * 1024):
    """The CSV text in chunks of about ``chunk_size`` characters: ``header``, then each of
    ``rows`` (any iterable of sequences, read as it goes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        if buffer.tell() >= chunk_size:
            yield _take(buffer)
    yield _take(buffer)


def _take(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_response(file_name, header, rows):
    """A streamed download of ``rows`` (read lazily, in the request's context) as ``file_name``."""
    name = UNSAFE_NAME.sub("-", file_name).strip("-") or "export.csv"
    response = Response(stream_with_context(csv_lines(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
