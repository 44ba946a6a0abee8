"""Reads of the back-office: the inbox (tabs, filters, sort, search), flags, workload.

Everything starts from `dossiers_visible_to(user)`, so a unit never sees another unit's dossiers.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from workinfrance.accounts.models import User
from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.dossiers.lifecycle import (
    DECIDED_STATES,
    OPEN_STATES,
    State,
    values,
)
from workinfrance.dossiers.lifecycle import (
    ordered as in_lifecycle_order,
)
from workinfrance.dossiers.models import Dossier
from workinfrance.dossiers.selectors import (
    dossiers_visible_to,
    is_returned_with_complements,
    returned_with_complements_annotation,
)
from workinfrance.followup.alerts import (
    ALERTS,
    alert_filter,
    alerts_annotate,
    alerts_filtered,
    dossier_alerts,
)

from .columns import DEFAULT_COLUMNS, OPTIONAL_COLUMNS
from .labels import LabelIds
from .models import Batch, DossierLabel, InboxColumns, Label, SavedFilter
from .search import dossiers_search

UNASSIGNED = "none"

TABS = {
    "to_take": (gettext_lazy("À prendre"), Q(state=State.SUBMITTED)),
    "mine": (gettext_lazy("Mes dossiers"), None),  # depends on the user: see `_tab_filter`
    "awaiting": (gettext_lazy("En attente de compléments"), Q(state=State.AWAITING_COMPLEMENTS)),
    "decided": (gettext_lazy("Décidés"), Q(state__in=values(DECIDED_STATES))),
    "all": (gettext_lazy("Tous"), Q()),
}
DEFAULT_TAB = "to_take"

SORTS = {
    "filed": gettext_lazy("Date de dépôt (plus ancien d'abord)"),
    "-filed": gettext_lazy("Date de dépôt (plus récent d'abord)"),
    "-waiting": gettext_lazy("Jours d'attente ou d'instruction (plus long d'abord)"),
    "waiting": gettext_lazy("Jours d'attente ou d'instruction (plus court d'abord)"),
}
DEFAULT_SORT = "filed"

# The inbox's flags are the alerts of `followup.alerts`, the one home of each rule.
FLAGS = ALERTS


@dataclass
class InboxQuery:
    """The inbox's tab, filters, search and sort, as cleaned by `InboxFilterForm`."""

    tab: str = DEFAULT_TAB
    q: str = ""
    category: object = None
    department: object = None
    state: str = ""
    assignee: str = ""  # a user pk, UNASSIGNED, or empty
    filed_from: datetime.date | None = None
    filed_to: datetime.date | None = None
    flag: str = ""
    sort: str = DEFAULT_SORT
    label: Label | None = None
    # A search looks across every tab of the unit unless the agent keeps it to the current tab
    # (the inbox form sets it; the API keeps its tab).
    across_tabs: bool = False

    @property
    def searches_across_tabs(self) -> bool:
        return bool(self.q) and self.across_tabs

    @property
    def listed_tab(self) -> str:
        """The tab whose dossiers are listed: "all" for a search across tabs."""
        return "all" if self.searches_across_tabs else self.tab

    def audit_fields(self) -> dict:
        """The selection for the audit trail: only these fields, only the ones set, as plain text."""
        fields = {
            "tab": self.tab,
            "q": self.q,
            "category": getattr(self.category, "code", None),
            "department": getattr(self.department, "code", None),
            "state": self.state,
            "assignee": self.assignee,
            "filed_from": self.filed_from.isoformat() if self.filed_from else None,
            "filed_to": self.filed_to.isoformat() if self.filed_to else None,
            "flag": self.flag,
            "sort": self.sort if self.sort != DEFAULT_SORT else None,
            "label": self.label.pk if self.label else None,
            "across_tabs": self.searches_across_tabs or None,
        }
        return {key: value for key, value in fields.items() if value}


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _tab_filter(tab: str, user) -> Q:
    if tab == "mine":
        return Q(state=State.IN_REVIEW, assignee=user)
    return TABS.get(tab, TABS[DEFAULT_TAB])[1]


