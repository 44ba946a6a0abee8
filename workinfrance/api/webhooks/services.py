"""Webhooks: register, enqueue a delivery per endpoint in the transaction of the audited change,
deliver after commit with exponential backoff for 24 hours, give up and disable, replay."""

import datetime
import json
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from workinfrance.core.emails import send_service_email
from workinfrance.core.events import event_record

from ..models import DeliveryStatus, OwnerKind, WebhookDelivery, WebhookEndpoint, WebhookEventType
from ..owners import employer_sirets, owners_of_dossier_filter, units_managed_by
from . import signing, transport

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


class WebhookError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def endpoint_create(*, actor, url: str, event_types, unit=None, employer_siret: str = ""):
    """Returns (endpoint, secret): the signing secret is shown once to its owner."""
    problem = transport.url_problem(url)
    if problem is None:
        try:
            transport.resolve_checked(url)
        except transport.AddressRefused as error:
            problem = error.message
    if problem:
        raise WebhookError(problem)
    event_types = sorted(set(event_types))
    if not event_types or set(event_types) - set(WebhookEventType.values):
        raise WebhookError(_("Choisissez au moins un événement."))
    secret = signing.secret_new()
    endpoint = WebhookEndpoint(
        url=url, event_types=event_types, secret_encrypted=signing.secret_seal(secret), created_by=actor
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
        event_record(actor=actor, verb="webhook.create", target=endpoint, data={"events": event_types})
    return endpoint, secret


def endpoint_delete(*, endpoint: WebhookEndpoint, actor) -> None:
    with transaction.atomic():
        event_record(actor=actor, verb="webhook.delete", target=endpoint, data={})
        endpoint.delete()


def endpoint_enable(*, endpoint: WebhookEndpoint, actor) -> None:
    """Back in service; what was left pending is sent again."""
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=True, disabled_at=None, consecutive_failures=0
        )
        pending = list(endpoint.deliveries.filter(status=DeliveryStatus.PENDING).values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=pending).update(
            next_attempt_at=timezone.now(), retry_from=timezone.now()
        )
        event_record(actor=actor, verb="webhook.enable", target=endpoint, data={})
        for pk in pending:
            _schedule(pk)


def _payload(event, event_type: str, dossier, permit) -> dict:
    data = {"dossier": dossier.number}
    if permit is not None:
        data["permit"] = permit.number
    else:  # a permit's event comes before the dossier's own: its state would mislead
        data["state"] = dossier.state
    return {"type": event_type, "timestamp": event.created_at.isoformat(), "data": data}


def webhooks_enqueue_for_event(event) -> None:
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
    now = timezone.now()
    for endpoint in endpoints:
        if event_type not in endpoint.event_types:
            continue
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type=event_type,
            payload=_payload(event, event_type, dossier, permit),
            next_attempt_at=now,
            retry_from=now,
        )
        _schedule(delivery.pk)


def _schedule(delivery_id: int) -> None:
    from .tasks import deliver_webhook

    transaction.on_commit(lambda: deliver_webhook.delay(delivery_id=delivery_id))


def retry_delay(attempts: int) -> datetime.timedelta:
    """After the n-th failed attempt: base × 3^(n-1) (1 min, 3, 9, 27, 81 min, 4 h, 12 h with the default)."""
    return datetime.timedelta(seconds=settings.WIF_WEBHOOK_RETRY_BASE_SECONDS * 3 ** (attempts - 1))


LEASE = datetime.timedelta(seconds=transport.TIMEOUT_SECONDS * 3)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the delivery for one attempt (a lease, not a lock held during the HTTP call): the sweep
    and the task scheduled after commit never send it twice at once."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(timezone.now().timestamp())
    secret = signing.secret_open(endpoint.secret_encrypted)
    outcome = transport.post(
        endpoint.url, body, signing.headers(secret, delivery.message_id, timestamp, body)
    )
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
        now = timezone.now()
        if outcome.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                now,
                None,
            )
            endpoint.consecutive_failures = 0
        else:
            endpoint.consecutive_failures += 1
            next_at = now + retry_delay(delivery.attempts)
            deadline = delivery.retry_from + datetime.timedelta(hours=settings.WIF_WEBHOOK_RETRY_HOURS)
            if next_at > deadline:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
                _disable(endpoint, delivery)
            else:
                delivery.next_attempt_at = next_at
        delivery.save()
        endpoint.save(update_fields=["consecutive_failures", "is_active", "disabled_at"])
    return delivery


def _disable(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    """A delivery refused for 24 hours: the endpoint stops (its owner re-enables it) and is told."""
    if not endpoint.is_active:
        return
    endpoint.is_active, endpoint.disabled_at = False, timezone.now()
    event_record(
        actor=None,
        verb="webhook.disable",
        target=endpoint,
        data={"delivery": delivery.pk, "last_error": delivery.last_error},
    )
    to, url, error = endpoint.created_by.email, endpoint.url, delivery.last_error
    language = endpoint.created_by.preferred_language or settings.LANGUAGE_CODE

    def notify():
        with override(language):
            send_service_email(
                to=to,
                subject=_("Webhook désactivé"),
                body=_(
                    "Les envois vers %(url)s échouent depuis 24 heures (dernière erreur : %(error)s). "
                    "Le webhook est désactivé : corrigez le récepteur, puis réactivez-le et rejouez les "
                    "envois depuis le journal des livraisons."
                )
                % {"url": url, "error": error},
            )

    transaction.on_commit(notify)


def delivery_replay(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send a delivery again, whatever its status: same message id (receivers drop duplicates)."""
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now, retry_from=now
        )
        event_record(
            actor=actor, verb="webhook.replay", target=delivery.endpoint, data={"delivery": delivery.pk}
        )
        _schedule(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def deliveries_due(limit: int = 200) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now(), endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
