import datetime

from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier
from workinfrance.dossiers.selectors import (
    applicant_timeline,
    implicit_refusal_date,
    open_complement_request,
)

from tests.dossiers.helpers import dossier_in_state


def test_implicit_refusal_two_months_after_the_complete_file(applicant, paris, agent):
    dossier = dossier_in_state(
        State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent, documents=False
    )
    Dossier.objects.filter(pk=dossier.pk).update(
        submitted_at=datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.UTC)
    )
    dossier.refresh_from_db()
    assert implicit_refusal_date(dossier) == datetime.date(2026, 3, 31)
    for state in (State.DRAFT, State.AWAITING_COMPLEMENTS, State.ACCEPTED):
        other = dossier_in_state(state, applicant=applicant, unit=paris, assignee=agent, documents=False)
        assert implicit_refusal_date(other) is None


def test_open_complement_request_only_while_awaiting(applicant, paris, agent):
    dossier = dossier_in_state(State.AWAITING_COMPLEMENTS, applicant=applicant, unit=paris, assignee=agent)
    request = open_complement_request(dossier)
    assert [t.code for t in request.document_types.all()] == ["passport"]
    services.dossier_resubmit(dossier=dossier, actor=applicant)
    assert dossier.state == State.IN_REVIEW
    assert open_complement_request(dossier) is None


def test_timeline_reads_the_transition_log_and_hides_staff_events(applicant, paris, agent):
    from workinfrance.core.events import event_record

    from tests.factories import supervisor_of

    dossier = dossier_in_state(
        State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent, documents=False
    )
    event_record(actor=agent, verb="dossier.view", target=dossier)
    event_record(actor=agent, verb="dossier.note", target=dossier, data={"to": "refused"})
    # A reassignment keeps the state: internal, not shown.
    services.dossier_assign(dossier=dossier, actor=supervisor_of(paris), assignee=agent)
    labels = [entry.label for entry in applicant_timeline(dossier)]
    assert labels == [
        "Dossier déposé et transmis au service instructeur",
        "Dossier pris en charge par un agent",
    ]
