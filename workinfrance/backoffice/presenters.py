"""What the dossier screen shows: readable sections, documents, thread, notes, permits and signals."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workinfrance.dossiers.fields import (
    EMPLOYER_FIELDS,
    IDENTITY_FIELDS,
    JOB_FIELDS,
    RESIDENCE_FIELDS,
    STUDY_FIELDS,
)
from workinfrance.dossiers.models import ComplementRequest, Document, Dossier, MessageTemplate
from workinfrance.dossiers.selectors import (
    dossier_returned_with_complements,
    implicit_refusal_date,
    message_reads_prefetch,
)
from workinfrance.dossiers.terms import permit_warnings
from workinfrance.followup.alerts import dossier_alerts
from workinfrance.opinions.selectors import opinions_of
from workinfrance.permits.models import DecisionLetter

from .selectors import days_since_filing

# Shown in the page (PDF viewer, image); anything else is only downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

SECTIONS = [
    (gettext_lazy("Étudiant"), IDENTITY_FIELDS),
    (gettext_lazy("Titre de séjour"), RESIDENCE_FIELDS),
    (gettext_lazy("Études"), STUDY_FIELDS),
    (gettext_lazy("Employeur"), EMPLOYER_FIELDS),
    (gettext_lazy("Emploi"), JOB_FIELDS),
    (gettext_lazy("Demande"), ("filer_kind", "previous_permit_number")),
]


@dataclass(frozen=True)
class Line:
    label: str
    value: object


def _display(dossier: Dossier, name: str):
    field = Dossier._meta.get_field(name)
    if field.choices:
        return getattr(dossier, f"get_{name}_display")()
    value = getattr(dossier, name)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return value


def dossier_sections(dossier: Dossier) -> list[tuple[str, list[Line]]]:
    return [
        (
            title,
            [
                Line(str(Dossier._meta.get_field(name).verbose_name), _display(dossier, name))
                for name in names
            ],
        )
        for title, names in SECTIONS
    ]


def dossier_context(dossier: Dossier) -> dict:
    today = timezone.localdate()
    documents = list(
        dossier.documents.select_related("document_type").order_by(
            "document_type__order", "uploaded_at", "pk"
        )
    )
    thread = list(
        dossier.messages.select_related("author").prefetch_related(
            Prefetch("attachments", queryset=Document.objects.order_by("pk")), message_reads_prefetch()
        )
    )
    complement_requests = list(
        ComplementRequest.objects.filter(dossier=dossier)
        .prefetch_related("document_types")
        .select_related("message")
    )
    permits = list(dossier.permits.order_by("-issued_at"))
    late_message_ids = {
        message.pk
        for message in thread
        if dossier.is_decided and not message.from_staff and message.created_at > dossier.decided_at
    }
    dossier.has_message_after_decision = bool(late_message_ids)
    return {
        "dossier": dossier,
        "sections": dossier_sections(dossier),
        # Names and birth date received from FranceConnect rather than typed by the applicant.
        "identity_certified_by": dossier.get_student_identity_certified_by_display(),
        "documents": [d for d in documents if d.message_id is None and d.superseded_at is None],
        "superseded_documents": [
            d for d in documents if d.message_id is None and d.superseded_at is not None
        ],
        "thread": thread,
        "late_message_ids": late_message_ids,
        "complement_requests": complement_requests,
        "notes": list(dossier.notes.select_related("author")),
        "permits": [(permit, permit_warnings(permit, dossier)) for permit in permits],
        "decision_letters": list(DecisionLetter.objects.filter(dossier=dossier).select_related("permit")),
        "returned_with_complements": dossier_returned_with_complements(dossier),
        "flags": dossier_alerts(dossier, today=today),
        "implicit_refusal_date": implicit_refusal_date(dossier),
        "days_since_filing": days_since_filing(dossier, today=today),
        "inline_types": INLINE_TYPES,
        # Opinions asked of other services, with their shared documents (workinfrance.opinions).
        "opinions": list(opinions_of(dossier)),
        # The unit's message templates, to prefill the thread message or the complement request.
        "message_templates": list(MessageTemplate.objects.filter(unit_id=dossier.unit_id)),
    }
