import pytest

from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.errors import ActorNotAllowed, IncompleteDossier
from workinfrance.dossiers.lifecycle import State
from workinfrance.territories.models import Department

from tests.dossiers.helpers import events_of
from tests.factories import DossierFactory, complete_draft


def test_submit_routes_numbers_and_dates(applicant, paris):
    dossier = complete_draft(applicant=applicant)
    services.dossier_submit(dossier=dossier, actor=applicant)
    assert dossier.state == State.SUBMITTED
    assert dossier.unit == paris
    assert dossier.number.endswith("-75-000001")
    assert dossier.submitted_at == dossier.first_submitted_at


def test_submitting_twice_files_once(applicant, paris, mailoutbox, django_capture_on_commit_callbacks):
    dossier = complete_draft(applicant=applicant)
    # A second tab still holds the draft instance.
    stale = type(dossier).objects.get(pk=dossier.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(dossier=dossier, actor=applicant)
        assert stale.state == State.DRAFT
        services.dossier_submit(dossier=stale, actor=applicant)
    dossier.refresh_from_db()
    assert dossier.number.endswith("-000001")
    assert events_of(dossier).count("dossier.submit") == 1
    assert len(mailoutbox) == 1


def test_numbers_follow_per_department(applicant, paris):
    first = complete_draft(applicant=applicant)
    second = complete_draft(applicant=applicant)
    other = complete_draft(applicant=applicant, department=Department.objects.get(code="92"))
    for dossier in (first, second, other):
        services.dossier_submit(dossier=dossier, actor=applicant)
    assert first.number.endswith("-75-000001")
    assert second.number.endswith("-75-000002")
    assert other.number.endswith("-92-000001")


def test_incomplete_dossier_is_refused_with_the_list(applicant, paris):
    dossier = DossierFactory(applicant=applicant, employer_name="")  # and no documents
    with pytest.raises(IncompleteDossier) as raised:
        services.dossier_submit(dossier=dossier, actor=applicant)
    codes = {problem.code for problem in raised.value.problems}
    assert "missing:employer_name" in codes
    assert "document:passport" in codes
    dossier.refresh_from_db()
    assert dossier.state == State.DRAFT
    assert dossier.number is None
    assert not Event.objects.filter(verb="dossier.submit").exists()


def test_closed_department_is_refused_clearly(applicant, paris):
    department = Department.objects.get(code="13")
    dossier = complete_draft(applicant=applicant, department=department)
    with pytest.raises(IncompleteDossier) as raised:
        services.dossier_submit(dossier=dossier, actor=applicant)
    assert "department_closed" in {p.code for p in raised.value.problems}


def test_assign_by_supervisor_puts_submitted_in_review(applicant, paris, supervisor, agent, lyon_agent):
    dossier = complete_draft(applicant=applicant)
    services.dossier_submit(dossier=dossier, actor=applicant)
    with pytest.raises(ActorNotAllowed):
        services.dossier_assign(dossier=dossier, actor=agent, assignee=agent)
    with pytest.raises(services.DossierActionError):
        services.dossier_assign(dossier=dossier, actor=supervisor, assignee=lyon_agent)
    services.dossier_assign(dossier=dossier, actor=supervisor, assignee=agent)
    assert (dossier.state, dossier.assignee) == (State.IN_REVIEW, agent)
