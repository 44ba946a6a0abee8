"""Writes of the back-office that are not state changes: reading records, notes, staff messages.

State changes go through `workinfrance.dossiers.services` only.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from workinfrance.core.events import event_record
from workinfrance.dossiers import notifications
from workinfrance.dossiers.lifecycle import Actor, actor_kinds
from workinfrance.dossiers.models import Document, Dossier, Message, Note
from workinfrance.dossiers.services import ActorNotAllowed, DossierActionError


def _require_unit_staff(dossier: Dossier, actor) -> None:
    if Actor.UNIT_AGENT not in actor_kinds(dossier, actor):
        raise ActorNotAllowed(_("Vous n'êtes pas autorisé à effectuer cette action sur ce dossier."))


def dossier_view_record(*, dossier: Dossier, actor) -> None:
    """Who read which dossier, and when (DESIGN §8: every read by staff is audited)."""
    event_record(actor=actor, verb="dossier.view", target=dossier)


def document_view_record(*, document: Document, actor, download: bool) -> None:
    event_record(
        actor=actor,
        verb="dossier.document_download" if download else "dossier.document_view",
        target=document.dossier,
        data={"document": document.pk},
    )


def note_add(*, dossier: Dossier, actor, body: str) -> Note:
    _require_unit_staff(dossier, actor)
    if not body.strip():
        raise DossierActionError(_("La note est vide."))
    with transaction.atomic():
        note = Note.objects.create(dossier=dossier, author=actor, body=body.strip())
        # The event says a note exists, not what it says: the trail may be read more widely.
        event_record(actor=actor, verb="dossier.note", target=dossier, data={"note": note.pk})
    return note


def staff_message_post(*, dossier: Dossier, actor, body: str) -> Message:
    """An agent writes to the applicant in the dossier's thread; the applicant is told by e-mail."""
    _require_unit_staff(dossier, actor)
    if not body.strip():
        raise DossierActionError(_("Le message est vide."))
    with transaction.atomic():
        message = Message.objects.create(dossier=dossier, author=actor, from_staff=True, body=body.strip())
        event_record(actor=actor, verb="dossier.message", target=dossier, data={"message": message.pk})
        transaction.on_commit(
            lambda: notifications.message_posted(dossier_id=dossier.pk, message_id=message.pk)
        )
    return message


def export_record(*, actor, export_format: str, filters: dict) -> None:
    """Exports carry personal data: record who exported what selection."""
    event_record(
        actor=actor, verb="backoffice.export", target=actor, data={"format": export_format, **filters}
    )
