"""What is due for the purge on a given day, and when the next things fall due (the dry run).

Each `*_due` returns a queryset the purge walks in batches and re-applies under the row locks, so a
row that changed meanwhile (a reopened dossier, a touched draft) is left alone."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from workinfrance.accounts.models import Role, User
from workinfrance.core.models import Event
from workinfrance.dossiers.lifecycle import State
from workinfrance.dossiers.models import Document, Dossier, DossierParty, DossierTransition
from workinfrance.outbox.models import OutboxMessage, OutboxStatus
from workinfrance.permits.models import Permit

from .periods import Kind, clocked_by, local_date, months_after, months_before, warning_days

# Anonymised accounts keep their row (dossiers and events point at it) under an address of this
# reserved domain (RFC 2606), which is also how the purge knows it has done them.
PURGED_ACCOUNT_DOMAIN = "compte-efface.invalid"


def _months(name: str) -> int:
    return getattr(settings, f"WIF_RETENTION_{name}_MONTHS")


# Drafts: "touched" is any change of the form (updated_at) or a new document.


def _untouched_since(moment) -> Q:
    return Q(updated_at__lt=moment) & ~Exists(
        Document.objects.filter(dossier=OuterRef("pk"), uploaded_at__gte=moment)
    )


def _untouched_since_warning() -> Q:
    return Q(updated_at__lte=F("retention_warned_at")) & ~Exists(
        Document.objects.filter(dossier=OuterRef("pk"), uploaded_at__gt=OuterRef("retention_warned_at"))
    )


def drafts_to_warn(today: datetime.date) -> QuerySet[Dossier]:
    """Drafts that fall due within the warning delay and whose applicant was not warned since
    the draft was last touched (once per idle stretch)."""
    horizon = today + datetime.timedelta(days=warning_days())
    idle = _untouched_since(clocked_by(months_before(horizon, _months("DRAFT"))))
    return Dossier.objects.filter(idle, state=State.DRAFT).filter(
        Q(retention_warned_at__isnull=True) | ~_untouched_since_warning()
    )


def drafts_due(today: datetime.date) -> QuerySet[Dossier]:
    """Idle past the period, warned at least the warning delay ago, untouched since the warning."""
    idle = _untouched_since(clocked_by(months_before(today, _months("DRAFT"))))
    warned = Q(retention_warned_at__lt=clocked_by(today - datetime.timedelta(days=warning_days())))
    return Dossier.objects.filter(idle, warned, _untouched_since_warning(), state=State.DRAFT)


# Decided dossiers: the clock is the decision (refused, closed) or the end of the permit (accepted).


def _decided_past(today: datetime.date, *, refused_months: int, accepted_months: int) -> Q:
    refused_by = months_before(today, refused_months)
    accepted_by = months_before(today, accepted_months)
    refused_or_closed = Q(state__in=[State.REFUSED, State.CLOSED], decided_at__lt=clocked_by(refused_by))
    # Every permit of the dossier (a reopened one may have had several) ended by then.
    accepted = Q(state=State.ACCEPTED, decided_at__lt=clocked_by(accepted_by)) & ~Exists(
        Permit.objects.filter(dossier=OuterRef("pk"), valid_until__gt=accepted_by)
    )
    return refused_or_closed | accepted


def dossiers_due(today: datetime.date) -> QuerySet[Dossier]:
    past = _decided_past(today, refused_months=_months("DECIDED"), accepted_months=_months("ACCEPTED"))
    return Dossier.objects.filter(past, purged_at__isnull=True)


def documents_due(today: datetime.date) -> QuerySet[Document]:
    months = _months("DOCUMENTS")
    past = _decided_past(today, refused_months=months, accepted_months=months)
    return Document.objects.filter(dossier__in=Dossier.objects.filter(past).values("pk"))


def _purgeable_events() -> QuerySet[Event]:
    """Every audit event but the dossiers' lifecycle events: the typed transition log the statistics
    and timelines read points to them (and holds codes and dates, nothing personal)."""
    return Event.objects.exclude(Exists(DossierTransition.objects.filter(event_id=OuterRef("pk"))))


def _events_cutoff(today: datetime.date) -> datetime.datetime:
    return clocked_by(months_before(today, _months("AUDIT")))


def events_due(today: datetime.date) -> QuerySet[Event]:
    return _purgeable_events().filter(created_at__lt=_events_cutoff(today))


def outbox_due(today: datetime.date) -> QuerySet[OutboxMessage]:
    """Copies of e-mails and webhooks delivered or given up (addresses, names): same period as the trail."""
    settled = [OutboxStatus.SENT, OutboxStatus.FAILED]
    return OutboxMessage.objects.filter(status__in=settled, created_at__lt=_events_cutoff(today))


def _applicants_not_purged() -> QuerySet[User]:
    return User.objects.filter(role=Role.APPLICANT).exclude(email__endswith=f"@{PURGED_ACCOUNT_DOMAIN}")


def accounts_due(today: datetime.date) -> QuerySet[User]:
    """Applicants not seen for the period, with no dossier whose data are still kept."""
    by = clocked_by(months_before(today, _months("ACCOUNT")))
    inactive = Q(last_login__lt=by) | Q(last_login__isnull=True, date_joined__lt=by)
    holding = Exists(Dossier.objects.filter(applicant=OuterRef("pk"), purged_at__isnull=True))
    # A co-applicant (issue 15) holds the dossiers they joined as much as their filer does.
    joined = Exists(DossierParty.objects.filter(user=OuterRef("pk"), dossier__purged_at__isnull=True))
    return _applicants_not_purged().filter(inactive).exclude(holding).exclude(joined)


# The dry run.


@dataclass(frozen=True)
class PlanLine:
    kind: str
    due: int
    next_date: datetime.date | None  # the earliest day something not yet due falls due


def _day(moment) -> datetime.date:
    return local_date(moment) if isinstance(moment, datetime.datetime) else moment


def _earliest(*days) -> datetime.date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def _next_decided(pending: QuerySet[Dossier], *, refused_months: int, accepted_months: int):
    refused = pending.filter(state__in=[State.REFUSED, State.CLOSED]).aggregate(m=Min("decided_at"))["m"]
    last_end = Subquery(
        Permit.objects.filter(dossier=OuterRef("pk")).order_by("-valid_until").values("valid_until")[:1]
    )
    ends = pending.filter(state=State.ACCEPTED).annotate(end=last_end).aggregate(m=Min("end"))["m"]
    return _earliest(
        refused and months_after(_day(refused), refused_months),
        ends and months_after(ends, accepted_months),
    )


def retention_plan(today: datetime.date) -> list[PlanLine]:
    """Counts due today per kind, and the next date something falls due (an earliest bound: a
    draft touched meanwhile or an account with dossiers left waits longer)."""
    decided = Q(state__in=[State.ACCEPTED, State.REFUSED, State.CLOSED])
    draft_months, doc_months = _months("DRAFT"), _months("DOCUMENTS")

    drafts = Dossier.objects.filter(state=State.DRAFT)
    oldest_draft = drafts.exclude(pk__in=drafts_due(today).values("pk")).aggregate(m=Min("updated_at"))["m"]
    next_draft = oldest_draft and months_after(_day(oldest_draft), draft_months)
    unwarned = drafts.exclude(pk__in=drafts_to_warn(today).values("pk")).filter(
        retention_warned_at__isnull=True
    )
    oldest_unwarned = unwarned.aggregate(m=Min("updated_at"))["m"]
    next_warning = oldest_unwarned and months_after(_day(oldest_unwarned), draft_months) - datetime.timedelta(
        days=warning_days()
    )

    with_documents = Dossier.objects.filter(decided, Exists(Document.objects.filter(dossier=OuterRef("pk"))))
    docs_pending = with_documents.exclude(pk__in=documents_due(today).values("dossier_id"))
    kept = Dossier.objects.filter(decided, purged_at__isnull=True).exclude(
        pk__in=dossiers_due(today).values("pk")
    )

    later_events = _purgeable_events().filter(created_at__gte=_events_cutoff(today))
    oldest_event = later_events.aggregate(m=Min("created_at"))["m"]
    later_messages = OutboxMessage.objects.filter(
        status__in=[OutboxStatus.SENT, OutboxStatus.FAILED], created_at__gte=_events_cutoff(today)
    )
    oldest_message = later_messages.aggregate(m=Min("created_at"))["m"]
    seen = _applicants_not_purged().exclude(pk__in=accounts_due(today).values("pk"))
    oldest_seen = seen.aggregate(m=Min(Coalesce("last_login", "date_joined")))["m"]

    return [
        PlanLine(Kind.DRAFT_WARNINGS, drafts_to_warn(today).count(), next_warning),
        PlanLine(Kind.DRAFTS, drafts_due(today).count(), next_draft),
        PlanLine(
            Kind.DOCUMENTS,
            documents_due(today).count(),
            _next_decided(docs_pending, refused_months=doc_months, accepted_months=doc_months),
        ),
        PlanLine(
            Kind.DOSSIERS,
            dossiers_due(today).count(),
            _next_decided(kept, refused_months=_months("DECIDED"), accepted_months=_months("ACCEPTED")),
        ),
        PlanLine(
            Kind.EVENTS,
            events_due(today).count(),
            oldest_event and months_after(_day(oldest_event), _months("AUDIT")),
        ),
        PlanLine(
            Kind.OUTBOX,
            outbox_due(today).count(),
            oldest_message and months_after(_day(oldest_message), _months("AUDIT")),
        ),
        PlanLine(
            Kind.ACCOUNTS,
            accounts_due(today).count(),
            oldest_seen and months_after(_day(oldest_seen), _months("ACCOUNT")),
        ),
    ]
