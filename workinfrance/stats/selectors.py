"""Reading the statistics: reports for the public page and the unit dashboard, typical delays."""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from workinfrance.accounts.models import STAFF_ROLES, User
from workinfrance.dossiers.lifecycle import AWAITING_UNIT_STATES, State, Transition, values
from workinfrance.dossiers.models import DossierTransition
from workinfrance.dossiers.selectors import dossiers_visible_to
from workinfrance.followup.alerts import is_stalled

from .figures import Figures, Tally
from .models import Level, MonthlyCell, RefreshState
from .services import stats_refresh_if_due

PERIOD_MONTHS = 12
CACHE_SECONDS = 3600
# Below this many decided dossiers a typical delay says little: widen the scope instead.
TYPICAL_MIN_DECIDED = 20
TYPICAL_PERCENTILE = 0.8
WAITING_STATES = values(AWAITING_UNIT_STATES)
# Every column of a cell but its id (named tuples are read by attribute).
CELL_FIELDS = tuple(f.attname for f in MonthlyCell._meta.concrete_fields if not f.primary_key)


@dataclass(frozen=True)
class Filters:
    category: int | None = None
    department: str | None = None
    unit: int | None = None

    def cell_lookup(self) -> dict:
        lookup = {"category_id": self.category, "department_id": self.department, "unit_id": self.unit}
        return {key: value for key, value in lookup.items() if value is not None}

    def matches(self, category: int, department: str, unit: int) -> bool:
        return (
            self.category in (None, category)
            and self.department in (None, department)
            and self.unit in (None, unit)
        )


@dataclass
class Report:
    """Figures of the dossiers first submitted in `months` (oldest first), in total and by dimension."""

    months: list[datetime.date]
    total: Figures
    by_month: list[tuple[datetime.date, Figures]]
    by_category: list[tuple[int, Figures]]
    by_department: list[tuple[str, Figures]]
    by_unit: list[tuple[int, Figures]]
    as_of: datetime.datetime | None = field(default=None, compare=False)
    # Identifies this report's data (version of the figures, day, filters) for caches.
    key: str = field(default="", compare=False)


def period_months(today: datetime.date, count: int = PERIOD_MONTHS) -> list[datetime.date]:
    first = today.replace(day=1)
    return [first - relativedelta(months=back) for back in range(count - 1, -1, -1)]


DIMENSIONS = ("month", "category", "department", "unit")
# The coarse level holding each breakdown of the unfiltered report.
BREAKDOWN_LEVELS = {
    Level.MONTH: "month",
    Level.CATEGORY: "category",
    Level.DEPARTMENT: "department",
    Level.UNIT: "unit",
}


def report_compute(*, filters: Filters, today: datetime.date | None = None) -> Report:
    """From the precomputed cells, in one query: the coarse levels when unfiltered (one row per
    month and group), else the fine cells matching the filters (each one adds to every breakdown)."""
    months = period_months(today or timezone.localdate())
    cells = MonthlyCell.objects.filter(month__gte=months[0], month__lte=months[-1]).order_by()
    lookup = filters.cell_lookup()
    if lookup:
        cells = cells.filter(level=Level.FINE, **lookup)
    else:
        cells = cells.filter(level__in=list(BREAKDOWN_LEVELS))
    groups = {name: defaultdict(Tally) for name in DIMENSIONS}
    for cell in cells.values_list(*CELL_FIELDS, named=True).iterator(2000):
        keys = (cell.month, cell.category_id, cell.department_id, cell.unit_id)
        if lookup:
            for name, key in zip(DIMENSIONS, keys, strict=True):
                groups[name][key].add_cell(cell)
        else:
            name = BREAKDOWN_LEVELS[cell.level]
            groups[name][keys[DIMENSIONS.index(name)]].add_cell(cell)
    total = Tally()
    for tally in groups["month"].values():
        total.add_cell(tally)

    def figures_by(name):
        return [(key, tally.figures()) for key, tally in sorted(groups[name].items())]

    return Report(
        months=months,
        total=total.figures(),
        by_month=[(month, groups["month"][month].figures()) for month in months],
        by_category=figures_by("category"),
        by_department=figures_by("department"),
        by_unit=figures_by("unit"),
    )


