"""API tokens, idempotent responses, webhook endpoints and their deliveries."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    DOSSIERS_READ = "dossiers:read", _("Lire les dossiers")
    DOCUMENTS_READ = "documents:read", _("Télécharger les pièces et les autorisations")
    DOSSIERS_ACT = "dossiers:act", _("Agir sur les dossiers")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Gérer les webhooks")


class OwnerKind(models.TextChoices):
    UNIT = "unit", _("Unité")
    EMPLOYER = "employer", _("Employeur")


class Owned(models.Model):
    """Who a token or a webhook belongs to: a unit, or an employer account for one SIRET."""

    owner_kind = models.CharField(_("titulaire"), max_length=10, choices=OwnerKind.choices)
    unit = models.ForeignKey(
        "territories.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    employer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    employer_siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        abstract = True

    @property
    def owner_label(self) -> str:
        if self.owner_kind == OwnerKind.UNIT:
            return str(self.unit)
        return f"SIRET {self.employer_siret}"


OWNER_CONSISTENT = models.Q(owner_kind="unit", unit__isnull=False, employer__isnull=True) | models.Q(
    owner_kind="employer", unit__isnull=True, employer__isnull=False
)


class ApiToken(Owned):
    """A bearer token. Only `prefix` (public, shown in lists) and the SHA-256 of the secret are kept."""

    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("droits"), default=list)
    expires_at = models.DateTimeField(_("expire le"))
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=OWNER_CONSISTENT, name="api_token_owner_consistent")]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotentResponse(models.Model):
    """The first answer to an action sent with an `Idempotency-Key`, replayed for the same key."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_unique")]


class WebhookEventType(models.TextChoices):
    DOSSIER_SUBMITTED = "dossier.submitted", _("Dossier déposé")
    COMPLEMENTS_REQUESTED = "dossier.complements_requested", _("Compléments demandés")
    DOSSIER_RESUBMITTED = "dossier.resubmitted", _("Dossier complété renvoyé")
    DOSSIER_DECIDED = "dossier.decided", _("Décision prise")
    PERMIT_ISSUED = "permit.issued", _("Autorisation délivrée")
    PERMIT_REVOKED = "permit.revoked", _("Autorisation retirée")


class WebhookEndpoint(Owned):
    url = models.URLField(_("adresse"), max_length=500)
    event_types = models.JSONField(_("événements"), default=list)
    # Standard Webhooks secret ("whsec_" + Base64), encrypted with a key derived from SECRET_KEY:
    # unlike a token it must be read back to sign.
    secret_encrypted = models.TextField()
    is_active = models.BooleanField(_("actif"), default=True)
    disabled_at = models.DateTimeField(_("désactivé le"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=OWNER_CONSISTENT, name="webhook_owner_consistent")]

    def __str__(self):
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    DELIVERED = "delivered", _("Livrée")
    FAILED = "failed", _("Abandonnée")


class WebhookDelivery(models.Model):
    """The owner's view of one announcement to one endpoint. It travels as an outbox message
    (`workinfrance.outbox`), written in the same transaction: attempts, backoff and errors are the
    outbox row's; a replay sends it again under a new outbox row, with the same `webhook-id`."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The `webhook-id` header: the same for every attempt and replay, so receivers can drop duplicates.
    message_id = models.CharField(max_length=40, unique=True, default="")
    event_type = models.CharField(_("événement"), max_length=40, choices=WebhookEventType.choices)
    payload = models.JSONField()
    status = models.CharField(
        _("statut"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    outbox_message = models.OneToOneField(
        "outbox.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_status_code = models.PositiveSmallIntegerField(_("dernier code HTTP"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    # Retries stop 24 h after this (the creation, or the last replay).
    retry_from = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(_("livrée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("livraison de webhook")
        verbose_name_plural = _("livraisons de webhook")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "endpoint"], name="webhook_delivery_status_idx")]

    def save(self, *args, **kwargs):
        if not self.message_id:
            self.message_id = f"msg_{uuid.uuid4().hex}"
        super().save(*args, **kwargs)

    @property
    def attempts(self) -> int:
        return self.outbox_message.attempts if self.outbox_message is not None else 0

    @property
    def last_error(self) -> str:
        return self.outbox_message.last_error[:300] if self.outbox_message is not None else ""
