from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PurgeRun(models.Model):
    """One run of the retention purge: the target of its audit events, with its totals (counts only)."""

    started_at = models.DateTimeField(_("commencée le"), default=timezone.now)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    counts = models.JSONField(_("nombres"), default=dict, blank=True)

    class Meta:
        verbose_name = _("purge des données")
        verbose_name_plural = _("purges des données")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"