def inbox_queryset(*, user, query: InboxQuery, by_relevance: bool = False) -> QuerySet[Dossier]:
    """The ordered, filtered dossiers of the inbox (and of its exports), scoped to the user's units.

    `by_relevance`: a name search lists the best matches first (then in the chosen order)."""
    return _ordered(inbox_selection(user=user, query=query), query, by_relevance=by_relevance)


def inbox_selection(*, user, query: InboxQuery) -> QuerySet[Dossier]:
    """The inbox's dossiers in no particular order (what its count reads)."""
    today = timezone.localdate()
    qs = dossiers_visible_to(user).filter(_tab_filter(query.listed_tab, user))
    if query.category:
        qs = qs.filter(category=query.category)
    if query.department:
        qs = qs.filter(department=query.department)
    if query.state:
        qs = qs.filter(state=query.state)
    if query.assignee == UNASSIGNED:
        qs = qs.filter(assignee__isnull=True)
    elif query.assignee:
        qs = qs.filter(assignee_id=query.assignee)
    if query.filed_from:
        qs = qs.filter(submitted_at__gte=_start_of_day(query.filed_from))
    if query.filed_to:
        qs = qs.filter(submitted_at__lt=_start_of_day(query.filed_to + relativedelta(days=1)))
    if query.q:
        qs = dossiers_search(qs, query.q, units=user_unit_ids(user))
    if query.flag:
        qs = alerts_filtered(qs, query.flag, today)
    if query.label:
        qs = qs.filter(Exists(DossierLabel.objects.filter(dossier=OuterRef("pk"), label=query.label)))
    return qs


def _ordered(qs: QuerySet[Dossier], query: InboxQuery, *, by_relevance: bool = False) -> QuerySet[Dossier]:
    ordered = _ordered_by_sort(qs, query)
    if by_relevance and "search_rank" in qs.query.annotations:
        return ordered.order_by("-search_rank", *ordered.query.order_by)
    return ordered


def _ordered_by_sort(qs: QuerySet[Dossier], query: InboxQuery) -> QuerySet[Dossier]:
    sort = query.sort if query.sort in SORTS else DEFAULT_SORT
    descending = sort.startswith("-")
    if sort.endswith("waiting") and query.listed_tab == "decided":
        # Decided files waited from filing to decision: the expression index of migration 0002.
        # "IS NOT NULL" (always true here) lets a descending scan skip the undecided files' NULLs.
        qs = qs.alias(
            processing_time=ExpressionWrapper(
                F("decided_at") - F("submitted_at"), output_field=DurationField()
            )
        ).filter(processing_time__isnull=False)
        return qs.order_by("-processing_time", "-pk") if descending else qs.order_by("processing_time", "pk")
    # Undecided files have waited since their filing: the filing order is the waiting order, and
    # it stays on an index. In the "all" tab decided files are ordered by filing date too.
    oldest_first = sort in ("filed", "-waiting")
    return qs.order_by("submitted_at", "pk") if oldest_first else qs.order_by("-submitted_at", "-pk")


