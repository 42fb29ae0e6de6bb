"""Request templates: forms, approver rules that follow the org chart, conditional levels,
and flows assigned when a request raised from one is approved (issue 14)."""
