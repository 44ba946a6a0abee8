"""Webhooks: register; one delivery per endpoint, written with the audited change and sent through
the transactional outbox (after commit, exponential backoff); after 24 hours without success the
endpoint is disabled and its owner told; the owner replays from the delivery log."""

import datetime
import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from workinfrance.core.events import event_record
from workinfrance.outbox.handlers import OutboxGiveUp, outbox_handler
from workinfrance.outbox.models import OutboxStatus
from workinfrance.outbox.services import outbox_email, outbox_enqueue

from ..models import DeliveryStatus, OwnerKind, WebhookDelivery, WebhookEndpoint, WebhookEventType
from ..owners import employer_sirets, owners_of_dossier_filter, units_managed_by
from . import signing, transport

if TYPE_CHECKING:
    from workinfrance.accounts.models import User
    from workinfrance.core.models import Event
    from workinfrance.dossiers.models import Dossier
    from workinfrance.outbox.models import OutboxMessage
    from workinfrance.permits.models import Permit
    from workinfrance.territories.models import Unit

logger = logging.getLogger(__name__)

# Audit verbs that announce something to receivers, and the webhook event they become.
EVENT_TYPES = {
    "dossier.submit": WebhookEventType.DOSSIER_SUBMITTED,
    "dossier.request_complements": WebhookEventType.COMPLEMENTS_REQUESTED,
    "dossier.resubmit": WebhookEventType.DOSSIER_RESUBMITTED,
    "dossier.accept": WebhookEventType.DOSSIER_DECIDED,
    "dossier.refuse": WebhookEventType.DOSSIER_DECIDED,
    "dossier.close": WebhookEventType.DOSSIER_DECIDED,
    "permit.issue": WebhookEventType.PERMIT_ISSUED,
    "permit.revoke": WebhookEventType.PERMIT_REVOKED,
}


OUTBOX_KIND = "webhook"


class WebhookError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def endpoint_create(
    *,
    actor: "User",
    url: str,
    event_types: Iterable[str],
    unit: "Unit | None" = None,
    employer_siret: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Returns (endpoint, secret): the signing secret is shown once to its owner."""
    problem = transport.url_problem(url)
    if problem is None:
        try:
            transport.resolve_checked(url)
        except transport.AddressRefused as error:
            problem = error.message
    if problem:
        raise WebhookError(problem)
    chosen = sorted(set(event_types))
    if not chosen or set(chosen) - set(WebhookEventType.values):
        raise WebhookError(_("Choisissez au moins un événement."))
    secret = signing.secret_new()
    endpoint = WebhookEndpoint(
        url=url, event_types=chosen, secret_encrypted=signing.secret_seal(secret), created_by=actor
    )
    if unit is not None:
        if not units_managed_by(actor).filter(pk=unit.pk).exists():
            raise WebhookError(_("Seul un responsable de l'unité peut déclarer ses webhooks."))
        endpoint.owner_kind, endpoint.unit = OwnerKind.UNIT, unit
    else:
        if employer_siret not in employer_sirets(actor):
            raise WebhookError(_("Ce SIRET n'est pas celui d'un employeur de votre compte."))
        endpoint.owner_kind, endpoint.employer, endpoint.employer_siret = (
            OwnerKind.EMPLOYER,
            actor,
            employer_siret,
        )
    with transaction.atomic():
        endpoint.save()
        event_record(actor=actor, verb="webhook.create", target=endpoint, data={"events": chosen})
    return endpoint, secret


def endpoint_delete(*, endpoint: WebhookEndpoint, actor: "User") -> None:
    with transaction.atomic():
        event_record(actor=actor, verb="webhook.delete", target=endpoint, data={})
        endpoint.delete()


def endpoint_enable(*, endpoint: WebhookEndpoint, actor: "User") -> None:
    """Back in service for new events; what was given up meanwhile is replayed from the log."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=True, disabled_at=None, consecutive_failures=0
        )
        event_record(actor=actor, verb="webhook.enable", target=endpoint, data={})


def _payload(event: "Event", event_type: str, dossier: "Dossier", permit: "Permit | None") -> dict[str, Any]:
    data = {"dossier": dossier.number}
    if permit is not None:
        data["permit"] = permit.number
    else:  # a permit's event comes before the dossier's own: its state would mislead
        data["state"] = dossier.state
    return {"type": event_type, "timestamp": event.created_at.isoformat(), "data": data}


