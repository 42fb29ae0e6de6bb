"""Outbound webhooks: Standard Webhooks signatures and a guarded HTTP client."""
