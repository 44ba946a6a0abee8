"""Writes of the back-office that are not state changes: reading records, notes, exports, labels,
saved filters and columns, batch actions.

State changes and thread messages go through `workinfrance.dossiers.services` (a batch too, one
dossier at a time).
"""

import datetime
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workinfrance.accounts.models import User
from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.core.events import event_record
from workinfrance.core.verbs import Verb
from workinfrance.dossiers import services as dossier_services
from workinfrance.dossiers.lifecycle import Actor, actor_kinds
from workinfrance.dossiers.models import Document, Dossier, MessageTemplate, Note
from workinfrance.dossiers.selectors import dossiers_visible_to
from workinfrance.dossiers.services import ActorNotAllowed, DossierActionError, PermitTerms
from workinfrance.procedures.models import DocumentType
from workinfrance.territories.models import Unit

from .columns import OPTIONAL_COLUMNS
from .models import (
    Batch,
    BatchAction,
    BatchItem,
    BatchItemStatus,
    BatchStatus,
    DossierLabel,
    InboxColumns,
    Label,
    LabelColour,
    SavedFilter,
)

BATCH_MAX_ITEMS = 500


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


# --- Labels: defined per unit by its supervisor, put on the unit's dossiers by its agents ----------


def _require_supervisor_of(actor: User, unit_id: int | None, refusal: str | None = None) -> None:
    """Labels and message templates are managed by the unit's own supervisors."""
    if not (actor.is_active and actor.is_supervisor and unit_id in user_unit_ids(actor)):
        raise ActorNotAllowed(refusal or _("Seul un responsable de l'unité gère ses étiquettes."))


def _label_name_clean(unit_id: int, name: str, *, exclude: int | None = None) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DossierActionError(_("Donnez un nom à l'étiquette."))
    taken = Label.objects.filter(unit_id=unit_id, name__iexact=cleaned)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise DossierActionError(_("L'unité a déjà une étiquette « %(name)s ».") % {"name": cleaned})
    return cleaned


def _colour_checked(colour: str) -> str:
    if colour not in LabelColour.values:
        raise DossierActionError(_("Choisissez une couleur de la liste."))
    return colour


def label_create(*, actor: User, unit: Unit, name: str, colour: str) -> Label:
    _require_supervisor_of(actor, unit.pk)
    cleaned = _label_name_clean(unit.pk, name)
    try:
        with transaction.atomic():
            label = Label.objects.create(unit=unit, name=cleaned, colour=_colour_checked(colour))
            event_record(
                actor=actor, verb=Verb.LABEL_CREATE, target=unit, data={"label": label.pk, "name": label.name}
            )
    except IntegrityError:  # the same name created at the same moment (the database's constraint)
        raise DossierActionError(
            _("L'unité a déjà une étiquette « %(name)s ».") % {"name": cleaned}
        ) from None
    return label


def label_update(*, actor: User, label: Label, name: str, colour: str) -> Label:
    _require_supervisor_of(actor, label.unit_id)
    with transaction.atomic():
        before = {"name": label.name, "colour": label.colour}
        label.name = _label_name_clean(label.unit_id, name, exclude=label.pk)
        label.colour = _colour_checked(colour)
        label.save(update_fields=["name", "colour"])
        event_record(
            actor=actor,
            verb=Verb.LABEL_UPDATE,
            target=label.unit,
            data={"label": label.pk, "before": before, "name": label.name, "colour": label.colour},
        )
    return label


def label_delete(*, actor: User, label: Label) -> int:
    """Delete a label: it leaves every dossier it was on (their number is in the audit trail)."""
    _require_supervisor_of(actor, label.unit_id)
    with transaction.atomic():
        on_dossiers = label.dossier_labels.count()
        event_record(
            actor=actor,
            verb=Verb.LABEL_DELETE,
            target=label.unit,
            data={"label": label.pk, "name": label.name, "dossiers": on_dossiers},
        )
        label.delete()
    return on_dossiers


def _label_checked(dossier: Dossier, actor: User, label: Label) -> None:
    _require_unit_staff(dossier, actor)
    if label.unit_id != dossier.unit_id:
        raise DossierActionError(_("Cette étiquette n'appartient pas à l'unité du dossier."))


def dossier_label_add(*, dossier: Dossier, actor: User, label: Label) -> bool:
    """Put `label` on `dossier`; False if it was already there (nothing recorded)."""
    _label_checked(dossier, actor, label)
    with transaction.atomic():
        _link, created = DossierLabel.objects.get_or_create(
            dossier=dossier, label=label, defaults={"added_by": actor}
        )
        if created:
            event_record(
                actor=actor,
                verb=Verb.DOSSIER_LABEL_ADD,
                target=dossier,
                data={"label": label.pk, "name": label.name},
            )
    return created


