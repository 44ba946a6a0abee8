from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State

from tests.factories import complete_draft


def test_full_happy_path(applicant, agent, mailoutbox, django_capture_on_commit_callbacks):
    dossier = complete_draft(applicant=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=applicant)
    assert dossier.state == State.SUBMITTED
    assert dossier.number.startswith("WIF-")
    services.dossier_take(dossier=dossier, actor=agent)
    terms = services.permit_terms_proposed(dossier)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_accept(dossier=dossier, actor=agent, terms=terms)
    assert dossier.state == State.ACCEPTED
    assert dossier.permits.count() == 1
    assert len(mailoutbox) == 2
