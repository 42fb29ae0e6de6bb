"""Exports are tried on the flow report: its integrator caller and hand-counted data."""

from tests.flows.conftest import demo_org, integrator  # noqa: F401  (fixtures)
from tests.flows.report_data import report_data  # noqa: F401  (fixture)
