import pytest

from workinfrance.dossiers import services
from workinfrance.territories.models import Department

from tests.factories import UserFactory, complete_draft


def filed(*, department: str = "75", **kwargs):
    """A complete dossier submitted by its applicant (routed to the unit of `department`)."""
    dossier = complete_draft(department=Department.objects.get(code=department), **kwargs)
    services.dossier_submit(dossier=dossier, actor=dossier.applicant)
    return dossier


def in_review(*, agent, **kwargs):
    dossier = filed(**kwargs)
    services.dossier_take(dossier=dossier, actor=agent)
    return dossier


@pytest.fixture
def paris_dossier(paris, applicant):
    return filed(applicant=applicant)


@pytest.fixture
def lyon_dossier(lyon):
    return filed(
        department="69", applicant=UserFactory(), student_last_name="Lyonnaise", employer_name="Traboules SA"
    )
