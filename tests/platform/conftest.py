"""Fixtures of the platform tests: the OpenAPI document, built once per module."""

import pytest

from momoflow.openapi.document import build_document


@pytest.fixture(scope="module")
def document(app):
    with app.app_context():
        return build_document()
