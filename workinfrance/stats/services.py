"""Keeping the precomputed statistics in step with the dossiers' transition log.

`stats_refresh` is the incremental catch-up: it reads the transitions logged since the last run
(`DossierTransition`, by the id of their audit event, plus a few minutes of overlap because ids
are taken before commit and a transaction may commit after a later one), recomputes the facts of
the dossiers they touch from their whole history, then recomputes the monthly cells those facts belong (or belonged)
to. Recomputing from history makes every run idempotent. `stats_rebuild` recomputes it all.
One run at a time: both hold the row lock of `RefreshState`.
"""

import datetime
from collections import defaultdict
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from workinfrance.core.db_router import primary_reads
from workinfrance.core.models import Event
from workinfrance.dossiers.lifecycle import Transition
from workinfrance.dossiers.models import Dossier, DossierTransition

from .figures import Tally
from .history import HistoryEvent, summarise
from .models import DossierFact, Level, MonthlyCell, RefreshState

# Re-read events this much older than the previous run: covers transactions committing late.
OVERLAP = datetime.timedelta(minutes=5)
BATCH = 5000
FACT_FIELDS = [
    "category",
    "department",
    "unit",
    "month",
    "first_submitted_at",
    "outcome",
    "decided_at",
    "processing_days",
    "applicant_days",
    "needed_complements",
    "last_event_id",
]


def batched(items, size):
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


# A dossier's statistical history is its typed transition log; rows are identified by the id of the
# audit event each belongs to (ids of one dossier's events commit in order: see `stats_refresh`).
HISTORY_COLUMNS = ("dossier_id", "event_id", "transition", "at", "to_state")


def dossier_transitions():
    return DossierTransition.objects.all()


def facts_compute(dossier_ids) -> dict[int, DossierFact]:
    """Unsaved facts of the given dossiers, from their events (none for a never-submitted one)."""
    dimensions = {
        pk: (category, department, unit)
        for pk, category, department, unit in Dossier.objects.filter(pk__in=dossier_ids).values_list(
            "pk", "category_id", "department_id", "unit_id"
        )
    }
    events = defaultdict(list)
    rows = dossier_transitions().filter(dossier_id__in=list(dimensions)).values_list(*HISTORY_COLUMNS)
    for dossier_id, event_id, transition, at, to_state in rows:
        events[dossier_id].append(HistoryEvent(event_id, transition, at, to_state))
    facts = {}
    for pk, history in events.items():
        category, department, unit = dimensions[pk]
        summary = summarise(history)
        if summary is None or None in (department, unit):
            continue
        facts[pk] = DossierFact(
            dossier_id=pk,
            category_id=category,
            department_id=department,
            unit_id=unit,
            month=summary.month,
            first_submitted_at=summary.first_submitted_at,
            outcome=summary.outcome,
            decided_at=summary.decided_at,
            processing_days=summary.processing_days,
            applicant_days=summary.applicant_days,
            needed_complements=summary.needed_complements,
            last_event_id=summary.last_event_id,
        )
    return facts


def _cell_key(fact: DossierFact) -> tuple:
    return (fact.month, fact.category_id, fact.department_id, fact.unit_id)


def _fact_values(fact: DossierFact) -> tuple:
    return tuple(getattr(fact, f.attname) for f in DossierFact._meta.concrete_fields)


def _facts_update(dossier_ids) -> bool:
    """Recompute these dossiers' facts and the cells they touch; True if anything changed."""
    cells = set()
    for chunk in batched(sorted(dossier_ids), BATCH):
        new = facts_compute(chunk)
        old = {fact.pk: fact for fact in DossierFact.objects.filter(pk__in=chunk)}
        changed = [
            fact for pk, fact in new.items() if pk not in old or _fact_values(old[pk]) != _fact_values(fact)
        ]
        gone = [pk for pk in old if pk not in new]
        cells |= {_cell_key(fact) for fact in changed}
        cells |= {_cell_key(old[pk]) for pk in gone}
        cells |= {_cell_key(old[fact.pk]) for fact in changed if fact.pk in old}
        DossierFact.objects.filter(pk__in=gone).delete()
        DossierFact.objects.bulk_create(
            changed, update_conflicts=True, unique_fields=["dossier"], update_fields=FACT_FIELDS
        )
    _cells_recompute(cells)
    return bool(cells)


# The dimensions each level groups on, as positions in a fine key (month, category, department, unit).
LEVEL_DIMENSIONS = {
    Level.FINE: (0, 1, 2, 3),
    Level.MONTH: (0,),
    Level.CATEGORY: (0, 1),
    Level.DEPARTMENT: (0, 2),
    Level.UNIT: (0, 3),
}
KEY_FIELDS = ("month", "category_id", "department_id", "unit_id")


