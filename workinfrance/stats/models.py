"""Precomputed statistics, derived from the event history and rebuildable from it at any time.

`DossierFact` summarises one filed dossier's history; `MonthlyCell` adds the facts up per
(month of first submission, category, department, unit) so a page reads a few thousand rows
instead of millions of events. `RefreshState` remembers how far the event history was read.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workinfrance.dossiers.lifecycle import State


class Outcome(models.TextChoices):
    IN_PROGRESS = "", _("En cours")
    # A decision is the state it leaves the dossier in (the figures are named after them too).
    ACCEPTED = State.ACCEPTED.value, _("Accepté")
    REFUSED = State.REFUSED.value, _("Refusé")
    CLOSED = State.CLOSED.value, _("Classé sans suite")


class DossierFact(models.Model):
    """One filed dossier as the statistics see it (see `history.summarise` for the definitions)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", primary_key=True, on_delete=models.CASCADE, related_name="stats_fact"
    )
    category = models.ForeignKey("procedures.Category", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("territories.Department", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("territories.Unit", on_delete=models.PROTECT, related_name="+")
    # First day of the month (Europe/Paris) of the first submission: the cohort of the dossier.
    month = models.DateField()
    first_submitted_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Calendar days, first submission to final decision, and the part spent awaiting complements.
    processing_days = models.PositiveIntegerField(null=True, blank=True)
    applicant_days = models.PositiveIntegerField(default=0)
    needed_complements = models.BooleanField(default=False)
    last_event_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["month", "category", "department", "unit"], name="stats_fact_cell_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="", decided_at__isnull=True, processing_days__isnull=True)
                | (~models.Q(outcome="") & models.Q(decided_at__isnull=False, processing_days__isnull=False)),
                name="stats_fact_decided_consistent",
            ),
        ]


class Level(models.TextChoices):
    """What a cell adds up: every (month, category, department, unit), or coarser groups that let
    the unfiltered national page read ~1,500 rows instead of summing every fine cell."""

    FINE = "fine", "month × category × department × unit"
    MONTH = "month", "month"
    CATEGORY = "category", "month × category"
    DEPARTMENT = "department", "month × department"
    UNIT = "unit", "month × unit"


class MonthlyCell(models.Model):
    """Additive totals of the facts of one group (see `Level`); dimensions not grouped on are empty."""

    level = models.CharField(max_length=16, choices=Level.choices)
    month = models.DateField()
    category = models.ForeignKey(
        "procedures.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "territories.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "territories.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filed = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    with_complements = models.PositiveIntegerField(default=0)
    # Over decided dossiers only.
    processing_days_sum = models.PositiveBigIntegerField(default=0)
    applicant_days_sum = models.PositiveBigIntegerField(default=0)
    # {"<processing days>": <number of decided dossiers>}: exact medians and percentiles of any union.
    histogram = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["level", "month"], name="stats_cell_level_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "category", "department", "unit"],
                condition=models.Q(level="fine"),
                name="stats_fine_cell_unique",
            ),
        ]


class RefreshState(models.Model):
    """A single row: the event history has been read up to `last_event_id`."""

    last_event_id = models.BigIntegerField(default=0)
    # When the last catch-up started: the next one re-reads events from a little before it.
    refreshed_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever a figure may have changed: part of every cache key.
    version = models.PositiveBigIntegerField(default=0)
