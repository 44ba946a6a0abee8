"""Webhooks: rows in the decision's transaction, signed (checked with the reference `standardwebhooks`
package), delivered after commit, retried with backoff for 24 hours, then disabled with an e-mail;
replay from the delivery log; receivers on private addresses refused in production."""

import datetime
import json

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from workinfrance.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from workinfrance.api.webhooks import services, transport
from workinfrance.dossiers import services as dossier_services
from workinfrance.outbox.models import OutboxMessage
from workinfrance.outbox.services import outbox_sweep

from tests.api.receiver import Receiver
from tests.factories import VALID_SIRET

DECIDED_AND_PERMIT = ["dossier.decided", "permit.issued"]


@pytest.fixture
def receiver_factory():
    made = []

    def make(*statuses):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


def _accept(world, capture, dossier=None):
    dossier = dossier or world.in_review
    with capture(execute=True):
        dossier_services.dossier_accept(
            dossier=dossier, actor=world.supervisor, terms=dossier_services.permit_terms_proposed(dossier)
        )
    return dossier


def test_deliveries_are_signed_in_the_standard_webhooks_format(
    world, receiver_factory, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    endpoint, secret = services.endpoint_create(
        actor=world.supervisor, url=receiver.url, event_types=DECIDED_AND_PERMIT, unit=world.paris
    )
    dossier = _accept(world, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 2
    verifier = Webhook(secret)
    types = set()
    for headers, body in receiver.received:
        payload = verifier.verify(body, headers)  # raises on a bad signature or stale timestamp
        types.add(payload["type"])
        assert payload["data"]["dossier"] == dossier.number
        with pytest.raises(Exception):  # noqa: B017 - any refusal of the reference implementation
            verifier.verify(body[:-1] + b" }", headers)
    assert types == {"dossier.decided", "permit.issued"}
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}


def test_deliveries_are_written_with_the_decision_and_sent_only_after_commit(world, receiver_factory):
    receiver = receiver_factory()
    services.endpoint_create(
        actor=world.supervisor, url=receiver.url, event_types=DECIDED_AND_PERMIT, unit=world.paris
    )
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            _accept_in_transaction(world)
            assert WebhookDelivery.objects.count() == 2  # in the decision's transaction
            raise RuntimeError("the decision fails after the fact")
    assert WebhookDelivery.objects.count() == 0 and receiver.received == []


def _accept_in_transaction(world):
    dossier_services.dossier_accept(
        dossier=world.in_review,
        actor=world.supervisor,
        terms=dossier_services.permit_terms_proposed(world.in_review),
    )


def _make_due(delivery):
    OutboxMessage.objects.filter(pk=delivery.outbox_message_id).update(next_attempt_at=timezone.now())


def test_retries_through_the_outbox_with_backoff_until_the_receiver_answers(
    world, receiver_factory, django_capture_on_commit_callbacks
):
    receiver = receiver_factory(500, 503, 200)
    services.endpoint_create(
        actor=world.supervisor, url=receiver.url, event_types=["dossier.decided"], unit=world.paris
    )
    _accept(world, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.select_related("outbox_message").get()
    message = delivery.outbox_message
    assert message.kind == "webhook" and message.idempotency_key == f"webhook:{delivery.message_id}"
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "HTTP 500" in delivery.last_error
    # Exponential backoff (the outbox's: base 30 s, doubling, a little jitter).
    delays = []
    for _ in range(2):
        message.refresh_from_db()
        delays.append((message.next_attempt_at - timezone.now()).total_seconds())
        assert outbox_sweep() == 0  # not due yet
        _make_due(delivery)
        assert outbox_sweep() == 1
    assert 25 <= delays[0] <= 34 and 55 <= delays[1] <= 67
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200
    assert delivery.attempts == 3
    # The same message id every time: receivers drop duplicates.
    assert len({headers["webhook-id"] for headers, _body in receiver.received}) == 1
    assert len(receiver.received) == 3


def test_after_24_hours_of_failures_the_endpoint_is_disabled_and_its_owner_told(
    client, world, receiver_factory, django_capture_on_commit_callbacks
):
    receiver = receiver_factory(500)
    endpoint, secret = services.endpoint_create(
        actor=world.supervisor, url=receiver.url, event_types=["dossier.decided"], unit=world.paris
    )
    _accept(world, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        retry_from=timezone.now() - datetime.timedelta(hours=24, seconds=1)
    )
    _make_due(delivery)
    outbox_sweep()
    assert OutboxMessage.objects.get(pk=delivery.outbox_message_id).status == "failed"
    assert len(receiver.received) == 1  # no attempt after the 24 hours
    with django_capture_on_commit_callbacks(execute=True):
        assert services.webhooks_settle_failures() == 1
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert not endpoint.is_active and endpoint.disabled_at is not None
    told = [m for m in mail.outbox if "Webhook" in m.subject]
    assert [m.to for m in told] == [[world.supervisor.email]]
    assert receiver.url in told[0].body
    assert services.webhooks_settle_failures() == 0  # settled once
    # The owner reads the log, enables the endpoint again and replays the delivery.
    client.force_login(world.supervisor)
    page = client.get(reverse("api:webhook", args=[endpoint.pk]))
    assert page.status_code == 200 and "no success in 24 hours" in page.content.decode()
    client.post(reverse("api:webhook_enable", args=[endpoint.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api:delivery_replay", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    headers, body = receiver.received[-1]
    assert headers["webhook-id"] == delivery.message_id
    Webhook(secret).verify(body, headers)


def test_an_employer_hears_only_of_its_own_dossiers(
    world, receiver_factory, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    services.endpoint_create(
        actor=world.employer, url=receiver.url, event_types=["dossier.submitted"], employer_siret=VALID_SIRET
    )
    services.endpoint_create(
        actor=world.lyon_supervisor,
        url=receiver.url + "/lyon",
        event_types=["dossier.submitted"],
        unit=world.lyon,
    )
    from tests.factories import complete_draft

    ours = complete_draft(applicant=world.in_review.applicant, student_last_name="Ours")
    theirs = complete_draft(applicant=world.in_review.applicant, employer_siret="35600000000048")
    with django_capture_on_commit_callbacks(execute=True):
        dossier_services.dossier_submit(dossier=ours, actor=ours.applicant)
        dossier_services.dossier_submit(dossier=theirs, actor=theirs.applicant)
    payloads = [json.loads(body) for _headers, body in receiver.received]
    assert [p["data"]["dossier"] for p in payloads] == [ours.number]  # Paris dossiers: Lyon hears nothing


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_and_loopback_receivers_are_refused_in_production(world, settings, url):
    settings.WIF_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(services.WebhookError):
        services.endpoint_create(
            actor=world.supervisor, url=url, event_types=["dossier.decided"], unit=world.paris
        )
    assert not WebhookEndpoint.objects.exists()


def test_production_checks(world, settings, receiver_factory, django_capture_on_commit_callbacks):
    settings.WIF_WEBHOOK_ALLOW_PRIVATE = False
    settings.WIF_WEBHOOK_ALLOW_HTTP = False
    # A public address (a literal: no DNS needed) passes; plain http does not.
    assert transport.resolve_checked("https://93.184.216.34/hook") == "93.184.216.34"
    with pytest.raises(transport.AddressRefused):
        transport.resolve_checked("http://93.184.216.34/hook")
    # A receiver that became private after registration is not contacted.
    receiver = receiver_factory()
    settings.WIF_WEBHOOK_ALLOW_PRIVATE = settings.WIF_WEBHOOK_ALLOW_HTTP = True
    services.endpoint_create(
        actor=world.supervisor, url=receiver.url, event_types=["dossier.decided"], unit=world.paris
    )
    settings.WIF_WEBHOOK_ALLOW_PRIVATE = False
    _accept(world, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.select_related("outbox_message").get()
    assert receiver.received == [] and delivery.status == DeliveryStatus.PENDING
    assert "privé" in delivery.last_error or "private" in delivery.last_error


def test_production_settings_refuse_private_receivers():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "config/settings/prod.py").read_text()
    assert "WIF_WEBHOOK_ALLOW_PRIVATE = False" in source and "WIF_WEBHOOK_ALLOW_HTTP = False" in source


def test_the_outbox_keeps_trying_for_the_24_hours_of_webhooks(settings):
    """The outbox gives up after WIF_OUTBOX_MAX_ATTEMPTS: those attempts must span the 24 hours."""
    base, cap = settings.WIF_OUTBOX_RETRY_BASE_SECONDS, settings.WIF_OUTBOX_RETRY_MAX_SECONDS
    waits = [min(base * 2 ** (n - 1), cap) for n in range(1, settings.WIF_OUTBOX_MAX_ATTEMPTS)]
    assert sum(waits) >= settings.WIF_WEBHOOK_RETRY_HOURS * 3600 * 0.95