def _version() -> int:
    return RefreshState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def report_get(*, filters: Filters) -> Report:
    """The live report: catch up with recent events if due, then read through the cache."""
    stats_refresh_if_due()
    today = timezone.localdate()
    key = f"{_version()}:{today}:{filters.category}:{filters.department}:{filters.unit}"
    report = cache.get(f"stats:report:{key}")
    if report is None:
        report = report_compute(filters=filters, today=today)
        report.as_of, report.key = timezone.now(), key
        cache.set(f"stats:report:{key}", report, CACHE_SECONDS)
    return report


def typical_processing_days(*, category, department) -> int | None:
    """ "Most files are decided within N days": the 80th percentile of the processing time of the
    dossiers of this category and department decided over the last 12 months, widened to the
    category, then to the whole country, when too few were decided; None without enough data."""
    stats_refresh_if_due()
    category_id = getattr(category, "pk", category)
    department_code = getattr(department, "pk", department)
    today = timezone.localdate()
    key = f"stats:typical:{_version()}:{today}:{category_id}:{department_code}"
    cached = cache.get(key, "missing")
    if cached != "missing":
        return cached
    cells = MonthlyCell.objects.filter(month__gte=period_months(today)[0])
    result = None
    for scope in (
        {"level": Level.FINE, "category_id": category_id, "department_id": department_code},
        {"level": Level.CATEGORY, "category_id": category_id},
        {"level": Level.MONTH},
    ):
        tally = Tally()
        for cell in cells.filter(**scope).values_list(*CELL_FIELDS, named=True):
            tally.add_cell(cell)
        if tally.decided >= TYPICAL_MIN_DECIDED:
            # Whole days, at least one: "within 0 days" would read oddly for same-day decisions.
            result = max(1, math.ceil(tally.percentile(TYPICAL_PERCENTILE)))
            break
    cache.set(key, result, CACHE_SECONDS)
    return result


@dataclass(frozen=True)
class AgentLoad:
    agent: User
    in_review: int
    awaiting_complements: int
    decided_30_days: int


def unit_workload(*, user, unit) -> list[AgentLoad]:
    """Open dossiers per agent of the unit, and the decisions each took in the last 30 days."""
    visible = dossiers_visible_to(user).filter(unit=unit)
    counts = {
        row["assignee"]: row
        for row in visible.filter(assignee__isnull=False)
        .values("assignee")
        .annotate(
            in_review_count=Count("pk", filter=Q(state=State.IN_REVIEW)),
            awaiting=Count("pk", filter=Q(state=State.AWAITING_COMPLEMENTS)),
        )
    }
    agents = list(
        User.objects.filter(units=unit, is_active=True, role__in=STAFF_ROLES).order_by(
            "last_name", "first_name"
        )
    )
    since = timezone.now() - datetime.timedelta(days=30)
    decisions = dict(
        DossierTransition.objects.filter(
            transition__in=[Transition.ACCEPT, Transition.REFUSE, Transition.CLOSE],
            actor__in=agents,
            at__gte=since,
        )
        .values_list("actor")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        AgentLoad(
            agent=agent,
            in_review=counts.get(agent.pk, {}).get("in_review_count", 0),
            awaiting_complements=counts.get(agent.pk, {}).get("awaiting", 0),
            decided_30_days=decisions.get(agent.pk, 0),
        )
        for agent in agents
    ]


@dataclass(frozen=True)
class Waiting:
    dossier: object
    days: int
    overdue: bool


def unit_oldest_waiting(*, user, unit, limit: int = 10) -> list[Waiting]:
    """Dossiers waiting on the administration (submitted or in review), longest wait first;
    `overdue` when stalled (the alert of `followup.alerts`: more than 7 working days)."""
    now, today = timezone.now(), timezone.localdate()
    dossiers = (
        dossiers_visible_to(user)
        .filter(unit=unit, state__in=WAITING_STATES)
        .select_related("category", "assignee")
        .order_by("submitted_at", "pk")[:limit]
    )
    waiting = []
    for dossier in dossiers:
        days = (now - dossier.submitted_at).days
        waiting.append(Waiting(dossier=dossier, days=days, overdue=is_stalled(dossier, today=today)))
    return waiting
