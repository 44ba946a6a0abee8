"""Dossiers put directly in a given state, as test setup (the application only changes states via services)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from workinfrance.core.models import Event
from workinfrance.dossiers.lifecycle import DECIDED_STATES, State
from workinfrance.dossiers.models import ComplementRequest, Dossier, Message

from tests.factories import DossierFactory, attach_required_documents


def dossier_in_state(state, *, applicant, unit=None, assignee=None, documents=True, **fields) -> Dossier:
    dossier = DossierFactory(applicant=applicant, **fields)
    if documents:
        attach_required_documents(dossier)
    if state != State.DRAFT:
        now = timezone.now()
        Dossier.objects.filter(pk=dossier.pk).update(
            state=state,
            number=f"WIF-2026-{dossier.department_id}-{dossier.pk:06d}",
            unit=unit,
            assignee=assignee,
            first_submitted_at=now,
            submitted_at=now,
            decided_at=now if state in DECIDED_STATES else None,
        )
        if state == State.AWAITING_COMPLEMENTS:
            message = Message.objects.create(
                dossier=dossier, author=assignee, from_staff=True, body="Merci d'ajouter le passeport."
            )
            request = ComplementRequest.objects.create(dossier=dossier, message=message)
            request.document_types.set(dossier.category.document_types.filter(code="passport"))
        dossier.refresh_from_db()
    return dossier


def events_of(dossier) -> list[str]:
    return list(
        Event.objects.filter(target_type="dossiers.dossier", target_id=str(dossier.pk)).values_list(
            "verb", flat=True
        )
    )


def upload(content: bytes, name: str = "piece.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)