def inbox_rows(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """What one inbox row needs, in the same query as the rows (with how each entered its state:
    "complété, à revoir" for a file back from the applicant)."""
    return alerts_annotate(
        queryset.select_related("category", "assignee").annotate(
            entered_by=returned_with_complements_annotation()
        )
    ).annotate(label_ids=LabelIds())


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: a count over a whole unit's history costs more than the page itself.

    Beyond the cap the inbox says "more than 10,000" and asks to refine the filters. Searches
    count up to 200: each match costs a row visit, and a longer list asks for more words.
    """

    CAP = 10_000
    SEARCH_CAP = 200

    def __init__(self, object_list, per_page, *, cap: int = CAP, counted=None, count: int | None = None):
        super().__init__(object_list, per_page)
        self.cap = cap
        # The same rows without what only serves the order: PostgreSQL may count them from an index.
        self.counted = object_list if counted is None else counted
        if count is not None:
            self.count = count

    @staticmethod
    def capped_count(queryset, cap: int) -> int:
        return queryset.order_by().values("pk")[: cap + 1].count()

    @cached_property
    def count(self):
        return self.capped_count(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def inbox_page(
    *, user, query: InboxQuery, page_number, per_page: int = 25, labels: list[Label] | None = None
):
    cap = CappedPaginator.SEARCH_CAP if query.q else CappedPaginator.CAP
    selection = inbox_selection(user=user, query=query)
    if "search_rank" in selection.query.annotations:
        # A name search (PostgreSQL): read the matches' keys once, up to the cap. When they are
        # all known, the page is ranked from them alone (primary-key lookups, with their
        # relevance) instead of a second full-text search restricted to the unit, which costs as
        # much as the first: the keys were read under every condition of the selection.
        keys = list(selection.order_by().values_list("pk", flat=True)[: cap + 1])
        count = len(keys)
        if count <= cap:
            rank = selection.query.annotations["search_rank"]
            selection = Dossier.objects.filter(pk__in=keys).alias(search_rank=rank)
    else:
        count = CappedPaginator.capped_count(selection, cap)
    # Up to the cap, matches are few: ranked all, the best first. Beyond it the agent must add
    # words anyway, and the filing order walks an index instead of ranking thousands of rows.
    by_relevance = bool(query.q) and count <= cap
    paginator = CappedPaginator(
        inbox_rows(_ordered(selection, query, by_relevance=by_relevance)),
        per_page,
        cap=cap,
        count=count,
    )
    page = paginator.get_page(page_number)
    today = timezone.localdate()
    # One URL resolution for the page, not one per row.
    placeholder = "00000000-0000-0000-0000-000000000000"
    screen_url = reverse("backoffice:dossier", kwargs={"uuid": placeholder})
    by_id = {label.pk: label for label in labels or ()}
    tab_labels = {key: label for key, (label, _q) in TABS.items()}
    for dossier in page.object_list:
        dossier.flags = dossier_alerts(dossier, today=today)
        dossier.days_since_filing = days_since_filing(dossier, today=today)
        dossier.screen_url = screen_url.replace(placeholder, str(dossier.uuid))
        dossier.returned_with_complements = is_returned_with_complements(dossier, dossier.entered_by)
        ids = (dossier.label_ids or "").split(",") if dossier.label_ids else []
        dossier.labels = sorted(
            (by_id[int(pk)] for pk in ids if int(pk) in by_id), key=lambda label: label.name
        )
        dossier.tab_label = tab_labels[dossier_tab(dossier, user)]
    return page


def dossier_tab(dossier: Dossier, user) -> str:
    """The first tab that lists the dossier for this user (a dossier in review by a colleague is
    only under "all")."""
    for key in TABS:
        if key != "all" and _in_tab(dossier, key, user):
            return key
    return "all"


def _in_tab(dossier: Dossier, tab: str, user) -> bool:
    if tab == "to_take":
        return dossier.state == State.SUBMITTED
    if tab == "mine":
        return dossier.state == State.IN_REVIEW and dossier.assignee_id == user.pk
    if tab == "awaiting":
        return dossier.state == State.AWAITING_COMPLEMENTS
    if tab == "decided":
        return dossier.state in values(DECIDED_STATES)
    return True


@dataclass(frozen=True)
class TabCount:
    count: int
    cap: int

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def tab_count_cap() -> int:
    return int(settings.WIF_INBOX_TAB_COUNT_CAP)


def inbox_tab_counts(*, user, cap: int | None = None) -> dict[str, TabCount]:
    """How many dossiers each tab holds (whatever the filters), exact up to `cap`, in ONE query:
    `SELECT (SELECT COUNT(*) FROM (<tab 1> LIMIT cap+1)), (...)` — each count stops at cap+1 rows."""
    cap = tab_count_cap() if cap is None else cap
    visible = dossiers_visible_to(user)
    parts, params, keys = [], [], []
    alias = router.db_for_read(Dossier)
    for key in TABS:
        capped = visible.filter(_tab_filter(key, user)).order_by().values("pk")[: cap + 1]
        try:
            sql, sql_params = capped.query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:
            return {key: TabCount(0, cap) for key in TABS}  # no unit: nothing to count
        # The SQL is Django-compiled with its values as parameters; nothing typed is spliced in.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tab_{len(keys)})")  # noqa: S608
        params.extend(sql_params)
        keys.append(key)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {key: TabCount(int(count), cap) for key, count in zip(keys, row, strict=True)}


def unit_labels(user) -> list[Label]:
    """The labels of the user's units (for the filter, the rows and the batch actions)."""
    return list(Label.objects.filter(unit_id__in=user_unit_ids(user)).order_by("name", "pk"))


def dossier_labels_of(dossier: Dossier) -> list[Label]:
    """The labels of the dossier's unit, each with `is_on` (carried by this dossier), one query."""
    return list(
        Label.objects.filter(unit_id=dossier.unit_id)
        .annotate(is_on=Exists(DossierLabel.objects.filter(dossier=dossier, label=OuterRef("pk"))))
        .order_by("name", "pk")
    )


def saved_filters_of(user) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(owner=user).order_by("name", "pk"))


