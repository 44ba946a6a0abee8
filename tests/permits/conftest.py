import pytest

from workinfrance.dossiers import services as dossier_services

from tests.factories import complete_draft


@pytest.fixture(autouse=True)
def _own_keyring(settings, tmp_path):
    """Each test gets its own seal keys and development PAdES CA."""
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"
    settings.WIF_PADES_DIR = ""


def accept(dossier, *, agent, capture, terms=None):
    """Submit, take and accept `dossier`, running the after-commit work (the PDF) like a worker."""
    with capture(execute=True):
        dossier_services.dossier_submit(dossier=dossier, actor=dossier.applicant)
    dossier_services.dossier_take(dossier=dossier, actor=agent)
    with capture(execute=True):
        dossier_services.dossier_accept(
            dossier=dossier, actor=agent, terms=terms or dossier_services.permit_terms_proposed(dossier)
        )
    return dossier.permits.get()


@pytest.fixture
def issued_permit(applicant, agent, django_capture_on_commit_callbacks):
    """A permit of the Paris unit with its signed PDF, for `applicant`."""
    return accept(
        complete_draft(applicant=applicant), agent=agent, capture=django_capture_on_commit_callbacks
    )