def _cells_aggregate(level: str, facts) -> list[MonthlyCell]:
    """The cells of one level summing the given facts, built with one grouped query."""
    fields = [KEY_FIELDS[i] for i in LEVEL_DIMENSIONS[level]]
    tallies: dict[tuple, Tally] = defaultdict(Tally)
    rows = facts.values(*fields, "outcome", "processing_days", "needed_complements").annotate(
        n=Count("pk"), applicant_days=Sum("applicant_days")
    )
    for row in rows:
        tally = tallies[tuple(row[field] for field in fields)]
        n = row["n"]
        tally.filed += n
        if row["needed_complements"]:
            tally.with_complements += n
        if row["outcome"]:
            setattr(tally, row["outcome"], getattr(tally, row["outcome"]) + n)
            tally.processing_days_sum += row["processing_days"] * n
            tally.applicant_days_sum += row["applicant_days"]
            tally.histogram[row["processing_days"]] += n
    return [
        MonthlyCell(
            level=level,
            **dict(zip(fields, key, strict=True)),
            filed=t.filed,
            accepted=t.accepted,
            refused=t.refused,
            closed=t.closed,
            with_complements=t.with_complements,
            processing_days_sum=t.processing_days_sum,
            applicant_days_sum=t.applicant_days_sum,
            histogram={str(days): count for days, count in sorted(t.histogram.items())},
        )
        for key, t in tallies.items()
    ]


def _cells_recompute(fine_keys: set[tuple]) -> None:
    """Recompute, at every level, the cells these fine keys fall in."""
    for level, dimensions in LEVEL_DIMENSIONS.items():
        keys = {tuple(key[i] for i in dimensions) for key in fine_keys}
        fields = [KEY_FIELDS[i] for i in dimensions]
        for chunk in batched(sorted(keys), 200):
            any_key = Q()
            for key in chunk:
                any_key |= Q(**dict(zip(fields, key, strict=True)))
            # Keys are sorted by month: the month prefix lets the database use its indexes.
            where = Q(month__in={key[0] for key in chunk}) & any_key
            MonthlyCell.objects.filter(where, level=level).delete()
            MonthlyCell.objects.bulk_create(_cells_aggregate(level, DossierFact.objects.filter(where)))


def _facts_insert(facts) -> None:
    """Insert new facts; with COPY on PostgreSQL, where a rebuild writes a million of them."""
    if connection.vendor != "postgresql":
        DossierFact.objects.bulk_create(facts, batch_size=BATCH)
        return
    fields = DossierFact._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {DossierFact._meta.db_table} ({columns}) FROM STDIN") as copy:
            for fact in facts:
                copy.write_row([getattr(fact, f.attname) for f in fields])


def _state_locked(*, wait: bool) -> RefreshState | None:
    """The refresh row, locked; None if another run holds it and `wait` is False."""
    state = RefreshState.objects.select_for_update(skip_locked=not wait).filter(pk=1).first()
    if state is None and not RefreshState.objects.filter(pk=1).exists():
        state = RefreshState.objects.create(pk=1)
    return state


def stats_rebuild(*, wait: bool = True) -> RefreshState | None:
    """Recompute every fact and cell from the whole event history; None if another run holds
    the lock and `wait` is False."""
    started = timezone.now()
    with transaction.atomic():
        state = _state_locked(wait=wait)
        if state is None:
            return None
        last_event_id = Event.objects.aggregate(last=Max("id"))["last"] or 0
        submitted = set(
            dossier_transitions()
            .filter(transition=Transition.SUBMIT)
            .values_list("dossier_id", flat=True)
            .distinct()
        )
        DossierFact.objects.all().delete()
        for chunk in batched(sorted(submitted), BATCH):
            _facts_insert(facts_compute(chunk).values())
        MonthlyCell.objects.all().delete()
        for level in LEVEL_DIMENSIONS:
            MonthlyCell.objects.bulk_create(
                _cells_aggregate(level, DossierFact.objects.all()), batch_size=BATCH
            )
        state.last_event_id = last_event_id
        state.refreshed_at = state.rebuilt_at = started
        state.version += 1
        state.save()
    return state


def stats_refresh() -> RefreshState | None:
    """Catch up with the events written since the last run; None if a run is already under way."""
    if not RefreshState.objects.filter(pk=1, rebuilt_at__isnull=False).exists():
        return stats_rebuild(wait=False)
    started = timezone.now()
    with transaction.atomic():
        state = _state_locked(wait=False)
        if state is None:
            return None
        recent = Q(event_id__gt=state.last_event_id) | Q(at__gte=state.refreshed_at - OVERLAP)
        latest: dict[int, int] = {}
        for event_id, dossier_id in (
            dossier_transitions().filter(recent).values_list("event_id", "dossier_id")
        ):
            latest[dossier_id] = max(event_id, latest.get(dossier_id, 0))
        # Events of one dossier commit in id order (its row is locked by each transition), so a
        # fact that has read up to an event id has read everything of that dossier before it.
        read = dict(DossierFact.objects.filter(pk__in=latest).values_list("pk", "last_event_id"))
        changed = _facts_update({pk for pk, event_id in latest.items() if event_id > read.get(pk, 0)})
        state.last_event_id = max([state.last_event_id, *latest.values()])
        state.refreshed_at = started
        state.version += changed
        state.save()
    return state


def stats_refresh_if_due() -> None:
    """Called before reading figures: catch up unless the last run is recent enough. On the primary,
    even inside a page that reads its figures from the replica (workinfrance/core/db_router.py)."""
    with primary_reads():
        interval = datetime.timedelta(seconds=settings.WIF_STATS_REFRESH_SECONDS)
        state = RefreshState.objects.filter(pk=1).only("refreshed_at").first()
        if state is None or state.refreshed_at is None or timezone.now() - state.refreshed_at >= interval:
            stats_refresh()
