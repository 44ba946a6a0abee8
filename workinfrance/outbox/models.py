from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Abandonné")


class OutboxMessage(models.Model):
    """One message to deliver, written in the transaction of the change it reports.

    `kind` names the handler that delivers it (`handlers.outbox_handler`); `payload` is all that
    handler needs (JSON), `idempotency_key` makes a second enqueue of the same message a no-op and
    is handed to the receiver (Message-ID, webhook-id) so a redelivery can be recognised."""

    kind = models.CharField(_("type"), max_length=64)
    payload = models.JSONField(_("contenu"), default=dict)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=255, unique=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    # While pending: when the sweep may queue it again (after a failure, or if its task got lost).
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message sortant")
        verbose_name_plural = _("messages sortants")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep reads only pending rows that are due: a small partial index.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_pending_due_idx",
            ),
            models.Index(fields=["kind", "created_at"], name="outbox_kind_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="sent", sent_at__isnull=False) | ~models.Q(status="sent"),
                name="outbox_sent_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.idempotency_key} ({self.status})"
