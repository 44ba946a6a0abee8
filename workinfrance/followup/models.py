from django.db import models
from django.utils.translation import gettext_lazy as _


def monthly_report_path(report, filename: str) -> str:
    return f"reports/unit-{report.unit_id}/{report.month:%Y-%m}.xlsx"


class MonthlyReport(models.Model):
    """A unit's workbook for one month, produced on the first day of the next; previous months kept."""

    unit = models.ForeignKey("territories.Unit", on_delete=models.CASCADE, related_name="monthly_reports")
    month = models.DateField(_("mois"), help_text=_("premier jour du mois"))
    file = models.FileField(upload_to=monthly_report_path, max_length=200)
    size = models.PositiveIntegerField(_("taille (octets)"))
    produced_at = models.DateTimeField(_("produit le"))

    class Meta:
        verbose_name = _("rapport mensuel")
        verbose_name_plural = _("rapports mensuels")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="monthly_report_unique")]

    def __str__(self):
        return f"{self.unit} {self.month:%Y-%m}"


class RenewalReminder(models.Model):
    """The renewal reminder of one permit, sent once: the row is written with the e-mails."""

    permit = models.OneToOneField("permits.Permit", on_delete=models.CASCADE, related_name="renewal_reminder")
    due_on = models.DateField(_("dû le"))
    sent_at = models.DateTimeField(_("envoyé le"))

    class Meta:
        verbose_name = _("rappel de renouvellement")
        verbose_name_plural = _("rappels de renouvellement")
