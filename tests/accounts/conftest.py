"""Accounts fixtures: the API callers of the workflow tests."""

from tests.workflows import conftest as workflow_fixtures

api_as = workflow_fixtures.api_as
