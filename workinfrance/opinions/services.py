"""Opinions ("avis"): asking one, the expert's view and answer through the link, reminders, cancelling.

Every write is audited on the dossier (`opinion.*` verbs), so it shows in the dossier's history. The
expert has no account: their events have no actor and name the request (`data.opinion`).

The link: `/avis/<token>/`, where the token is an HMAC-SHA256 (keyed by SECRET_KEY) of a random salt
kept on the row; only the token's SHA-256 is stored and looked up. The link opens the request while
it is pending and before `expires_at` (`WIF_OPINION_LINK_DAYS` after the request); once answered it
shows the answer only; cancelled or expired, nothing."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from workinfrance.core.events import event_record
from workinfrance.core.files import file_stage, files_delete_on_commit, files_for_committed_rows
from workinfrance.core.links import absolute_url
from workinfrance.core.verbs import Verb
from workinfrance.dossiers.errors import ActorNotAllowed, DossierActionError
from workinfrance.dossiers.lifecycle import OPEN_STATES, Actor, actor_kinds
from workinfrance.dossiers.models import Document, Dossier
from workinfrance.dossiers.uploads import upload_check
from workinfrance.outbox.services import outbox_email

from .models import OpinionRequest, OpinionStatus, ReminderStage, SharedSection

if TYPE_CHECKING:
    from workinfrance.accounts.models import User

QUESTION_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 10000
TOKEN_KEY_SALT = "workinfrance.opinions.token"


class OpinionClosed(DossierActionError):
    """The request is no longer open to an answer (answered, cancelled or expired)."""


def opinion_token(opinion: OpinionRequest) -> str:
    """The secret of the expert's link (recomputed, never stored)."""
    return salted_hmac(TOKEN_KEY_SALT, opinion.token_salt, algorithm="sha256").hexdigest()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def opinion_link(opinion: OpinionRequest) -> str:
    return absolute_url(reverse("opinions:expert", kwargs={"token": opinion_token(opinion)}))


def _require_unit_agent(dossier: Dossier, actor: User) -> None:
    if Actor.UNIT_AGENT not in actor_kinds(dossier, actor):
        raise ActorNotAllowed(_("Vous n'êtes pas autorisé à effectuer cette action sur ce dossier."))


def _render(name: str, context: dict[str, object]) -> tuple[str, str]:
    """Subject and body of an e-mail to a French administration (French only)."""
    with translation.override("fr"):
        subject = render_to_string(f"opinions/email/{name}_subject.txt", context).strip()
        body = render_to_string(f"opinions/email/{name}.txt", context).strip()
    return subject, body


def _backoffice_link(dossier: Dossier) -> str:
    return absolute_url(reverse("backoffice:dossier", kwargs={"uuid": dossier.uuid}) + "#avis")


