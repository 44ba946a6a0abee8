"""The agents' daily digest, from a constructed history with known alerts: one e-mail per agent of a
unit with alerts, in their language, nothing to the others, nothing new when run again."""

import datetime

import pytest

from workinfrance.dossiers.models import Dossier
from workinfrance.followup.tasks import send_alert_digests
from workinfrance.outbox.models import OutboxMessage

from tests.factories import UserFactory, agent_of, supervisor_of
from tests.followup.helpers import at, filed_at

pytestmark = pytest.mark.django_db


def digests():
    return {
        m.payload["to"]: m.payload
        for m in OutboxMessage.objects.filter(idempotency_key__startswith="email:alerts-digest:")
    }


@pytest.fixture
def history(paris, lyon):
    """Paris: two stalled dossiers (one also with inverted dates), one fresh; Lyon: one fresh only."""
    applicant = UserFactory()
    stalled = [filed_at("2026-11-02 09:00", applicant=applicant) for _ in range(2)]
    Dossier.objects.filter(pk=stalled[1].pk).update(
        contract_start=datetime.date(2026, 12, 1), contract_end=datetime.date(2026, 11, 20)
    )
    filed_at("2026-11-16 09:00", applicant=applicant)
    filed_at("2026-11-16 09:00", applicant=applicant, department="69")
    return stalled


def test_digest_lists_each_units_alerts_once_a_day(paris, lyon, history):
    agent = agent_of(paris)
    supervisor = supervisor_of(paris, preferred_language="en")
    lyon_agent = agent_of(lyon)
    UserFactory(role="agent", units=[paris], is_active=False)
    with at("2026-11-17 07:00"):  # 2 Nov + 10 working days (11 Nov off): stalled
        assert send_alert_digests() == 2
    sent = digests()
    assert set(sent) == {agent.email, supervisor.email}  # nothing for Lyon, nor the inactive agent
    assert lyon_agent.email not in sent
    french = sent[agent.email]
    assert "Signalements du 17/11/2026" in french["subject"]
    assert "Unité de Paris" in french["body"]
    assert "- En attente depuis plus de 7 jours ouvrés : 2" in french["body"]
    assert "- Dates manquantes ou inversées : 1" in french["body"]
    for dossier in history:
        assert dossier.number in french["body"] and str(dossier.uuid) in french["body"]
    assert "En attente depuis 10 jours ouvrés" in french["body"]
    english = sent[supervisor.email]
    assert "- Waiting for more than 7 working days: 2" in english["body"]
    with at("2026-11-17 18:00"):
        assert send_alert_digests() == 2  # the same day again: the outbox keeps one per agent
    assert OutboxMessage.objects.filter(idempotency_key__startswith="email:alerts-digest:").count() == 2


def test_nothing_sent_when_there_is_nothing_to_say(paris, lyon):
    agent_of(paris)
    agent_of(lyon)
    filed_at("2026-11-02 09:00", applicant=UserFactory())
    with at("2026-11-03 07:00"):  # one working day after filing: nothing to say
        assert send_alert_digests() == 0
    assert digests() == {}
