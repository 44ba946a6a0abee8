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
