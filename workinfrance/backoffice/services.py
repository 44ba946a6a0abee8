"""Writes of the back-office that are not state changes: reading records, notes, exports.

State changes and thread messages go through `workinfrance.dossiers.services`.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from workinfrance.accounts.models import User
from workinfrance.core.events import event_record
from workinfrance.dossiers.lifecycle import Actor, actor_kinds
from workinfrance.dossiers.models import Document, Dossier, Note
from workinfrance.dossiers.services import ActorNotAllowed, DossierActionError


def _require_unit_staff(dossier: Dossier, actor: User) -> None:
    if Actor.UNIT_AGENT not in actor_kinds(dossier, actor):
        raise ActorNotAllowed(_("Vous n'êtes pas autorisé à effectuer cette action sur ce dossier."))


def dossier_view_record(*, dossier: Dossier, actor: User) -> None:
    """Who read which dossier, and when (DESIGN §8: every read by staff is audited)."""
    event_record(actor=actor, verb="dossier.view", target=dossier)


def document_view_record(*, document: Document, actor: User, download: bool) -> None:
    event_record(
        actor=actor,
        verb="dossier.document_download" if download else "dossier.document_view",
        target=document.dossier,
        data={"document": document.pk},
    )


def note_add(*, dossier: Dossier, actor: User, body: str) -> Note:
    _require_unit_staff(dossier, actor)
    if not body.strip():
        raise DossierActionError(_("La note est vide."))
    with transaction.atomic():
        note = Note.objects.create(dossier=dossier, author=actor, body=body.strip())
        # The event says a note exists, not what it says: the trail may be read more widely.
        event_record(actor=actor, verb="dossier.note", target=dossier, data={"note": note.pk})
    return note


def export_record(*, actor: User, export_format: str, filters: dict[str, Any]) -> None:
    """Exports carry personal data: record who exported what selection."""
    event_record(
        actor=actor, verb="backoffice.export", target=actor, data={"format": export_format, **filters}
    )
