"""The transactional outbox: written with the change, sent after commit, retried, never twice."""

import datetime
import logging
import threading

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from workinfrance.core.models import Event
from workinfrance.dossiers import services
from workinfrance.dossiers.lifecycle import State
from workinfrance.outbox import handlers
from workinfrance.outbox.handlers import OutboxGiveUp, email_message_id, outbox_handler
from workinfrance.outbox.models import OutboxMessage, OutboxStatus
from workinfrance.outbox.services import (
    Outcome,
    outbox_deliver,
    outbox_email,
    outbox_enqueue,
    outbox_requeue,
    outbox_sweep,
)

from tests.backoffice.conftest import filed, in_review
from tests.faults import celery_broker, closed_port


def take_key(dossier) -> str:
    event = Event.objects.filter(verb="dossier.take", target_id=str(dossier.pk)).get()
    return f"email:dossier-event:{event.pk}:{dossier.applicant.email}"


@pytest.fixture
def smtp_down(settings):
    """A real SMTP client against a port nobody listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2


def smtp_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def make_due(message: OutboxMessage) -> None:
    """Stand for the passing of time until the backoff delay is over."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_the_email_is_written_in_the_transaction_and_sent_after_commit(
    agent, paris, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = filed()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.dossier_take(dossier=dossier, actor=agent)
    message = OutboxMessage.objects.get(idempotency_key=take_key(dossier))
    assert message.status == OutboxStatus.PENDING and mailoutbox == []
    assert "Dossier" in message.payload["subject"] and message.payload["to"] == dossier.applicant.email

    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at is not None and message.attempts == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == email_message_id(message.idempotency_key)
    assert "n'a aucune valeur juridique" in mailoutbox[0].body


def test_a_rolled_back_change_leaves_no_message(agent, paris, mailoutbox, django_capture_on_commit_callbacks):
    dossier = filed()
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.dossier_take(dossier=dossier, actor=agent)
            assert OutboxMessage.objects.count() == before + 1
            raise RuntimeError("the request failed after the transition")
    dossier.refresh_from_db()
    assert dossier.state == State.SUBMITTED
    assert OutboxMessage.objects.count() == before
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enqueue_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="k")
    assert not OutboxMessage.objects.exists()


def test_an_unknown_kind_is_refused_with_the_change(db):
    with pytest.raises(LookupError):
        outbox_enqueue(kind="carrier-pigeon", payload={}, idempotency_key="x")


def test_the_same_key_twice_is_one_message_sent_once(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_email(to="A@example.test", subject="S", body="B", idempotency_key="event:1")
        second = outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="event:1")
    assert first.pk == second.pk
    assert len(mailoutbox) == 1


def test_delivering_a_sent_message_again_sends_nothing(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="event:2")
    assert outbox_deliver(message_id=message.pk) == Outcome.SKIPPED
    make_due(message)
    assert outbox_sweep() == 0
    assert len(mailoutbox) == 1