def webhooks_enqueue_for_event(event: "Event") -> None:
    """Called for every audit event, in its transaction: one delivery per interested endpoint."""
    event_type = EVENT_TYPES.get(event.verb)
    if event_type is None:
        return
    from workinfrance.dossiers.models import Dossier
    from workinfrance.permits.models import Permit

    permit = None
    if event.target_type == "permits.permit":
        permit = Permit.objects.select_related("dossier").get(pk=event.target_id)
        dossier = permit.dossier
    else:
        dossier = Dossier.objects.get(pk=event.target_id)
    if dossier.unit_id is None:
        return
    endpoints = WebhookEndpoint.objects.filter(owners_of_dossier_filter(dossier), is_active=True)
    for endpoint in endpoints:
        if event_type not in endpoint.event_types:
            continue
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event_type=event_type, payload=_payload(event, event_type, dossier, permit)
        )
        _send(delivery, key=f"webhook:{delivery.message_id}")


def _send(delivery: WebhookDelivery, *, key: str) -> None:
    """Through the outbox, in the current transaction: sent after commit, retried with backoff."""
    message = outbox_enqueue(kind=OUTBOX_KIND, payload={"delivery": delivery.pk}, idempotency_key=key)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(outbox_message=message)


class ReceiverRefused(Exception):
    """The receiver did not answer 2xx, or could not be reached: the outbox tries again later."""


@outbox_handler(OUTBOX_KIND)
def deliver(message: "OutboxMessage") -> None:
    """One attempt, run by the outbox worker inside the transaction that marks the message sent:
    only a success is written here (a failure rolls back; the outbox records it)."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint").filter(pk=message.payload["delivery"]).first()
    )
    if delivery is None or delivery.outbox_message_id != message.pk:
        raise OutboxGiveUp("superseded by a replay, or deleted with its endpoint")
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise OutboxGiveUp(DISABLED)
    if timezone.now() > delivery.retry_from + datetime.timedelta(hours=settings.WIF_WEBHOOK_RETRY_HOURS):
        raise OutboxGiveUp(f"no success in {settings.WIF_WEBHOOK_RETRY_HOURS} hours")
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(timezone.now().timestamp())
    secret = signing.secret_open(endpoint.secret_encrypted)
    outcome = transport.post(
        endpoint.url, body, signing.headers(secret, delivery.message_id, timestamp, body)
    )
    if not outcome.ok:
        raise ReceiverRefused(outcome.error)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), last_status_code=outcome.status_code
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)


DISABLED = "endpoint disabled"


def webhooks_settle_failures() -> int:
    """Periodic: deliveries the outbox gave up on are marked failed; their endpoint is disabled and its
    owner told by e-mail (unless it was already disabled). Returns how many were settled."""
    failed = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, outbox_message__status=OutboxStatus.FAILED
        )
        .select_related("outbox_message")
        .order_by("pk")
    )
    for delivery in failed:
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
            endpoint = (
                WebhookEndpoint.objects.select_for_update()
                .select_related("created_by")
                .get(pk=delivery.endpoint_id)
            )
            endpoint.consecutive_failures += 1
            endpoint.save(update_fields=["consecutive_failures"])
            if endpoint.is_active and DISABLED not in delivery.last_error:
                _disable(endpoint, delivery)
    return len(failed)


def _disable(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_at=now)
    event_record(
        actor=None,
        verb="webhook.disable",
        target=endpoint,
        data={"delivery": delivery.pk, "error": delivery.last_error},
    )
    owner = endpoint.created_by
    with override(owner.preferred_language or settings.LANGUAGE_CODE):
        outbox_email(
            to=owner.email,
            subject=str(_("Webhook désactivé")),
            body=_(
                "Les envois vers %(url)s échouent depuis 24 heures (dernière erreur : %(error)s). "
                "Le webhook est désactivé : corrigez le récepteur, puis réactivez-le et rejouez les "
                "envois depuis le journal des livraisons."
            )
            % {"url": endpoint.url, "error": delivery.last_error},
            idempotency_key=f"webhook-disabled:{endpoint.pk}:{now.timestamp()}",
        )


def delivery_replay(*, delivery: WebhookDelivery, actor: "User") -> WebhookDelivery:
    """Send a delivery again, whatever its status, for another 24 hours: a new outbox message, the
    same `webhook-id` (receivers drop duplicates); an attempt of the previous message still pending
    gives up as superseded."""
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, retry_from=now)
        event_record(
            actor=actor, verb="webhook.replay", target=delivery.endpoint, data={"delivery": delivery.pk}
        )
        _send(delivery, key=f"webhook:{delivery.message_id}:replay:{now.timestamp()}")
    delivery.refresh_from_db()
    return delivery
