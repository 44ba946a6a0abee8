import pytest

from tests.factories import complete_draft
from tests.permits.helpers import accept


@pytest.fixture(autouse=True)
def _own_keyring(settings, tmp_path):
    """Each test gets its own seal keys and development PAdES CA."""
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"
    settings.WIF_PADES_DIR = ""


@pytest.fixture
def issued_permit(applicant, agent, django_capture_on_commit_callbacks):
    """A permit of the Paris unit with its signed PDF, for `applicant`."""
    return accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
