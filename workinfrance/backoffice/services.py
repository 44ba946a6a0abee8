"""Writes of the back-office that are not state changes: reading records, notes, exports.

State changes and thread messages go through `workinfrance.dossiers.services`.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from workinfrance.accounts.models import User
from workinfrance.core.events import event_record
from workinfrance.core.verbs import Verb
from workinfrance.dossiers.lifecycle import Actor, actor_kinds
from workinfrance.dossiers.models import Document, Dossier, MessageTemplate, Note
from workinfrance.dossiers.services import ActorNotAllowed, DossierActionError
from workinfrance.territories.models import Unit


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


def _require_unit_supervisor(unit_id: int | None, actor: User) -> None:
    if not (actor.is_supervisor and actor.is_active and unit_id in actor.unit_ids):
        raise ActorNotAllowed(_("Seuls les responsables de l'unité gèrent ses modèles de message."))


def message_template_save(
    *, actor: User, unit: Unit, title: str, body: str, template: MessageTemplate | None = None
) -> MessageTemplate:
    """Create or change one of a unit's message templates (its supervisors only); audited."""
    _require_unit_supervisor(unit.pk, actor)
    if template is not None:
        _require_unit_supervisor(template.unit_id, actor)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise DossierActionError(_("Un modèle a un titre et un texte."))
    duplicate = MessageTemplate.objects.filter(unit=unit, title__iexact=title)
    if template is not None:
        duplicate = duplicate.exclude(pk=template.pk)
    if duplicate.exists():
        raise DossierActionError(_("L'unité a déjà un modèle de ce titre."))
    with transaction.atomic():
        created = template is None
        saved = template or MessageTemplate()
        saved.unit, saved.title, saved.body, saved.updated_by = unit, title, body, actor
        saved.save()
        event_record(
            actor=actor,
            verb=Verb.MESSAGE_TEMPLATE_SAVE,
            target=unit,
            data={"template": saved.pk, "created": created},
        )
    return saved


def message_template_delete(*, actor: User, template: MessageTemplate) -> None:
    _require_unit_supervisor(template.unit_id, actor)
    with transaction.atomic():
        unit = template.unit
        pk = template.pk
        template.delete()
        event_record(actor=actor, verb=Verb.MESSAGE_TEMPLATE_DELETE, target=unit, data={"template": pk})
