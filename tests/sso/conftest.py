import pytest

from tests.conftest import need
from tests.sso.provider import OpenIDProvider, node_ready

TEST_CLIENT_CALLBACK = "http://localhost/login/sso/callback"


@pytest.fixture(scope="session")
def openid_provider(tmp_path_factory, live_server):
    """A real OpenID provider on loopback, with a client for MomoFlow's test client and for
    the live server the browser tests use."""
    problem = node_ready()
    need(problem is None, problem)
    provider = OpenIDProvider(tmp_path_factory.mktemp("openid-provider"),
                              [TEST_CLIENT_CALLBACK, f"{live_server}/login/sso/callback"]).start()
    yield provider
    provider.stop()


@pytest.fixture
def idp(openid_provider):
    """The provider with no people: each test adds its own."""
    openid_provider.accounts.clear()
    openid_provider._write_accounts()
    return openid_provider
