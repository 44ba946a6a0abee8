"""The figures of a unit's monthly report, per department, from the statistics facts
(`stats.DossierFact`: first submission, outcome, decision date, processing days). Only the
nationality (the dossier) and the validity (the permit) are read elsewhere: facts hold neither.

Definitions (also written in the workbook):
- filed: dossiers first submitted during the month;
- accepted, refused: decisions taken during the month, whenever the dossier was filed;
- median processing time: calendar days from first submission to decision, over the month's
  decisions (accepted, refused and closed);
- validity under / at least 3 months: the month's acceptances, by the length of the permit issued.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from workinfrance.permits.models import Permit
from workinfrance.stats.models import DossierFact, Outcome

SHORT_VALIDITY_MONTHS = 3


@dataclass
class Counts:
    filed: int = 0
    accepted: int = 0
    refused: int = 0


@dataclass
class DepartmentFigures(Counts):
    processing_days: list[int] = field(default_factory=list)
    validity_short: int = 0  # accepted, validity under 3 months
    validity_long: int = 0  # accepted, validity of 3 months or more

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.processing_days) if self.processing_days else None


@dataclass
class ReportFigures:
    month: datetime.date
    departments: dict[str, DepartmentFigures]  # department code -> figures
    by_category: dict[tuple[str, int], Counts]  # (department code, category id) -> counts
    by_nationality: dict[tuple[str, str], Counts]  # (department code, nationality) -> counts
    total: DepartmentFigures


def validity_is_short(valid_from: datetime.date, valid_until: datetime.date) -> bool:
    """Under 3 months: 1 January to 31 March is 3 months (the last day is included)."""
    return valid_until + datetime.timedelta(days=1) < valid_from + relativedelta(months=SHORT_VALIDITY_MONTHS)


def nationality_label(value: str) -> str:
    return " ".join(value.split()).capitalize()


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(month + relativedelta(months=1), datetime.time.min))
    return start, end


def report_figures(*, unit, month: datetime.date) -> ReportFigures:
    month = month.replace(day=1)
    start, end = _month_bounds(month)
    departments: dict[str, DepartmentFigures] = defaultdict(DepartmentFigures)
    by_category: dict[tuple[str, int], Counts] = defaultdict(Counts)
    by_nationality: dict[tuple[str, str], Counts] = defaultdict(Counts)
    total = DepartmentFigures()

    facts = DossierFact.objects.filter(unit=unit)
    filed = facts.filter(month=month).values_list(
        "department_id", "category_id", "dossier__student_nationality"
    )
    for department, category, nationality in filed.iterator():
        for counts in (departments[department], by_category[department, category], total):
            counts.filed += 1
        by_nationality[department, nationality_label(nationality)].filed += 1

    decided = facts.filter(decided_at__gte=start, decided_at__lt=end).values_list(
        "dossier_id",
        "department_id",
        "category_id",
        "dossier__student_nationality",
        "outcome",
        "processing_days",
    )
    accepted_in = {}
    for dossier_id, department, category, nationality, outcome, days in decided.iterator():
        departments[department].processing_days.append(days)
        total.processing_days.append(days)
        if outcome not in (Outcome.ACCEPTED, Outcome.REFUSED):
            continue
        name = Outcome(outcome).name.lower()  # the counter named after the outcome
        for counts in (
            departments[department],
            by_category[department, category],
            by_nationality[department, nationality_label(nationality)],
            total,
        ):
            setattr(counts, name, getattr(counts, name) + 1)
        if outcome == Outcome.ACCEPTED:
            accepted_in[dossier_id] = department

    # The permit issued at the acceptance: the latest one of each accepted dossier.
    validity = {}
    accepted = facts.filter(decided_at__gte=start, decided_at__lt=end, outcome=Outcome.ACCEPTED)
    permits = Permit.objects.filter(dossier_id__in=accepted.values("dossier_id")).order_by("issued_at")
    for dossier_id, valid_from, valid_until in permits.values_list("dossier_id", "valid_from", "valid_until"):
        validity[dossier_id] = validity_is_short(valid_from, valid_until)
    for dossier_id, short in validity.items():
        name = "validity_short" if short else "validity_long"
        for figures in (departments[accepted_in[dossier_id]], total):
            setattr(figures, name, getattr(figures, name) + 1)

    return ReportFigures(
        month=month,
        departments=dict(sorted(departments.items())),
        by_category=dict(by_category),
        by_nationality=dict(by_nationality),
        total=total,
    )