def dossier_label_remove(*, dossier: Dossier, actor: User, label: Label) -> bool:
    _label_checked(dossier, actor, label)
    with transaction.atomic():
        removed, _detail = DossierLabel.objects.filter(dossier=dossier, label=label).delete()
        if removed:
            event_record(
                actor=actor,
                verb=Verb.DOSSIER_LABEL_REMOVE,
                target=dossier,
                data={"label": label.pk, "name": label.name},
            )
    return bool(removed)


# --- Saved filters and columns: an agent's own, seen by no one else --------------------------------


def saved_filter_create(*, actor: User, name: str, query_string: str) -> SavedFilter:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise DossierActionError(_("Donnez un nom au filtre."))
    if SavedFilter.objects.filter(owner=actor, name__iexact=cleaned).exists():
        raise DossierActionError(_("Vous avez déjà un filtre « %(name)s ».") % {"name": cleaned})
    return SavedFilter.objects.create(owner=actor, name=cleaned, query_string=query_string[:1000])


def saved_filter_delete(*, actor: User, saved_filter_id: int) -> bool:
    deleted, _detail = SavedFilter.objects.filter(owner=actor, pk=saved_filter_id).delete()
    return bool(deleted)


def inbox_columns_set(*, actor: User, columns: list[str]) -> InboxColumns:
    chosen = [key for key in OPTIONAL_COLUMNS if key in set(columns)]
    preference, _created = InboxColumns.objects.update_or_create(owner=actor, defaults={"columns": chosen})
    return preference


# --- Batch actions: each dossier through the same service as one by one, in its own transaction ---

logger = logging.getLogger(__name__)


def batch_create(
    *,
    actor: User,
    action: str,
    references: list[str],
    params: dict[str, Any] | None = None,
    item_params: dict[str, dict[str, Any]] | None = None,
) -> Batch:
    """Record the batch and its dossiers (as asked: nothing is checked here but the action), then
    queue it after commit. Each dossier is checked when its turn comes (`batch_run`)."""
    if action not in BatchAction.values:
        raise DossierActionError(_("Action inconnue."))
    if action == BatchAction.ASSIGN and not actor.is_supervisor:
        raise ActorNotAllowed(_("Seul un responsable de l'unité attribue des dossiers."))
    unique = list(dict.fromkeys(batch_reference(ref) for ref in references if ref.strip()))
    if not unique:
        raise DossierActionError(_("Sélectionnez au moins un dossier."))
    if len(unique) > BATCH_MAX_ITEMS:
        raise DossierActionError(_("Un lot compte au plus %(max)s dossiers.") % {"max": BATCH_MAX_ITEMS})
    with transaction.atomic():
        batch = Batch.objects.create(
            actor=actor,
            action=action,
            params=params or {},
            language=translation.get_language() or "fr",
            total=len(unique),
        )
        BatchItem.objects.bulk_create(
            BatchItem(
                batch=batch, position=index, reference=ref[:64], params=(item_params or {}).get(ref, {})
            )
            for index, ref in enumerate(unique)
        )
        event_record(
            actor=actor,
            verb=Verb.BATCH_CREATE,
            target=batch,
            data={"action": action, "total": len(unique), **_audit_params(params or {})},
        )
        batch_id = batch.pk
        transaction.on_commit(lambda: batch_schedule(batch_id=batch_id), robust=True)
    return batch


def batch_reference(reference: str) -> str:
    """A dossier reference as the batch keeps it: its uuid in canonical form (else as typed, bounded)."""
    try:
        return str(uuid.UUID(reference.strip()))
    except ValueError:
        return reference.strip()[:64]


def _audit_params(params: dict[str, Any]) -> dict[str, Any]:
    """What the trail keeps of the parameters: identifiers, never the text of a message."""
    return {key: value for key, value in params.items() if key in ("assignee", "label", "document_types")}


def batch_schedule(*, batch_id: int) -> None:
    """After commit: queue the batch (in-process without a broker)."""
    from .tasks import run_batch

    try:
        run_batch.delay(batch_id=batch_id)
    except Exception as error:
        # The broker is down (Redis is an accelerator, never a dependency): run it here, as
        # without a broker, rather than leave it waiting for a worker that will never hear of it.
        logger.warning("Batch %s not queued (%s): run in-process", batch_id, error)
        batch_run(batch_id=batch_id)


