import datetime

from django.utils import timezone

from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier
from workinfrance.dossiers.selectors import (
    applicant_timeline,
    implicit_refusal_date,
    open_complement_request,
    typical_processing_days,
)
from workinfrance.territories.models import Department

from tests.dossiers.helpers import dossier_in_state
from tests.factories import category


def decided(applicant, unit, *, days, department="75", state=State.ACCEPTED, category_code="apprenticeship"):
    dossier = dossier_in_state(
        state,
        applicant=applicant,
        unit=unit,
        documents=False,
        department=Department.objects.get(code=department),
        category=category(category_code),
    )
    now = timezone.now()
    Dossier.objects.filter(pk=dossier.pk).update(
        first_submitted_at=now - datetime.timedelta(days=days), decided_at=now
    )
    return dossier


def test_typical_time_is_the_median_in_the_department(applicant, paris):
    for days in (1, 2, 3, 10, 30):
        decided(applicant, paris, days=days)
    decided(applicant, paris, days=90, category_code="professionalisation")  # other category: ignored
    paris_dept = Department.objects.get(code="75")
    assert typical_processing_days(category(), paris_dept) == 3


def test_typical_time_falls_back_to_the_country_then_to_nothing(applicant, paris):
    hauts_de_seine = Department.objects.get(code="92")
    assert typical_processing_days(category(), hauts_de_seine) is None
    for days in (4, 4, 5, 6, 8):
        decided(applicant, paris, days=days, state=State.REFUSED)
    assert typical_processing_days(category(), hauts_de_seine) == 5


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
    Dossier.objects.filter(pk=dossier.pk).update(state=State.SUBMITTED)
    dossier.refresh_from_db()
    assert open_complement_request(dossier) is None


def test_timeline_hides_unknown_and_staff_events(applicant, paris, agent):
    from workinfrance.core.events import event_record

    dossier = dossier_in_state(
        State.IN_REVIEW, applicant=applicant, unit=paris, assignee=agent, documents=False
    )
    event_record(
        actor=applicant, verb="dossier.submit", target=dossier, data={"from": "draft", "to": "submitted"}
    )
    event_record(actor=agent, verb="dossier.read", target=dossier)
    event_record(actor=agent, verb="note.add", target=dossier)
    event_record(
        actor=agent, verb="dossier.assign", target=dossier, data={"from": "in_review", "to": "in_review"}
    )
    labels = [entry.label for entry in applicant_timeline(dossier)]
    assert labels == ["Dossier déposé et transmis au service instructeur"]
