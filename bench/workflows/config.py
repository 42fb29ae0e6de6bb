"""The workflow benchmark's organisation and the three named people its scenarios read as
(``generate.py`` makes them; the rest of the crowd is ``person000123@…``)."""

ORG_SLUG = "bench"
EMAIL_DOMAIN = "bench.example.com"
HEAVY_EMAIL = f"heavy.approver@{EMAIL_DOMAIN}"
TYPICAL_EMAIL = f"typical.approver@{EMAIL_DOMAIN}"
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
