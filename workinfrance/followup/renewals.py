"""Renewal follow-up: accepted students whose residence permit or work authorisation ends soon,
and the date their renewal reminder is due (start + 330 days, or one month before the end if
that comes first: the original service's dates, as settings)."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery

from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Dossier
from workinfrance.permits.models import Permit, PermitStatus

DEFAULT_WITHIN_DAYS = 30
MAX_WITHIN_DAYS = 366


def reminder_due_on(*, valid_from: datetime.date, valid_until: datetime.date) -> datetime.date:
    after_start = valid_from + datetime.timedelta(days=settings.WIF_RENEWAL_REMINDER_AFTER_DAYS)
    before_end = valid_until - relativedelta(months=settings.WIF_RENEWAL_REMINDER_BEFORE_END_MONTHS)
    return min(after_start, before_end)


def _valid_permit():
    return Permit.objects.filter(dossier=OuterRef("pk"), status=PermitStatus.VALID).order_by("-issued_at")


@dataclass
class RenewalRow:
    dossier: Dossier
    permit_number: str
    permit_end: datetime.date | None
    residence_end: datetime.date | None
    ends_on: datetime.date  # the earlier of the two ends that fall in the window
    days_left: int


def renewals_due(*, units: QuerySet | list, today: datetime.date, within_days: int) -> list[RenewalRow]:
    """Accepted dossiers of `units` whose residence permit or valid work authorisation ends between
    today and `within_days` days from now, the soonest end first."""
    last = today + datetime.timedelta(days=within_days)
    dossiers = (
        Dossier.objects.filter(unit__in=units, state=State.ACCEPTED)
        .annotate(
            permit_number=Subquery(_valid_permit().values("number")[:1]),
            permit_end=Subquery(_valid_permit().values("valid_until")[:1]),
        )
        .filter(
            Q(residence_permit_end__gte=today, residence_permit_end__lte=last)
            | Q(permit_end__gte=today, permit_end__lte=last)
        )
        .select_related("category")
    )
    rows = []
    for dossier in dossiers:
        ends = [
            end for end in (dossier.permit_end, dossier.residence_permit_end) if end and today <= end <= last
        ]
        ends_on = min(ends)
        rows.append(
            RenewalRow(
                dossier=dossier,
                permit_number=dossier.permit_number or "",
                permit_end=dossier.permit_end,
                residence_end=dossier.residence_permit_end,
                ends_on=ends_on,
                days_left=(ends_on - today).days,
            )
        )
    return sorted(rows, key=lambda row: (row.ends_on, row.dossier.pk))


def spreadsheet_text(value):
    """Applicant-typed text must never run as a spreadsheet formula (CSV or XLSX)."""
    from workinfrance.backoffice.exports import FORMULA_STARTS

    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def renewal_export_rows(rows: list[RenewalRow]):
    """Header and rows of the CSV and XLSX exports (dates as ISO strings for the CSV writer)."""
    from django.utils.translation import gettext as _

    yield [
        _("Numéro du dossier"),
        _("Nom"),
        _("Prénom(s)"),
        _("Nationalité"),
        _("E-mail de l'étudiant"),
        _("Employeur"),
        _("E-mail de contact de l'employeur"),
        _("Autorisation n°"),
        _("Fin de l'autorisation"),
        _("Fin du titre de séjour"),
        _("Jours restants"),
    ]
    for row in rows:
        d = row.dossier
        yield [
            spreadsheet_text(value)
            for value in (
                d.number,
                d.student_last_name,
                d.student_first_name,
                d.student_nationality,
                d.student_email,
                d.employer_name,
                d.employer_contact_email,
                row.permit_number,
                row.permit_end,
                row.residence_end,
                row.days_left,
            )
        ]
