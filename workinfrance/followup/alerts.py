"""The alerts of DOMAIN.md, one home for each rule: the inbox flags and filters, the supervisor's
workload page, the dossier screen and the agents' daily digest all read them from here.

Each rule exists twice, as a check of one dossier (`dossier_alerts`) and as a database filter
(`alert_filter`) that selects exactly the dossiers the check flags; tests hold the two together.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workinfrance.dossiers.lifecycle import DECIDED_STATES, State
from workinfrance.dossiers.models import Dossier, Message
from workinfrance.dossiers.selectors import IMPLICIT_REFUSAL_MONTHS, implicit_refusal_date
from workinfrance.permits.models import Permit, PermitStatus

from .workdays import latest_day_with_working_days_since, working_days_between

OPEN_STATES = (State.SUBMITTED, State.IN_REVIEW)
# "Stalled": waiting more than this many working days (weekends and French public holidays excluded).
LATE_AFTER_WORKING_DAYS = 7
DEADLINE_WARNING_DAYS = 15
RESIDENCE_WARNING_DAYS = 30
# A permit is valid 12 months at most (DOMAIN.md); the original back-office flagged longer ones.
VALIDITY_MAX_MONTHS = 12
# States whose dates still matter: refused or closed files are done with.
DATED_STATES = (*OPEN_STATES, State.AWAITING_COMPLEMENTS, State.ACCEPTED)

ALERTS = {
    "late": gettext_lazy("En attente depuis plus de 7 jours ouvrés"),
    "deadline": gettext_lazy("Refus implicite proche ou atteint"),
    "message_after_decision": gettext_lazy("Message reçu après la décision"),
    "residence_expiring": gettext_lazy("Titre de séjour expirant bientôt"),
    "dates_invalid": gettext_lazy("Dates manquantes ou inversées"),
    "validity_too_long": gettext_lazy("Validité de plus de 12 mois"),
}


@dataclass(frozen=True)
class Alert:
    code: str
    label: str
    level: str  # DSFR badge/alert level: warning or error


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- what one dossier's check reads, in the query that lists it -------------------------------


def _valid_permit():
    return Permit.objects.filter(dossier=OuterRef("pk"), status=PermitStatus.VALID).order_by("-issued_at")


def message_after_decision():
    return Exists(
        Message.objects.filter(
            dossier=OuterRef("pk"), from_staff=False, created_at__gt=OuterRef("decided_at")
        )
    )


def alerts_annotate(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Adds what `dossier_alerts` reads (late messages, the valid permit's dates) to the rows' query."""
    return queryset.annotate(
        has_message_after_decision=message_after_decision(),
        permit_valid_from=Subquery(_valid_permit().values("valid_from")[:1]),
        permit_valid_until=Subquery(_valid_permit().values("valid_until")[:1]),
    )


def _permit_dates(dossier: Dossier) -> tuple[datetime.date | None, datetime.date | None]:
    if not hasattr(dossier, "permit_valid_until"):
        permit = dossier.permits.filter(status=PermitStatus.VALID).order_by("-issued_at").first()
        dossier.permit_valid_from = permit.valid_from if permit else None
        dossier.permit_valid_until = permit.valid_until if permit else None
    return dossier.permit_valid_from, dossier.permit_valid_until


# --- the rules, one dossier at a time ------------------------------------------------------


def dates_inverted(start, end) -> bool:
    return bool(start and end and end < start)


def validity_too_long(valid_from: datetime.date, valid_until: datetime.date) -> bool:
    """More than 12 months: 1 January to 31 December is 12 months, to 1 January next year is more."""
    return valid_until >= valid_from + relativedelta(months=VALIDITY_MAX_MONTHS)


def working_days_waiting(dossier: Dossier, *, today: datetime.date) -> int | None:
    """Working days a dossier waiting on the administration has waited since its filing."""
    if dossier.state not in OPEN_STATES or not dossier.submitted_at:
        return None
    return working_days_between(timezone.localdate(dossier.submitted_at), today)


def is_stalled(dossier: Dossier, *, today: datetime.date) -> bool:
    waiting = working_days_waiting(dossier, today=today)
    return waiting is not None and waiting > LATE_AFTER_WORKING_DAYS


def dossier_alerts(dossier: Dossier, *, today: datetime.date) -> list[Alert]:
    alerts = []
    if dossier.state in OPEN_STATES and dossier.submitted_at:
        waiting = working_days_waiting(dossier, today=today)
        if is_stalled(dossier, today=today):
            alerts.append(
                Alert("late", _("En attente depuis %(days)s jours ouvrés") % {"days": waiting}, "warning")
            )
        deadline = implicit_refusal_date(dossier)
        if deadline <= today:
            alerts.append(
                Alert("deadline", _("Refus implicite depuis le %(date)s") % {"date": _d(deadline)}, "error")
            )
        elif (deadline - today).days <= DEADLINE_WARNING_DAYS:
            alerts.append(
                Alert("deadline", _("Refus implicite le %(date)s") % {"date": _d(deadline)}, "warning")
            )
    if dossier.is_decided and getattr(dossier, "has_message_after_decision", False):
        alerts.append(Alert("message_after_decision", _("Message reçu après la décision"), "warning"))
    end = dossier.residence_permit_end
    if (
        end
        and dossier.state in DATED_STATES
        and today <= end <= today + relativedelta(days=RESIDENCE_WARNING_DAYS)
    ):
        alerts.append(
            Alert(
                "residence_expiring", _("Titre de séjour expirant le %(date)s") % {"date": _d(end)}, "warning"
            )
        )
    alerts += _date_alerts(dossier, today=today)
    return alerts