def test_smtp_down_retries_with_growing_delays_then_delivers(
    settings, smtp_down, agent, paris, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    settings.WIF_OUTBOX_RETRY_BASE_SECONDS = 30
    dossier = filed()
    with django_capture_on_commit_callbacks(execute=True), caplog.at_level(logging.WARNING):
        services.dossier_take(dossier=dossier, actor=agent)
    dossier.refresh_from_db()
    assert dossier.state == State.IN_REVIEW  # the decision stands; only the e-mail waits
    message = OutboxMessage.objects.get(idempotency_key=take_key(dossier))
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    first_delay = (message.next_attempt_at - timezone.now()).total_seconds()
    assert 25 <= first_delay <= 34
    assert "attempt 1 failed" in caplog.text

    assert outbox_deliver(message_id=message.pk) == Outcome.RETRY  # the task's own retry
    message.refresh_from_db()
    second_delay = (message.next_attempt_at - timezone.now()).total_seconds()
    assert message.attempts == 2 and 55 <= second_delay <= 67
    assert outbox_sweep() == 0  # not due yet

    smtp_back(settings)
    make_due(message)
    assert outbox_sweep() == 1  # in-process here: queued means delivered
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.attempts == 3 and message.last_error == ""
    assert [m.to for m in mailoutbox] == [[dossier.applicant.email]]


def test_gives_up_after_the_last_attempt_until_requeued(
    settings, smtp_down, db, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    settings.WIF_OUTBOX_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="event:3")
    with caplog.at_level(logging.ERROR):
        assert outbox_deliver(message_id=message.pk) == Outcome.FAILED
    assert "gave up after 2 attempt(s)" in caplog.text
    make_due(message)
    assert outbox_sweep() == 0  # given up: not swept

    smtp_back(settings)

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_requeue(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and len(mailoutbox) == 1


@pytest.fixture
def refusing_kind():
    @outbox_handler("test.refused")
    def refuse(message):
        raise OutboxGiveUp("the receiver says the request is wrong")

    yield "test.refused"
    handlers.HANDLERS.pop("test.refused")


def test_a_handler_can_give_up_at_once(db, refusing_kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(kind=refusing_kind, payload={"n": 1}, idempotency_key="test:1")
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED and message.attempts == 1
    assert "request is wrong" in message.last_error


def test_one_kind_has_one_handler():
    with pytest.raises(RuntimeError, match="already has a handler"):
        outbox_handler("email")(lambda message: None)


def test_broker_down_the_accept_is_recorded_and_its_email_sent_by_the_sweep(
    client, agent, paris, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    """The broker at a closed port: the agent's accept answers normally; the e-mail waits in the outbox."""
    dossier = in_review(agent=agent)
    client.force_login(agent)
    terms = services.permit_terms_proposed(dossier)
    data = {
        "accept-validity_start": terms.validity_start.isoformat(),
        "accept-validity_end": terms.validity_end.isoformat(),
        "accept-weekly_hours": str(terms.weekly_hours),
    }
    url = reverse("backoffice:action", kwargs={"uuid": dossier.uuid, "name": "accept"})
    with (
        celery_broker(f"redis://127.0.0.1:{closed_port()}/0"),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING),
    ):
        response = client.post(url, data)
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == State.ACCEPTED and dossier.permits.count() == 1
    accepted = Event.objects.get(verb="dossier.accept", target_id=str(dossier.pk))
    message = OutboxMessage.objects.get(idempotency_key__contains=f"dossier-event:{accepted.pk}:")
    assert message.status == OutboxStatus.PENDING
    assert mailoutbox == [] and "could not queue" in caplog.text

    # The broker is back (in-process here); the sweep finds the message once its grace is over.
    assert outbox_sweep() == 0
    make_due(message)
    assert outbox_sweep() == 1
    assert len(mailoutbox) == 1 and "accept" in mailoutbox[0].subject.lower()


def test_the_sweep_command_delivers_now(db, mailoutbox, django_capture_on_commit_callbacks, capsys):
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        with django_capture_on_commit_callbacks(execute=True):
            outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="event:4")
    assert mailoutbox == []
    call_command("outbox_sweep", "--now")
    assert "sent: 1" in capsys.readouterr().out
    assert len(mailoutbox) == 1


def test_a_sweep_with_the_broker_down_leaves_the_rows_due(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="event:5")
    make_due(message)
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        assert outbox_sweep() == 0
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.next_attempt_at <= timezone.now()


def test_the_sweep_leases_what_it_queued(settings, db, django_capture_on_commit_callbacks, monkeypatch):
    """A row queued by the sweep is not queued again by the next sweep while its task waits in line."""
    settings.WIF_OUTBOX_DISPATCH_GRACE_SECONDS = 120
    with django_capture_on_commit_callbacks(execute=False):
        message = outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="event:6")
    make_due(message)
    from workinfrance.outbox import services as outbox_services

    queued = []  # a worker that has not picked the task up yet
    monkeypatch.setattr(outbox_services, "outbox_dispatch", lambda ids: queued.extend(ids) or list(ids))
    assert outbox_sweep() == 1
    assert outbox_sweep() == 0
    message.refresh_from_db()
    assert queued == [message.pk]
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=100)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_being_delivered_is_skipped_by_another_worker(mailoutbox):
    """Two deliveries at once (a task and the sweep's): the second sees the row locked and skips it."""
    from django.db import connection

    with transaction.atomic():
        message = outbox_email(to="a@example.test", subject="S", body="B", idempotency_key="event:7")
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING)  # undo the eager send
    mailoutbox.clear()
    locked, release, outcome = threading.Event(), threading.Event(), []

    def first_worker():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=message.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    assert locked.wait(timeout=10)
    outcome.append(outbox_deliver(message_id=message.pk))
    release.set()
    thread.join(timeout=10)
    assert outcome == [Outcome.SKIPPED] and mailoutbox == []
    assert outbox_deliver(message_id=message.pk) == Outcome.SENT
    assert len(mailoutbox) == 1