def _batch_dossier(batch: Batch, item: BatchItem) -> Dossier | None:
    """The dossier of an item if the batch's author may see it; never another unit's."""
    try:
        key = uuid.UUID(item.reference)
    except ValueError:
        return None
    return dossiers_visible_to(batch.actor).filter(uuid=key).first()


def _batch_apply(batch: Batch, item: BatchItem, dossier: Dossier) -> None:
    """One dossier, through the same service as one by one (each opens its own transaction)."""
    actor, params = batch.actor, batch.params
    if batch.action == BatchAction.TAKE:
        dossier_services.dossier_take(dossier=dossier, actor=actor)
    elif batch.action == BatchAction.ASSIGN:
        assignee = User.objects.filter(pk=params.get("assignee")).first()
        if assignee is None:
            raise DossierActionError(_("Cette personne n'est pas instructeur de l'unité du dossier."))
        dossier_services.dossier_assign(dossier=dossier, actor=actor, assignee=assignee)
    elif batch.action == BatchAction.LABEL:
        label = Label.objects.filter(pk=params.get("label")).first()
        if label is None:
            raise DossierActionError(_("Cette étiquette n'existe plus."))
        if not dossier_label_add(dossier=dossier, actor=actor, label=label):
            raise DossierActionError(_("Le dossier porte déjà cette étiquette."))
    elif batch.action == BatchAction.COMPLEMENTS:
        codes = list(params.get("document_types", []))
        types = list(DocumentType.objects.filter(category=dossier.category_id, code__in=codes))
        missing = sorted(set(codes) - {t.code for t in types})
        if missing:
            raise DossierActionError(
                _("Pièce(s) sans objet pour la catégorie de ce dossier : %(codes)s.")
                % {"codes": ", ".join(missing)}
            )
        dossier_services.dossier_request_complements(
            dossier=dossier, actor=actor, document_types=types, message=params.get("message", "")
        )
    elif batch.action == BatchAction.ACCEPT:
        terms = item.params
        if not terms:
            raise DossierActionError(_("Conditions de l'autorisation absentes : relisez le dossier."))
        dossier_services.dossier_accept(
            dossier=dossier,
            actor=actor,
            terms=PermitTerms(
                validity_start=datetime.date.fromisoformat(terms["validity_start"]),
                validity_end=datetime.date.fromisoformat(terms["validity_end"]),
                weekly_hours=Decimal(terms["weekly_hours"]),
            ),
        )


def batch_run(*, batch_id: int) -> Batch:
    """Work through the batch's pending dossiers, each in its own transaction; a refusal is recorded
    with its reason (in the author's language) and the next dossier goes on. Run again (a worker
    lost), it takes up where it stopped."""
    batch = Batch.objects.select_related("actor").get(pk=batch_id)
    if batch.status == BatchStatus.FINISHED:
        return batch
    Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, started_at=timezone.now())
    with translation.override(batch.language):
        for item in batch.items.filter(status=BatchItemStatus.PENDING).order_by("position"):
            dossier = _batch_dossier(batch, item)
            if dossier is None:
                status, reason = (
                    BatchItemStatus.DECLINED,
                    _("Dossier introuvable parmi ceux de votre unité : rien n'a été fait."),
                )
            else:
                try:
                    _batch_apply(batch, item, dossier)
                    status, reason = BatchItemStatus.DONE, ""
                except DossierActionError as error:
                    status = BatchItemStatus.DECLINED
                    reason = " ".join([error.message, *(problem.message for problem in error.problems)])
                except Exception:
                    logger.exception("Batch %s: dossier %s failed", batch.pk, dossier.pk)
                    status, reason = (
                        BatchItemStatus.DECLINED,
                        _("Erreur inattendue : réessayez ce dossier seul."),
                    )
            with transaction.atomic():
                BatchItem.objects.filter(pk=item.pk).update(
                    status=status, reason=reason, dossier=dossier.pk if dossier else None
                )
                counter = "done" if status == BatchItemStatus.DONE else "declined"
                Batch.objects.filter(pk=batch.pk).update(**{counter: F(counter) + 1})
    with transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.FINISHED, finished_at=timezone.now())
        batch.refresh_from_db()
        event_record(
            actor=batch.actor,
            verb=Verb.BATCH_FINISH,
            target=batch,
            data={"action": batch.action, "done": batch.done, "declined": batch.declined},
        )
    return batch


def _require_unit_supervisor(unit_id: int | None, actor: User) -> None:
    _require_supervisor_of(
        actor, unit_id, _("Seuls les responsables de l'unité gèrent ses modèles de message.")
    )


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
