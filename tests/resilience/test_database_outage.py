"""PostgreSQL backends terminated (pg_terminate_backend) in the middle of a request or a delivery.

Reads are served anyway (retried on a fresh connection); a decision is either recorded or clearly
reported as maybe-not-recorded, and the dossier's state always matches its last event."""

import contextlib

import psycopg
import pytest
from django.core.signals import request_started
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse

from workinfrance.core.events import events_for
from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State
from workinfrance.outbox.models import OutboxMessage, OutboxStatus
from workinfrance.outbox.services import outbox_email, outbox_sweep
from workinfrance.outbox.tasks import deliver_outbox_message

from tests.backoffice.conftest import in_review
from tests.factories import UnitFactory, agent_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _fresh_connection_afterwards():
    """A terminated backend that no query noticed would break the database flush after the test."""
    yield
    connection.close()


def terminate_this_connection() -> None:
    """Kill the backend of Django's connection from another connection, as a restart or failover would."""
    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"]
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextlib.contextmanager
def terminated_when(signal, *, sender=None, only_if=lambda **kwargs: True, times=1):
    fired = []

    def receiver(**kwargs):
        if len(fired) < times and only_if(**kwargs):
            fired.append(True)
            terminate_this_connection()

    signal.connect(receiver, sender=sender, weak=False)
    try:
        yield fired
    finally:
        signal.disconnect(receiver, sender=sender)


def state_matches_last_event(dossier) -> bool:
    last = events_for(dossier).exclude(verb__in=["dossier.view", "document.upload"]).last()
    return last.data.get("to", dossier.state) == dossier.state


def test_public_pages_are_served_when_the_backend_dies_at_the_start_of_the_request():
    client = Client(raise_request_exception=False)
    for url in ("/", reverse("stats:public"), reverse("permits:verify_form")):
        connection.ensure_connection()
        with terminated_when(request_started) as fired:
            response = client.get(url)
        assert fired and response.status_code == 200, url


def test_a_decision_interrupted_by_the_database_is_not_recorded_and_says_so():
    unit = UnitFactory(department_codes=["75"])
    agent = agent_of(unit)
    dossier = in_review(agent=agent)
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    terms = services.permit_terms_proposed(dossier)
    data = {
        "accept-validity_start": terms.validity_start.isoformat(),
        "accept-validity_end": terms.validity_end.isoformat(),
        "accept-weekly_hours": str(terms.weekly_hours),
    }
    url = reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "accept"})

    def during_the_accept(instance, created, **kwargs):
        return created and instance.verb == "dossier.accept"

    messages_before = OutboxMessage.objects.count()
    connection.ensure_connection()
    with terminated_when(post_save, sender=Event, only_if=during_the_accept) as fired:
        response = client.post(url, data)
    assert fired
    assert response.status_code == 503
    page = response.content.decode()
    assert "Votre action a-t-elle été enregistrée" in page and "rechargez la page du dossier" in page
    dossier.refresh_from_db()
    assert dossier.state == State.IN_REVIEW and dossier.permits.count() == 0
    assert state_matches_last_event(dossier)
    assert OutboxMessage.objects.count() == messages_before  # no e-mail for a decision not made

    # The agent reloads the dossier, sees it still in review, and decides again: recorded once.
    assert client.get(reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid})).status_code == 200
    assert client.post(url, data).status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.ACCEPTED and dossier.permits.count() == 1
    assert state_matches_last_event(dossier)
    accepted = Event.objects.get(verb="dossier.accept", target_id=str(dossier.pk))
    message = OutboxMessage.objects.get(idempotency_key__contains=f"dossier-event:{accepted.pk}:")
    assert message.status == OutboxStatus.SENT


def test_a_delivery_cut_by_the_database_is_retried_by_the_sweep(mailoutbox):
    from django.db import transaction

    with transaction.atomic():
        message = outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="cut:1")
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING, sent_at=None)
    mailoutbox.clear()

    connection.ensure_connection()
    terminate_this_connection()
    assert deliver_outbox_message.apply(kwargs={"message_id": message.pk}).get() == "retry"
    assert mailoutbox == []

    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert outbox_sweep() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and len(mailoutbox) == 1
