"""The same report computed directly from the transition history, without the precomputed tables.

Slow by design (it replays every dossier's transitions and sorts the raw values): it is the
reference the precomputed figures are checked against (`manage.py stats_check`, tests)."""

import datetime
from collections import defaultdict

from workinfrance.dossiers.models import Dossier

from .figures import TRIM_PERCENT, Figures
from .history import HistoryEvent, Summary, summarise
from .models import Outcome
from .selectors import Filters, Report, period_months
from .services import HISTORY_COLUMNS, dossier_transitions


def _percentile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _trimmed_mean(values: list[int]) -> float | None:
    cut = len(values) * TRIM_PERCENT // 100
    kept = values[cut : len(values) - cut]
    return sum(kept) / len(kept) if kept else None


def figures_of(summaries: list[Summary]) -> Figures:
    decided = [s for s in summaries if s.outcome]
    days = sorted(s.processing_days for s in decided)
    applicant = sum(s.applicant_days for s in decided)
    return Figures(
        filed=len(summaries),
        accepted=sum(s.outcome == Outcome.ACCEPTED for s in decided),
        refused=sum(s.outcome == Outcome.REFUSED for s in decided),
        closed=sum(s.outcome == Outcome.CLOSED for s in decided),
        with_complements=sum(s.needed_complements for s in summaries),
        median_days=_percentile(days, 0.5),
        p90_days=_percentile(days, 0.9),
        trimmed_mean_days=_trimmed_mean(days),
        applicant_days_mean=applicant / len(decided) if decided else None,
        administration_days_mean=(sum(days) - applicant) / len(decided) if decided else None,
    )


def report_from_events(*, filters: Filters, today: datetime.date) -> Report:
    months = period_months(today)
    dimensions = {
        pk: (category, department, unit)
        for pk, category, department, unit in Dossier.objects.values_list(
            "pk", "category_id", "department_id", "unit_id"
        ).iterator(10000)
    }
    histories = defaultdict(list)
    rows = dossier_transitions().values_list(*HISTORY_COLUMNS)
    for dossier_id, event_id, transition, at, to_state in rows.iterator(10000):
        histories[dossier_id].append(HistoryEvent(event_id, transition, at, to_state))
    groups = {name: defaultdict(list) for name in ("month", "category", "department", "unit")}
    selected = []
    for pk, history in histories.items():
        summary = summarise(history)
        category, department, unit = dimensions.get(pk, (None, None, None))
        if summary is None or unit is None or summary.month not in months:
            continue
        if not filters.matches(category, department, unit):
            continue
        selected.append(summary)
        for name, key in (
            ("month", summary.month),
            ("category", category),
            ("department", department),
            ("unit", unit),
        ):
            groups[name][key].append(summary)
    return Report(
        months=months,
        total=figures_of(selected),
        by_month=[(month, figures_of(groups["month"][month])) for month in months],
        by_category=[(key, figures_of(items)) for key, items in sorted(groups["category"].items())],
        by_department=[(key, figures_of(items)) for key, items in sorted(groups["department"].items())],
        by_unit=[(key, figures_of(items)) for key, items in sorted(groups["unit"].items())],
    )
