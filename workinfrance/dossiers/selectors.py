"""Who may see which dossiers: the one place that scopes every read."""

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.core.events import events_for
from workinfrance.core.verbs import Verb

from .lifecycle import AWAITING_UNIT_STATES, FILED_STATES, RETURNED_BY, State, Transition, values
from .models import (
    EMPLOYER_SIDES,
    ComplementRequest,
    Document,
    Dossier,
    DossierParty,
    DossierTransition,
    Message,
    MessageRead,
    PartySide,
    PartyStatus,
)


def dossiers_of_party(user) -> QuerySet[Dossier]:
    """The dossiers `user` is an accepted party of: the one predicate of every applicant-side read.

    The filer (`Dossier.applicant`) always is one, even on rows made without a party row."""
    joined = DossierParty.objects.filter(user=user, status=PartyStatus.JOINED).values("dossier_id")
    return Dossier.objects.filter(Q(applicant=user) | Q(pk__in=joined))


def party_may_view(dossier: Dossier, user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_applicant
        and dossiers_of_party(user).filter(pk=dossier.pk).exists()
    )


def party_sides(dossier: Dossier) -> dict[str, int]:
    """Side -> user id of the dossier's accepted parties, the filer included."""
    sides = dict(
        DossierParty.objects.filter(dossier=dossier, status=PartyStatus.JOINED).values_list("side", "user_id")
    )
    if dossier.applicant_id not in sides.values():
        sides.setdefault(dossier.filer_kind, dossier.applicant_id)
    return sides


STUDENT_PART = "student"
EMPLOYER_PART = "employer"


def editable_parts(dossier: Dossier, user, *, sides: dict[str, int] | None = None) -> set[str]:
    """The parts of the form `user` may edit: the student her identity and studies, the employer's
    side (contact or mandatary) the company, contract and job. A part with no party of its side
    yet is filled by whoever is there (the filer, usually)."""
    sides = party_sides(dossier) if sides is None else sides
    mine = {side for side, user_id in sides.items() if user_id == user.pk}
    if not mine:
        return set()
    parts = set()
    if PartySide.STUDENT in mine or PartySide.STUDENT not in sides:
        parts.add(STUDENT_PART)
    if mine & EMPLOYER_SIDES or not set(sides) & EMPLOYER_SIDES:
        parts.add(EMPLOYER_PART)
    return parts


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """Applicants see the dossiers they are a party of; staff see their units' dossiers once submitted.

    Administrators manage the service, not files: they see none here (the Django admin is theirs).
    """
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    if user.is_agent:
        return Dossier.objects.filter(unit_id__in=user_unit_ids(user), state__in=values(FILED_STATES))
    if user.is_applicant:
        return dossiers_of_party(user)
    return Dossier.objects.none()


def dossier_get_for_user(*, user, **lookup) -> Dossier | None:
    """The dossier if `user` may see it, else None (views answer 404, never 403: do not confirm
    that it exists)."""
    return (
        dossiers_visible_to(user)
        .select_related("category", "department", "unit", "assignee")
        .filter(**lookup)
        .first()
    )


IMPLICIT_REFUSAL_MONTHS = 2


def implicit_refusal_date(dossier: Dossier) -> date | None:
    """Silence for two months after a complete file means refusal (while waiting for a decision)."""
    if dossier.state not in AWAITING_UNIT_STATES or dossier.submitted_at is None:
        return None
    return timezone.localdate(dossier.submitted_at) + relativedelta(months=IMPLICIT_REFUSAL_MONTHS)


def open_complement_request(dossier: Dossier) -> ComplementRequest | None:
    if dossier.state != State.AWAITING_COMPLEMENTS:
        return None
    return (
        dossier.complement_requests.filter(answered_at__isnull=True)
        .select_related("message")
        .prefetch_related("document_types")
        .last()
    )


def documents_current(dossier: Dossier) -> list[Document]:
    """The files in force for each document type, several per type possible (superseded ones and message
    attachments aside)."""
    return list(
        dossier.documents.filter(superseded_at__isnull=True, message__isnull=True)
        .select_related("document_type")
        .order_by("document_type__order", "uploaded_at")
    )


def message_thread(dossier: Dossier) -> list[Message]:
    return list(
        dossier.messages.select_related("author", "complement_request")
        .prefetch_related("attachments", "complement_request__document_types", message_reads_prefetch())
        .order_by("created_at", "pk")
    )


def message_reads_prefetch() -> Prefetch:
    """Each message's read receipts with their readers (one query for the whole thread)."""
    return Prefetch("reads", queryset=MessageRead.objects.select_related("user").order_by("read_at", "pk"))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str


_CREATED = _("Brouillon créé")


def _transition_label(row: DossierTransition) -> str | None:
    """Applicant-facing wording of a transition; None hides it (who works on a file is internal)."""
    labels = {
        Transition.SUBMIT: _("Dossier déposé et transmis au service instructeur"),
        Transition.TAKE: _("Dossier pris en charge par un agent"),
        Transition.REQUEST_COMPLEMENTS: _("L'agent a demandé des compléments"),
        Transition.RESUBMIT: _("Compléments envoyés : dossier renvoyé au service instructeur"),
        Transition.ACCEPT: _("Autorisation provisoire de travail accordée"),
        Transition.REFUSE: _("Demande refusée"),
        Transition.CLOSE: _("Dossier classé sans suite"),
        Transition.REOPEN: _("Décision rouverte pour un nouvel examen"),
    }
    if row.transition == Transition.ASSIGN:
        # Only visible when it moved the file into review.
        return labels[Transition.TAKE] if row.from_state != row.to_state else None
    return labels.get(Transition(row.transition))


def applicant_timeline(dossier: Dossier) -> list[TimelineEntry]:
    """Its creation (the draft's audit event), then its transitions (the typed log)."""
    entries = []
    created = events_for(dossier).filter(verb=Verb.DOSSIER_CREATE).order_by("created_at", "pk").first()
    if created is not None:
        entries.append(TimelineEntry(at=created.created_at, label=_CREATED))
    for row in dossier.transitions.order_by("at", "event_id"):
        label = _transition_label(row)
        if label:
            entries.append(TimelineEntry(at=row.at, label=label))
    return entries


def returned_with_complements_annotation() -> Subquery:
    """For a queryset of dossiers: the transition by which each entered its current state (the
    latest that changed it). A dossier in review entered by `RETURNED_BY` is "complété, à revoir"."""
    return Subquery(
        DossierTransition.objects.filter(dossier=OuterRef("pk"))
        .exclude(from_state=F("to_state"))
        .order_by("-at", "-event_id")
        .values("transition")[:1]
    )


def is_returned_with_complements(dossier: Dossier, entered_by: str | None) -> bool:
    return dossier.state == State.IN_REVIEW and entered_by == RETURNED_BY


def dossier_returned_with_complements(dossier: Dossier) -> bool:
    """Back from the applicant with the complements asked, not yet decided: "complété, à revoir"."""
    if dossier.state != State.IN_REVIEW:
        return False
    entered_by = (
        dossier.transitions.exclude(from_state=F("to_state"))
        .order_by("-at", "-event_id")
        .values_list("transition", flat=True)
        .first()
    )
    return is_returned_with_complements(dossier, entered_by)
