"""Who may see which dossiers: the one place that scopes every read."""

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from workinfrance.core.events import events_for

from .lifecycle import State, user_unit_ids
from .models import ComplementRequest, Document, Dossier, Message


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """Applicants see the dossiers they filed; staff see their units' dossiers once submitted.

    Administrators manage the service, not files: they see none here (the Django admin is theirs).
    """
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    if user.is_agent:
        return Dossier.objects.filter(unit_id__in=user_unit_ids(user)).exclude(state=State.DRAFT)
    if user.is_applicant:
        return Dossier.objects.filter(applicant=user)
    return Dossier.objects.none()


def dossier_get_for_user(*, user, **lookup) -> Dossier:
    """The dossier if `user` may see it, else 404 (never 403: do not confirm that it exists)."""
    dossier = (
        dossiers_visible_to(user)
        .select_related("category", "department", "unit", "assignee")
        .filter(**lookup)
        .first()
    )
    if dossier is None:
        raise Http404
    return dossier


IMPLICIT_REFUSAL_MONTHS = 2


def implicit_refusal_date(dossier: Dossier) -> date | None:
    """Silence for two months after a complete file means refusal (while waiting for a decision)."""
    if dossier.state not in {State.SUBMITTED, State.IN_REVIEW} or dossier.submitted_at is None:
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
    """The file in force for each document type (superseded ones and message attachments aside)."""
    return list(
        dossier.documents.filter(superseded_at__isnull=True, message__isnull=True)
        .select_related("document_type")
        .order_by("document_type__order", "uploaded_at")
    )


def message_thread(dossier: Dossier) -> list[Message]:
    return list(
        dossier.messages.select_related("author", "complement_request")
        .prefetch_related("attachments", "complement_request__document_types")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str


def _timeline_label(event) -> str | None:
    """Applicant-facing wording of an event; None hides it (staff-only: reads, notes, reassignment)."""
    data = event.data or {}
    labels = {
        "dossier.create": _("Brouillon créé"),
        "dossier.submit": _("Dossier déposé et transmis au service instructeur"),
        "dossier.take": _("Dossier pris en charge par un agent"),
        "dossier.request_complements": _("L'agent a demandé des compléments"),
        "dossier.resubmit": _("Compléments envoyés : dossier renvoyé au service instructeur"),
        "dossier.accept": _("Autorisation provisoire de travail accordée"),
        "dossier.refuse": _("Demande refusée"),
        "dossier.close": _("Dossier classé sans suite"),
        "dossier.reopen": _("Décision rouverte pour un nouvel examen"),
    }
    if event.verb == "dossier.assign":
        # Only visible when it moved the file into review; who works on it is internal.
        return labels["dossier.take"] if data.get("from") != data.get("to") else None
    return labels.get(event.verb)


def applicant_timeline(dossier: Dossier) -> list[TimelineEntry]:
    entries = []
    for event in events_for(dossier).order_by("created_at", "pk"):
        label = _timeline_label(event)
        if label:
            entries.append(TimelineEntry(at=event.created_at, label=label))
    return entries