def inbox_columns_of(user) -> list[str]:
    chosen = InboxColumns.objects.filter(owner=user).values_list("columns", flat=True).first()
    if chosen is None:
        return list(DEFAULT_COLUMNS)
    return [key for key in OPTIONAL_COLUMNS if key in chosen]


def batch_of(*, user, batch_uuid) -> Batch | None:
    """A batch is seen by its author only."""
    return Batch.objects.filter(uuid=batch_uuid, actor=user).first()


def days_since_filing(dossier: Dossier, *, today: datetime.date) -> int | None:
    if dossier.submitted_at is None:
        return None
    end = timezone.localdate(dossier.decided_at) if dossier.decided_at else today
    return (end - timezone.localdate(dossier.submitted_at)).days


def unit_agents(units) -> QuerySet[User]:
    """Active agents and supervisors of the given units, for assignment and filters."""
    return (
        User.objects.filter(units__in=units, role__in=["agent", "supervisor"], is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def assignable_agents(dossier: Dossier) -> QuerySet[User]:
    return unit_agents([dossier.unit_id])


@dataclass
class AgentLoad:
    agent: User | None
    counts: dict
    total: int
    oldest: datetime.datetime | None


def unit_workload(*, user) -> dict:
    """For a supervisor: undecided dossiers per agent and per state, and the oldest waiting ones."""
    open_states = in_lifecycle_order(OPEN_STATES)
    visible = dossiers_visible_to(user).filter(state__in=values(open_states))
    grouped = visible.values("assignee", "state").annotate(n=Count("pk"), oldest=Min("submitted_at"))
    agents = {agent.pk: agent for agent in unit_agents(user_unit_ids(user))}
    loads: dict = {
        pk: AgentLoad(agent, {s.value: 0 for s in open_states}, 0, None) for pk, agent in agents.items()
    }
    for row in grouped.order_by():
        key = row["assignee"]
        if key not in loads:
            agent = agents.get(key) or (User.objects.filter(pk=key).first() if key else None)
            loads[key] = AgentLoad(agent, {s.value: 0 for s in open_states}, 0, None)
        load = loads[key]
        load.counts[row["state"]] += row["n"]
        load.total += row["n"]
        if row["oldest"] and (load.oldest is None or row["oldest"] < load.oldest):
            load.oldest = row["oldest"]
    today = timezone.localdate()
    oldest = list(visible.select_related("assignee", "category").order_by("submitted_at", "pk")[:15])
    for dossier in oldest:
        dossier.days_since_filing = days_since_filing(dossier, today=today)
        dossier.flags = dossier_alerts(dossier, today=today)
    expiring = list(
        dossiers_visible_to(user)
        .filter(alert_filter("residence_expiring", today))
        .select_related("assignee")
        .order_by("residence_permit_end", "pk")[:20]
    )
    ordered = sorted(
        loads.values(), key=lambda load: (load.agent is None, -load.total, str(load.agent or ""))
    )
    return {
        "states": [(s.value, s.label) for s in open_states],
        "loads": ordered,
        "totals": {s.value: sum(load.counts[s.value] for load in ordered) for s in open_states},
        "total": sum(load.total for load in ordered),
        "oldest": oldest,
        "expiring": expiring,
    }
