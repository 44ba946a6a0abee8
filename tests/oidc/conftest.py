import pytest

from .flows import ProviderBrowser
from tests.oidc_provider import LocalProvider


@pytest.fixture(scope="session")
def local_provider():
    """The real npm oidc-provider as FranceConnect and ProConnect, for the test client's host."""
    provider = LocalProvider(["http://testserver"]).start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc(local_provider, settings):
    """The service configured for the local provider; the provider behaves again after each test."""
    settings.WIF_OIDC_PROVIDERS = local_provider.settings_for()
    settings.WIF_OIDC_TIMEOUT = 5
    yield local_provider
    local_provider.set_mode("off")


@pytest.fixture
def provider_browser(oidc, client):
    return ProviderBrowser(oidc, client)
