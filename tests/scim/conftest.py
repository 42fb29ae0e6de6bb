"""SCIM fixtures: the demo organisation and an integrator (to show its key is no SCIM token)."""

from tests.flows.conftest import demo_org, integrator  # noqa: F401  (fixtures)
