"""Email decision fixtures: the real SMTP server of tests/notifications, the API callers,
and a second client for the person who opens the links."""

import pytest

from tests.conftest import sign_in

from tests.notifications.conftest import smtp_server  # noqa: F401  (fixtures used here too)
from tests.workflows.conftest import api_as  # noqa: F401


@pytest.fixture
def browser(app, db):
    """A second HTTP client with its own cookies: the person who clicks the link in the email."""
    return app.test_client()


@pytest.fixture
def browser_login(browser):
    """Sign the browser in as ``user`` (as ``login_as`` does for ``client``)."""
    return lambda user: sign_in(browser, user)