def opinion_request(
    *,
    dossier: Dossier,
    actor: User,
    expert_email: str,
    question: str,
    due_date: datetime.date,
    sections: Iterable[str] = (),
    documents: Iterable[Document] = (),
) -> OpinionRequest:
    """Ask an expert's opinion by e-mail, sharing the chosen sections of data and documents."""
    _require_unit_agent(dossier, actor)
    expert_email = (expert_email or "").strip()
    try:
        validate_email(expert_email)
    except ValidationError:
        raise DossierActionError(_("Saisissez une adresse e-mail valide pour l'expert.")) from None
    question = (question or "").strip()
    if not question:
        raise DossierActionError(_("Posez votre question à l'expert."))
    if len(question) > QUESTION_MAX_LENGTH:
        raise DossierActionError(_("La question dépasse %(max)s caractères.") % {"max": QUESTION_MAX_LENGTH})
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=settings.WIF_OPINION_LINK_DAYS)
    today = timezone.localdate(now)
    if not today < due_date <= timezone.localdate(expires_at):
        raise DossierActionError(
            _(
                "La date de réponse doit être comprise entre demain et le %(last)s (durée de validité du lien)."
            )
            % {"last": timezone.localdate(expires_at).strftime("%d/%m/%Y")}
        )
    chosen_sections = sorted(set(sections))
    if set(chosen_sections) - set(SharedSection.values):
        raise DossierActionError(_("Choisissez les données à partager dans la liste."))
    chosen_documents = list(documents)
    own_ids = set(dossier.documents.values_list("pk", flat=True))
    if any(document.pk not in own_ids for document in chosen_documents):
        raise DossierActionError(_("Ces pièces n'appartiennent pas à ce dossier."))
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        if locked.state not in OPEN_STATES:
            raise DossierActionError(
                _("Un avis ne peut être demandé que sur un dossier en cours d'instruction.")
            )
        salt = secrets.token_hex(16)
        opinion = OpinionRequest(
            dossier=locked,
            requested_by=actor,
            expert_email=expert_email,
            question=question,
            due_date=due_date,
            sections=chosen_sections,
            token_salt=salt,
            expires_at=expires_at,
        )
        opinion.token_hash = token_digest(opinion_token(opinion))
        opinion.save()
        opinion.documents.set(chosen_documents)
        event_record(
            actor=actor,
            verb=Verb.OPINION_REQUEST,
            target=locked,
            data={
                "opinion": opinion.pk,
                "sections": chosen_sections,
                "documents": sorted(d.pk for d in chosen_documents),
                "due_date": due_date.isoformat(),
            },
        )
        subject, body = _render(
            "request",
            {"opinion": opinion, "dossier": locked, "link": opinion_link(opinion), "reminder": None},
        )
        outbox_email(
            to=expert_email, subject=subject, body=body, idempotency_key=f"opinion-request:{opinion.pk}"
        )
    return opinion


def opinion_view_record(*, opinion: OpinionRequest) -> None:
    """The expert opened the link: the first time is recorded (date on the request, audit event)."""
    if opinion.first_viewed_at is not None:
        return
    with transaction.atomic():
        now = timezone.now()
        updated = OpinionRequest.objects.filter(pk=opinion.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=now
        )
        if updated:
            opinion.first_viewed_at = now
            event_record(
                actor=None, verb=Verb.OPINION_VIEW, target=opinion.dossier, data={"opinion": opinion.pk}
            )


def opinion_document_read_record(*, opinion: OpinionRequest, document: Document) -> None:
    event_record(
        actor=None,
        verb=Verb.OPINION_DOCUMENT_READ,
        target=opinion.dossier,
        data={"opinion": opinion.pk, "document": document.pk},
    )


def opinion_answer(
    *, opinion: OpinionRequest, answer: str, attachment: UploadedFile[bytes] | None = None
) -> OpinionRequest:
    """The expert's answer (text, and a file checked like the applicants'): once, before expiry."""
    answer = (answer or "").strip()
    if not answer:
        raise DossierActionError(_("Écrivez votre avis."))
    if len(answer) > ANSWER_MAX_LENGTH:
        raise DossierActionError(_("L'avis dépasse %(max)s caractères.") % {"max": ANSWER_MAX_LENGTH})
    checked = upload_check(attachment) if attachment else None
    with files_for_committed_rows(), transaction.atomic():
        locked = (
            OpinionRequest.objects.select_for_update()
            .select_related("dossier", "requested_by")
            .get(pk=opinion.pk)
        )
        now = timezone.now()
        if locked.status != OpinionStatus.PENDING or locked.expires_at <= now:
            raise OpinionClosed(_("Cette demande d'avis n'attend plus de réponse."))
        locked.status = OpinionStatus.ANSWERED
        locked.answered_at = now
        locked.answer = answer
        if checked is not None:
            file_stage(locked.answer_file, checked.file, filename=f"avis{checked.extension}")
            locked.answer_file_name = checked.original_name
            locked.answer_file_type = checked.content_type
            locked.answer_file_size = checked.size
            locked.answer_file_sha256 = checked.sha256
        locked.save()
        event_record(
            actor=None,
            verb=Verb.OPINION_ANSWER,
            target=locked.dossier,
            data={"opinion": locked.pk, "attachment": checked is not None},
        )
        agent = locked.requested_by
        if agent.is_active and agent.email:
            subject, body = _render(
                "answered",
                {"opinion": locked, "dossier": locked.dossier, "link": _backoffice_link(locked.dossier)},
            )
            outbox_email(
                to=agent.email, subject=subject, body=body, idempotency_key=f"opinion-answer:{locked.pk}"
            )
    return locked


