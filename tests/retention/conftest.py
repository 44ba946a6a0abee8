import pytest


@pytest.fixture(autouse=True)
def _own_keyring(settings, tmp_path):
    """Each test gets its own seal keys and development PAdES CA (as tests/permits)."""
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"
    settings.WIF_PADES_DIR = ""


@pytest.fixture
def purge(django_capture_on_commit_callbacks):
    """The purge as a worker runs it: the after-commit work (file deletions) runs too."""
    from workinfrance.retention.services import retention_purge

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return retention_purge(**kwargs)

    return run
