"""A small world for the API: two units, two employer accounts, their dossiers and one signed permit."""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import DossierNumberSequence, FilerKind

from tests.dossiers.helpers import dossier_in_state
from tests.factories import VALID_SIRET, UserFactory, complete_draft
from tests.permits.helpers import accept, in_force_today

# Another SIRET whose Luhn key checks out.
OTHER_SIRET = "35600000000048"


@pytest.fixture(autouse=True)
def _own_keyring(settings, tmp_path):
    settings.WIF_SIGNING_KEY_DIR = tmp_path / "keys"
    settings.WIF_PADES_DIR = ""


def employer_account(siret: str, *, unit):
    """An account that filed, as the employer, a dossier a unit accepted: it answers for `siret`."""
    user = UserFactory()
    dossier_in_state(
        State.ACCEPTED,
        applicant=user,
        unit=unit,
        filer_kind=FilerKind.EMPLOYER,
        employer_siret=siret,
        documents=False,
    )
    return user


@dataclass
class World:
    paris: object
    lyon: object
    supervisor: object
    agent: object
    lyon_supervisor: object
    employer: object  # answers for VALID_SIRET
    other_employer: object  # answers for OTHER_SIRET
    in_review: object  # Paris, names VALID_SIRET
    submitted: object  # Paris
    accepted: object  # Paris, with its permit and PDF, names VALID_SIRET
    lyon_dossier: object  # Lyon, names OTHER_SIRET
    permit: object


def accepted_without_pdf(dossier, *, agent):
    """Submitted, taken and accepted through the services; the PDF task (slow) is not run."""
    dossier_services.dossier_submit(dossier=dossier, actor=dossier.applicant)
    dossier_services.dossier_take(dossier=dossier, actor=agent)
    dossier_services.dossier_accept(dossier=dossier, actor=agent, terms=in_force_today(dossier))
    return dossier.permits.get()


@pytest.fixture
def with_pdf():
    """Ask `world` for the permit's signed PDF too (seconds of rendering and signing)."""
    return True


@pytest.fixture
def world(request, paris, lyon, supervisor, agent, lyon_supervisor, django_capture_on_commit_callbacks):
    student = UserFactory()
    # First: the real submission numbers it WIF-<year>-75-000001, which `dossier_in_state` (numbered
    # by primary key) must not take before.
    # Its contract starts today: the permit is in force now (verdict "valid", not "not yet in force").
    accepted_draft = complete_draft(
        applicant=student, student_last_name="Permisee", contract_start=timezone.localdate()
    )
    if "with_pdf" in request.fixturenames:
        permit = accept(accepted_draft, agent=agent, capture=django_capture_on_commit_callbacks)
    else:
        permit = accepted_without_pdf(accepted_draft, agent=agent)
    employer = employer_account(VALID_SIRET, unit=paris)
    other_employer = employer_account(OTHER_SIRET, unit=lyon)
    # Later real submissions are numbered far from the primary-key numbers of `dossier_in_state`.
    DossierNumberSequence.objects.update(last_value=100_000)
    return World(
        paris=paris,
        lyon=lyon,
        supervisor=supervisor,
        agent=agent,
        lyon_supervisor=lyon_supervisor,
        employer=employer,
        other_employer=other_employer,
        in_review=dossier_in_state(
            State.IN_REVIEW, applicant=student, unit=paris, student_last_name="Ciblee"
        ),
        submitted=dossier_in_state(
            State.SUBMITTED, applicant=student, unit=paris, student_last_name="Deposee"
        ),
        accepted=permit.dossier,
        lyon_dossier=dossier_in_state(
            State.SUBMITTED,
            applicant=UserFactory(),
            unit=lyon,
            employer_siret=OTHER_SIRET,
            student_last_name="Lyonnaise",
            department_id="69",
        ),
        permit=permit,
    )