def _date_alerts(dossier: Dossier, *, today: datetime.date) -> list[Alert]:
    if dossier.state not in DATED_STATES:
        return []
    alerts = []
    contract_missing = not (dossier.contract_start and dossier.contract_end)
    inverted = dates_inverted(dossier.contract_start, dossier.contract_end) or dates_inverted(
        dossier.residence_permit_start, dossier.residence_permit_end
    )
    valid_from, valid_until = (None, None)
    if dossier.state == State.ACCEPTED:
        valid_from, valid_until = _permit_dates(dossier)
    if contract_missing or inverted or (dossier.state == State.ACCEPTED and valid_until is None):
        alerts.append(Alert("dates_invalid", _("Dates manquantes ou inversées"), "error"))
    if valid_until and valid_until >= today and validity_too_long(valid_from, valid_until):
        alerts.append(
            Alert(
                "validity_too_long",
                _("Validité de plus de 12 mois (du %(start)s au %(end)s)")
                % {"start": _d(valid_from), "end": _d(valid_until)},
                "error",
            )
        )
    return alerts


# --- the same rules as database filters ----------------------------------------------------


def _day_number(year, month, day):
    return year * 10000 + month * 100 + day


def _permits_too_long(today: datetime.date) -> QuerySet[Permit]:
    """Valid, unexpired permits of more than 12 months, compared as YYYYMMDD numbers (any database):
    `valid_until >= valid_from + 12 months`, where 29 February plus a year is 28 February."""
    start_plus_a_year = _day_number(
        ExtractYear("valid_from") + VALIDITY_MAX_MONTHS // 12,
        ExtractMonth("valid_from"),
        ExtractDay("valid_from"),
    ) - Case(When(valid_from__month=2, valid_from__day=29, then=Value(1)), default=Value(0))
    end = _day_number(ExtractYear("valid_until"), ExtractMonth("valid_until"), ExtractDay("valid_until"))
    return (
        Permit.objects.filter(status=PermitStatus.VALID, valid_until__gte=today)
        .alias(end_number=end, limit_number=start_plus_a_year)
        .filter(end_number__gte=F("limit_number"))
    )


def alert_filter(code: str, today: datetime.date) -> Q:
    """The dossiers `dossier_alerts` flags with `code`; "message_after_decision" needs the alias
    `has_message_after_decision` (see `alerts_filtered`)."""
    if code == "late":
        last_filing_day = latest_day_with_working_days_since(today, LATE_AFTER_WORKING_DAYS + 1)
        return Q(
            state__in=OPEN_STATES, submitted_at__lt=_start_of_day(last_filing_day + relativedelta(days=1))
        )
    if code == "deadline":
        limit = (
            today + relativedelta(days=DEADLINE_WARNING_DAYS) - relativedelta(months=IMPLICIT_REFUSAL_MONTHS)
        )
        return Q(state__in=OPEN_STATES, submitted_at__lt=_start_of_day(limit + relativedelta(days=1)))
    if code == "message_after_decision":
        return Q(state__in=[s.value for s in DECIDED_STATES], has_message_after_decision=True)
    if code == "residence_expiring":
        return Q(
            state__in=DATED_STATES,
            residence_permit_end__gte=today,
            residence_permit_end__lte=today + relativedelta(days=RESIDENCE_WARNING_DAYS),
        )
    if code == "dates_invalid":
        has_valid_permit = Exists(Permit.objects.filter(dossier=OuterRef("pk"), status=PermitStatus.VALID))
        return Q(state__in=DATED_STATES) & (
            Q(contract_start__isnull=True)
            | Q(contract_end__isnull=True)
            | Q(contract_end__lt=F("contract_start"))
            | Q(residence_permit_end__lt=F("residence_permit_start"))
            | (Q(state=State.ACCEPTED) & ~has_valid_permit)
        )
    if code == "validity_too_long":
        # A reopened dossier's permit is revoked: an accepted dossier has one valid permit.
        return Q(state=State.ACCEPTED) & Q(Exists(_permits_too_long(today).filter(dossier=OuterRef("pk"))))
    return Q()


def alerts_filtered(queryset: QuerySet[Dossier], code: str, today: datetime.date) -> QuerySet[Dossier]:
    if code == "message_after_decision":
        queryset = queryset.alias(has_message_after_decision=message_after_decision())
    return queryset.filter(alert_filter(code, today))


def alerted_dossiers(queryset: QuerySet[Dossier], *, today: datetime.date) -> list[Dossier]:
    """The dossiers of `queryset` with at least one alert, each with its `alerts`, oldest filing first."""
    any_alert = Q()
    for code in ALERTS:
        any_alert |= alert_filter(code, today)
    candidates = alerts_annotate(queryset).filter(any_alert)
    flagged = []
    for dossier in candidates.select_related("category", "assignee", "unit").order_by("submitted_at", "pk"):
        dossier.alerts = dossier_alerts(dossier, today=today)
        if dossier.alerts:
            flagged.append(dossier)
    return flagged
