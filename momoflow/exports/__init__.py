"""Report files (CSV, Excel, PDF) built in the background and downloaded later.

A caller asks for an export of some *kind* (``flow_report``…) with the parameters that
kind needs (``services.request_export``); the row is written in the caller's transaction
and the ``exports`` drain builds the file once it commits: an RQ job with Redis, or at
the end of the request without. The kind's builder (``tables.register``) turns the
parameters into a ``tables.Table``; ``writers`` turn any table into each format,
streaming its rows. Files live in ``EXPORT_FOLDER`` (never under ``static/``) until they
expire (``EXPORT_TTL_HOURS``, 24 by default), and are downloaded from
``GET /v1/exports/exp_…`` with an API key of the organisation or with the signed link
the answer gave (``api``).
"""
