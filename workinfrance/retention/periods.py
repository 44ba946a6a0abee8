"""The retention periods, read from the settings: one table for the purge, its dry run, the
personal-data page and docs/retention.md, so the promise and the practice cannot drift.

Every period counts in months from a date (the clock); what is due on day D is what was clocked on
or before D minus the period. Dates are calendar dates in Paris (the service's time zone)."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind:
    DRAFT_WARNINGS = "draft_warnings"
    DRAFTS = "drafts"
    DOCUMENTS = "documents"
    DOSSIERS = "dossiers"
    EVENTS = "events"
    OUTBOX = "outbox"
    ACCOUNTS = "accounts"


StrOrPromise = str | Promise


@dataclass(frozen=True)
class Period:
    kind: str
    setting: str
    what: StrOrPromise  # lazy translations
    counts_from: StrOrPromise
    then: StrOrPromise

    @property
    def months(self) -> int:
        return getattr(settings, self.setting)


PERIODS = [
    Period(
        Kind.DRAFTS,
        "WIF_RETENTION_DRAFT_MONTHS",
        _("Brouillon jamais déposé"),
        _("sa dernière modification"),
        _("supprimé, après un e-mail d'avertissement"),
    ),
    Period(
        "refused_closed",
        "WIF_RETENTION_DECIDED_MONTHS",
        _("Dossier refusé ou classé sans suite"),
        _("la décision"),
        _("données personnelles effacées ; seuls des chiffres statistiques anonymes restent"),
    ),
    Period(
        "accepted_dossiers",
        "WIF_RETENTION_ACCEPTED_MONTHS",
        _("Dossier accepté"),
        _("la fin de validité de l'autorisation"),
        _(
            "données personnelles effacées ; l'autorisation reste vérifiable (numéro, validité, "
            "retrait éventuel) sans aucune donnée sur la personne"
        ),
    ),
    Period(
        Kind.DOCUMENTS,
        "WIF_RETENTION_DOCUMENTS_MONTHS",
        _("Pièces justificatives (passeport, titre de séjour, contrat…)"),
        _("la décision, ou la fin de validité de l'autorisation accordée"),
        _("fichiers supprimés"),
    ),
    Period(
        Kind.EVENTS,
        "WIF_RETENTION_AUDIT_MONTHS",
        _("Journal des consultations et des actions, copies des e-mails envoyés"),
        _("l'action"),
        _(
            "supprimé ; les étapes du dossier (dépôt, décision…), sans donnée personnelle, restent pour les statistiques"
        ),
    ),
    Period(
        Kind.ACCOUNTS,
        "WIF_RETENTION_ACCOUNT_MONTHS",
        _("Compte de demandeur inactif"),
        _("la dernière connexion, une fois ses dossiers effacés"),
        _("anonymisé et fermé"),
    ),
]


def warning_days() -> int:
    return settings.WIF_RETENTION_DRAFT_WARNING_DAYS


def months_before(day: datetime.date, months: int) -> datetime.date:
    return day - relativedelta(months=months)


def months_after(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight in Paris at the start of `day`, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def clocked_by(day: datetime.date) -> datetime.datetime:
    """The bound for datetimes whose Paris date is on or before `day`: `moment < clocked_by(day)`."""
    return day_start(day + datetime.timedelta(days=1))


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