def opinion_cancel(*, opinion: OpinionRequest, actor: User) -> OpinionRequest:
    """An agent of the unit withdraws a pending request: its link stops working at once."""
    _require_unit_agent(opinion.dossier, actor)
    with transaction.atomic():
        locked = OpinionRequest.objects.select_for_update().select_related("dossier").get(pk=opinion.pk)
        if locked.status != OpinionStatus.PENDING:
            raise OpinionClosed(
                _("Cette demande d'avis n'est plus en attente : elle ne peut pas être annulée.")
            )
        locked.status = OpinionStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.cancelled_by = actor
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        event_record(
            actor=actor, verb=Verb.OPINION_CANCEL, target=locked.dossier, data={"opinion": locked.pk}
        )
    return locked


def opinion_answer_read_record(*, opinion: OpinionRequest, actor: User) -> None:
    """A staff member downloaded the expert's file: a read of the dossier (DESIGN §8)."""
    event_record(
        actor=actor, verb=Verb.DOSSIER_DOCUMENT_DOWNLOAD, target=opinion.dossier, data={"opinion": opinion.pk}
    )


def reminder_stage_due(opinion: OpinionRequest, *, today: datetime.date) -> ReminderStage:
    """The reminder a pending request deserves today: after its due date, or within
    `WIF_OPINION_REMINDER_DAYS_BEFORE` days of it."""
    if today > opinion.due_date:
        return ReminderStage.OVERDUE
    if (opinion.due_date - today).days <= settings.WIF_OPINION_REMINDER_DAYS_BEFORE:
        return ReminderStage.DUE_SOON
    return ReminderStage.NONE


def opinion_remind(*, opinion: OpinionRequest, today: datetime.date) -> ReminderStage | None:
    """E-mail the expert the reminder of today's stage unless that stage (or a later one) was sent."""
    with transaction.atomic():
        locked = OpinionRequest.objects.select_for_update().select_related("dossier").get(pk=opinion.pk)
        if locked.status != OpinionStatus.PENDING or locked.expires_at <= timezone.now():
            return None
        stage = reminder_stage_due(locked, today=today)
        if stage <= locked.reminder_stage:
            return None
        locked.reminder_stage = stage
        locked.save(update_fields=["reminder_stage"])
        event_record(
            actor=None,
            verb=Verb.OPINION_REMIND,
            target=locked.dossier,
            data={"opinion": locked.pk, "stage": int(stage)},
        )
        subject, body = _render(
            "request",
            {
                "opinion": locked,
                "dossier": locked.dossier,
                "link": opinion_link(locked),
                "reminder": int(stage),
            },
        )
        outbox_email(
            to=locked.expert_email,
            subject=subject,
            body=body,
            idempotency_key=f"opinion-reminder:{locked.pk}:{int(stage)}",
        )
    return stage


def opinion_reminders_send(*, today: datetime.date) -> int:
    """Every morning: the reminders due today (or missed on earlier days), once per stage."""
    horizon = today + datetime.timedelta(days=settings.WIF_OPINION_REMINDER_DAYS_BEFORE)
    candidates: Sequence[OpinionRequest] = list(
        OpinionRequest.objects.filter(
            status=OpinionStatus.PENDING, due_date__lte=horizon, expires_at__gt=timezone.now()
        ).exclude(reminder_stage=ReminderStage.OVERDUE)
    )
    return sum(opinion_remind(opinion=opinion, today=today) is not None for opinion in candidates)


def opinions_purge(*, dossier_ids: Sequence[int]) -> int:
    """Retention: the opinions of dossiers whose personal data are erased go with them, their answer
    files deleted after commit (called by `retention.services` inside its transaction)."""
    opinions = OpinionRequest.objects.filter(dossier_id__in=dossier_ids)
    names = [name for name in opinions.values_list("answer_file", flat=True) if name]
    files_delete_on_commit(OpinionRequest._meta.get_field("answer_file").storage, names)
    return opinions.delete()[1].get(OpinionRequest._meta.label, 0)
