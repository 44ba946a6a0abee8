import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workinfrance.procedures.models import ContractType


class PermitStatus(models.TextChoices):
    VALID = "valid", _("Valide")
    REVOKED = "revoked", _("Retirée")


class Permit(models.Model):
    """An issued temporary work authorisation. Its fields are frozen copies: the dossier may change later."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Public number with a random part: APT-<year>-<department>-<8 Crockford base32 characters>.
    number = models.CharField(_("numéro"), max_length=32, unique=True)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="permits")
    holder_first_name = models.CharField(_("prénom(s)"), max_length=150)
    holder_last_name = models.CharField(_("nom"), max_length=150)
    # Empty once the retention period is over (purged_at): the permit stays as a minimal record.
    holder_birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    holder_nationality = models.CharField(_("nationalité"), max_length=100, blank=True)
    employer_name = models.CharField(_("employeur"), max_length=250)
    employer_siret = models.CharField(_("SIRET"), max_length=14)
    category = models.ForeignKey("procedures.Category", on_delete=models.PROTECT, related_name="+")
    job_title = models.CharField(_("emploi"), max_length=200)
    contract_type = models.CharField(_("type de contrat"), max_length=24, choices=ContractType.choices)
    weekly_hours = models.DecimalField(_("heures hebdomadaires autorisées"), max_digits=4, decimal_places=1)
    valid_from = models.DateField(_("valable du"))
    valid_until = models.DateField(_("valable jusqu'au"))
    unit = models.ForeignKey("territories.Unit", on_delete=models.PROTECT, related_name="permits")
    signatory_name = models.CharField(_("signataire"), max_length=200)
    issued_at = models.DateTimeField(_("délivrée le"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("statut"), max_length=10, choices=PermitStatus.choices, default=PermitStatus.VALID
    )
    revoked_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    revocation_reason = models.TextField(_("motif du retrait"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The seal: Base32 of the COSE_Sign1 bytes (the QR code adds the public address before it).
    seal = models.TextField(_("cachet électronique"), blank=True)
    seal_kid = models.CharField(
        _("clé du cachet"), max_length=16, blank=True, help_text=_("kid, en hexadécimal")
    )
    # The signed PDF, in the default storage; never served directly (see views.download).
    pdf = models.FileField(_("PDF"), upload_to="permits/", max_length=200, blank=True)
    pdf_issued_at = models.DateTimeField(_("PDF produit le"), null=True, blank=True)
    # Set by the retention purge: number, validity, status and unit remain, nothing about the person.
    purged_at = models.DateTimeField(_("données effacées le"), null=True, blank=True)

    class Meta:
        verbose_name = _("autorisation provisoire de travail")
        verbose_name_plural = _("autorisations provisoires de travail")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="permit_validity_order"
            ),
            models.CheckConstraint(
                condition=models.Q(status="valid", revoked_at__isnull=True)
                | models.Q(status="revoked", revoked_at__isnull=False),
                name="permit_revocation_consistent",
            ),
        ]

    def __str__(self):
        return self.number

    def is_expired(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.valid_until

    @property
    def is_revoked(self) -> bool:
        return self.status == PermitStatus.REVOKED


class DecisionKind(models.TextChoices):
    REFUSAL = "refusal", _("Refus")
    REVOCATION = "revocation", _("Retrait d'autorisation")


class DecisionLetter(models.Model):
    """The signed letter notifying an adverse decision (a refusal, a permit's revocation): reasons,
    legal basis, appeal routes and their deadline, signatory. Its texts are frozen copies taken at the
    decision, in the applicant's language; the PAdES-signed PDF is produced after commit, like a permit's."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="decision_letters")
    permit = models.ForeignKey(
        Permit, null=True, blank=True, on_delete=models.PROTECT, related_name="decision_letters"
    )
    kind = models.CharField(_("décision"), max_length=12, choices=DecisionKind.choices)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    dossier_number = models.CharField(_("numéro du dossier"), max_length=24)
    holder_name = models.CharField(_("titulaire"), max_length=310)
    employer_name = models.CharField(_("employeur"), max_length=250, blank=True)
    employer_siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    job_title = models.CharField(_("emploi"), max_length=200, blank=True)
    # The reason as notified: the refusal reason's label (in `language`), or empty for a revocation.
    reason_label = models.CharField(_("motif"), max_length=200, blank=True)
    reason_text = models.TextField(_("motivation"), blank=True)
    unit = models.ForeignKey("territories.Unit", on_delete=models.PROTECT, related_name="decision_letters")
    signatory_name = models.CharField(_("signataire"), max_length=200)
    decided_at = models.DateTimeField(_("décidée le"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The signed PDF, in the default storage; served only to whoever may see the dossier.
    pdf = models.FileField(_("PDF"), upload_to="decisions/", max_length=200, blank=True)
    pdf_issued_at = models.DateTimeField(_("PDF produit le"), null=True, blank=True)

    class Meta:
        verbose_name = _("lettre de décision")
        verbose_name_plural = _("lettres de décision")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DecisionKind.values), name="decision_letter_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="refusal", permit__isnull=True)
                | models.Q(kind="revocation", permit__isnull=False),
                name="decision_letter_revocation_has_permit",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "-decided_at"], name="decision_letter_dossier_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.dossier_number}"

    @property
    def download_name(self) -> str:
        return f"decision-{self.kind}-{self.dossier_number}.pdf"
