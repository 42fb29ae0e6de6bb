"""API keys for the integrator API: created in Settings or the CLI, stored only as hashes."""
