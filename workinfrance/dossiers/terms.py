"""The one home of a permit's terms: what the agent may grant, checked by the accept form, the
accept service and the warnings shown beside an issued permit.

Limits (each one data, not code: the category's figures are set in the admin, the legal
ceiling in `WIF_WEEKLY_HOURS_CEILING`):
- validity starts no earlier than the first filing, and ends no earlier than it starts;
- validity lasts at most the category's `max_validity_months`;
- it ends no later than the residence permit and no later than the contract;
- weekly hours are positive, within the category's `max_weekly_hours` and the legal ceiling
  (48 h, Code du travail L3121-20).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class PermitTerms:
    """What the agent confirms when accepting: prefilled from the dossier, editable."""

    validity_start: date
    validity_end: date
    weekly_hours: Decimal


@dataclass(frozen=True)
class TermsProblem:
    code: str
    field: str  # the accept form's field it belongs to
    message: str


def weekly_hours_ceiling() -> Decimal:
    return Decimal(str(settings.WIF_WEEKLY_HOURS_CEILING))


def filing_date(dossier) -> date | None:
    moment = dossier.first_submitted_at or dossier.submitted_at
    return timezone.localdate(moment) if moment else None


def validity_cap(dossier, start: date) -> date:
    """The last day a validity starting on `start` may last, by the category alone."""
    return start + relativedelta(months=dossier.category.max_validity_months) - relativedelta(days=1)


def weekly_hours_limit(dossier) -> Decimal:
    ceiling = weekly_hours_ceiling()
    category_limit = dossier.category.max_weekly_hours
    return ceiling if category_limit is None else min(ceiling, category_limit)


def permit_terms_proposed(dossier) -> PermitTerms:
    """Validity = the contract, from today or its start at the earliest, capped by every limit."""
    today = timezone.localdate()
    start = max(day for day in (dossier.contract_start, today, filing_date(dossier)) if day)
    candidates = [validity_cap(dossier, start)] + [
        d for d in (dossier.contract_end, dossier.residence_permit_end) if d
    ]
    hours = min(dossier.weekly_hours or Decimal(0), weekly_hours_limit(dossier))
    return PermitTerms(validity_start=start, validity_end=min(candidates), weekly_hours=hours)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def permit_terms_problems(dossier, terms: PermitTerms) -> list[TermsProblem]:
    """Every limit the terms break (empty: they may be granted)."""
    start, end, hours = terms.validity_start, terms.validity_end, terms.weekly_hours
    problems = []

    def add(code, field, message):
        problems.append(TermsProblem(code, field, message))

    filed = filing_date(dossier)
    if filed and start < filed:
        add(
            "before_filing",
            "validity_start",
            _("La validité ne peut commencer avant le dépôt de la demande (%(date)s).")
            % {"date": _day(filed)},
        )
    if end < start:
        add("inverted", "validity_end", _("La fin de validité est antérieure au début."))
    elif end > validity_cap(dossier, start):
        add(
            "too_long",
            "validity_end",
            _("La validité ne peut dépasser %(months)s mois pour cette catégorie.")
            % {"months": dossier.category.max_validity_months},
        )
    if dossier.residence_permit_end and end > dossier.residence_permit_end:
        add(
            "after_residence_permit",
            "validity_end",
            _("La validité ne peut dépasser l'expiration du titre de séjour (%(date)s).")
            % {"date": _day(dossier.residence_permit_end)},
        )
    if dossier.contract_end and end > dossier.contract_end:
        add(
            "after_contract",
            "validity_end",
            _("La validité ne peut dépasser la fin du contrat (%(date)s).")
            % {"date": _day(dossier.contract_end)},
        )
    category_limit = dossier.category.max_weekly_hours
    if hours <= 0:
        add("hours_not_positive", "weekly_hours", _("La durée hebdomadaire doit être positive."))
    elif category_limit is not None and hours > category_limit:
        add(
            "hours_over_category",
            "weekly_hours",
            _("La durée hebdomadaire ne peut dépasser %(limit)s h pour la catégorie « %(category)s ».")
            % {"limit": category_limit, "category": dossier.category.label},
        )
    elif hours > weekly_hours_ceiling():
        add(
            "hours_over_ceiling",
            "weekly_hours",
            _("La durée hebdomadaire ne peut dépasser %(limit)s heures.") % {"limit": weekly_hours_ceiling()},
        )
    return problems


def permit_warnings(permit, dossier) -> list[str]:
    """What an issued permit breaks today (the dossier may have changed since, or the permit
    predates a limit): shown to the agent beside it."""
    terms = PermitTerms(permit.valid_from, permit.valid_until, permit.weekly_hours)
    return [problem.message for problem in permit_terms_problems(dossier, terms)]
