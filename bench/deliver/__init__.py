"""Background delivery: events outbox → RQ worker pool → signed webhooks to a loopback
receiver, next to a pool draining no-op jobs: ``python -m bench.deliver``."""
