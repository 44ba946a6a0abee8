"""An opinion ("avis") an agent asks of another service about one dossier.

The expert has no account: a link carries a token whose SHA-256 digest alone is stored. The token is
an HMAC (keyed by the service's secret) of a random salt kept on the row, so a reminder can repeat the
same link without the token ever being written down; whoever reads the database cannot rebuild it."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workinfrance.dossiers.fields import (
    EMPLOYER_FIELDS,
    IDENTITY_FIELDS,
    JOB_FIELDS,
    RESIDENCE_FIELDS,
    STUDY_FIELDS,
)


class OpinionStatus(models.TextChoices):
    PENDING = "pending", _("En attente de réponse")
    ANSWERED = "answered", _("Répondu")
    CANCELLED = "cancelled", _("Annulé")


class SharedSection(models.TextChoices):
    STUDENT = "student", _("Étudiant")
    RESIDENCE = "residence", _("Titre de séjour")
    STUDY = "study", _("Études")
    EMPLOYER = "employer", _("Employeur")
    JOB = "job", _("Emploi")


# The dossier fields each shareable section shows to the expert.
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    SharedSection.STUDENT: IDENTITY_FIELDS,
    SharedSection.RESIDENCE: RESIDENCE_FIELDS,
    SharedSection.STUDY: STUDY_FIELDS,
    SharedSection.EMPLOYER: EMPLOYER_FIELDS,
    SharedSection.JOB: JOB_FIELDS,
}


class ReminderStage(models.IntegerChoices):
    NONE = 0, _("Aucune relance")
    DUE_SOON = 1, _("Relance avant l'échéance")
    OVERDUE = 2, _("Relance après l'échéance")


def answer_upload_path(instance, filename):
    extension = os.path.splitext(filename)[1].lower()
    return f"opinions/{instance.dossier.uuid}/{uuid.uuid4().hex}{extension if extension in {'.pdf', '.jpg', '.png'} else ''}"


class OpinionRequest(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="opinions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandé par"), on_delete=models.PROTECT, related_name="+"
    )
    expert_email = models.EmailField(_("e-mail de l'expert"))
    question = models.TextField(_("question"))
    due_date = models.DateField(_("réponse attendue le"))
    # Keys of SharedSection: the parts of the dossier's data the expert sees.
    sections = models.JSONField(_("données partagées"), default=list, blank=True)
    documents = models.ManyToManyField(
        "dossiers.Document", verbose_name=_("pièces partagées"), related_name="+", blank=True
    )
    token_salt = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("lien valable jusqu'au"))
    status = models.CharField(
        _("statut"), max_length=16, choices=OpinionStatus.choices, default=OpinionStatus.PENDING
    )
    reminder_stage = models.PositiveSmallIntegerField(
        _("relances envoyées"), choices=ReminderStage.choices, default=ReminderStage.NONE
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    first_viewed_at = models.DateTimeField(_("consulté par l'expert le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    answer = models.TextField(_("réponse"), blank=True)
    answer_file = models.FileField(upload_to=answer_upload_path, max_length=200, blank=True)
    answer_file_name = models.CharField(max_length=200, blank=True)
    answer_file_type = models.CharField(max_length=50, blank=True)
    answer_file_size = models.PositiveIntegerField(null=True, blank=True)
    answer_file_sha256 = models.CharField(max_length=64, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    Status = OpinionStatus

    class Meta:
        verbose_name = _("demande d'avis")
        verbose_name_plural = _("demandes d'avis")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["dossier", "created_at"], name="opinion_dossier_idx"),
            # The daily reminders read the pending requests by due date.
            models.Index(
                fields=["due_date"], condition=Q(status=OpinionStatus.PENDING), name="opinion_pending_due_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OpinionStatus.values), name="opinion_status_valid"),
            models.CheckConstraint(
                condition=Q(reminder_stage__in=ReminderStage.values), name="opinion_reminder_stage_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=OpinionStatus.ANSWERED) | Q(answered_at__isnull=False),
                name="opinion_answered_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=OpinionStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="opinion_cancelled_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.expert_email} ({self.dossier})"

    @property
    def is_pending(self) -> bool:
        return self.status == OpinionStatus.PENDING

    @property
    def section_labels(self) -> list[str]:
        return [str(section.label) for section in SharedSection if section.value in self.sections]
