"""The retention purge (docs/retention.md): what is past its period goes, batch by batch.

Each batch is its own transaction: its rows are taken with `select_for_update(skip_locked=True)`
(a dossier an agent is working on waits for the next run) and checked again against the rule under
the lock; files are deleted from storage only once the batch has committed. Memory is bounded by
the batch size whatever the backlog. Every batch writes one `retention.purge` event holding counts
only, on the run (`PurgeRun`), and the run keeps the totals.

Decided dossiers are not deleted: their statistics facts point at them and are replayed from their
lifecycle events (stats), which are kept; their personal fields are erased, messages, notes and
documents deleted, and each permit reduced to a minimal record (number, validity, status, unit)
so that `/V/<seal>` still answers "expired" or "revoked"."""

import datetime
import logging
from collections import Counter

from django.conf import settings
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation

from workinfrance.accounts.models import RecoveryCode, User
from workinfrance.core.events import event_record
from workinfrance.core.files import files_delete_on_commit
from workinfrance.core.models import Event
from workinfrance.dossiers.models import (
    ComplementRequest,
    Document,
    Dossier,
    DossierParty,
    Message,
    Note,
    PartyStatus,
)
from workinfrance.dossiers.notifications import dossier_link
from workinfrance.oidc.models import OidcIdentity
from workinfrance.opinions.services import opinions_purge
from workinfrance.outbox.models import OutboxMessage
from workinfrance.outbox.services import outbox_email
from workinfrance.permits.models import DecisionLetter, Permit
from workinfrance.permits.selectors import permits_forget

from . import selectors
from .models import PurgeRun
from .periods import Kind, local_date, months_after, warning_days

logger = logging.getLogger(__name__)

# Dossier fields that say anything about the student, the employer or the job; what stays is what
# the statistics and the back office's lists need (state, category, department, unit, dates, number).
DOSSIER_PERSONAL_FIELDS = [
    field.name
    for field in Dossier._meta.concrete_fields
    if field.name.startswith(("student_", "residence_permit_", "employer_"))
    or field.name
    in {
        "institution_name",
        "enrolment_programme",
        "enrolment_year",
        "job_title",
        "work_address",
        "contract_start",
        "contract_end",
        "gross_monthly_salary",
        "decision_comment",
        "previous_permit_number",
    }
]
PERMIT_PERSONAL_FIELDS = [
    "holder_first_name",
    "holder_last_name",
    "holder_birth_date",
    "holder_nationality",
    "employer_name",
    "employer_siret",
    "job_title",
    "signatory_name",
    "revocation_reason",
    "seal",  # the signed claims name the holder; the verifier holds its own copy in the QR code
    "pdf",
]


def _erased(model, names) -> dict:
    return {name: None if model._meta.get_field(name).null else "" for name in names}


def _locked_ids(queryset, ids) -> list[int]:
    """The rows of `ids` still matching the rule, locked; rows locked by others are skipped."""
    return list(
        queryset.filter(pk__in=ids)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", flat=True)
    )


def _batches(queryset, size: int):
    """Primary keys of `queryset` by ascending batches (a cursor: skipped rows are not seen again)."""
    last = 0
    while ids := list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]):
        yield ids
        last = ids[-1]


def _record(run: PurgeRun, kind: str, counts: dict) -> None:
    event_record(actor=None, verb="retention.purge", target=run, data={"kind": kind, **counts})


def _files_of_documents(document_ids) -> int:
    storage = Document._meta.get_field("file").storage
    names = list(Document.objects.filter(pk__in=document_ids).values_list("file", flat=True))
    files_delete_on_commit(storage, names)
    return len([name for name in names if name])


# One batch per kind: each returns its counts, written on the run's event.


def _warn_drafts(run, ids, today) -> dict:
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_ids(selectors.drafts_to_warn(today), ids)
        dossiers = Dossier.objects.filter(pk__in=locked).select_related("applicant")
        for dossier in dossiers:
            _warning_email(dossier, warned_at=now)
        Dossier.objects.filter(pk__in=locked).update(retention_warned_at=now)  # update(): not a touch
        counts = {"warned": len(locked)}
        if locked:
            _record(run, Kind.DRAFT_WARNINGS, counts)
    return counts


def draft_deletion_date(dossier: Dossier, *, warned_at: datetime.datetime) -> datetime.date:
    """When a warned draft goes if left alone: the end of its period, never sooner than the delay."""
    touched = local_date(dossier.updated_at)
    last_upload = dossier.documents.aggregate(m=models.Max("uploaded_at"))["m"]
    if last_upload:
        touched = max(touched, local_date(last_upload))
    return max(
        months_after(touched, settings.WIF_RETENTION_DRAFT_MONTHS),
        local_date(warned_at) + datetime.timedelta(days=warning_days()),
    )


def _warning_email(dossier: Dossier, *, warned_at: datetime.datetime) -> None:
    applicant = dossier.applicant
    language = applicant.preferred_language if applicant.preferred_language in {"fr", "en"} else "fr"
    context = {
        "dossier": dossier,
        "months": settings.WIF_RETENTION_DRAFT_MONTHS,
        "deletion_date": draft_deletion_date(dossier, warned_at=warned_at),
        "link": dossier_link(dossier),
    }
    with translation.override(language):
        subject = render_to_string("retention/email/draft_warning_subject.txt", context).strip()
        body = render_to_string("retention/email/draft_warning.txt", context).strip()
    outbox_email(
        to=applicant.email,
        subject=subject,
        body=body,
        idempotency_key=f"retention-draft-warning:{dossier.pk}:{warned_at.isoformat()}",
    )


def _delete_drafts(run, ids, today) -> dict:
    with transaction.atomic():
        locked = _locked_ids(selectors.drafts_due(today), ids)
        documents = list(Document.objects.filter(dossier_id__in=locked).values_list("pk", flat=True))
        files = _files_of_documents(documents)
        Dossier.objects.filter(pk__in=locked).delete()  # documents, messages, notes go with it
        counts = {"dossiers": len(locked), "documents": len(documents), "files": files}
        if locked:
            _record(run, Kind.DRAFTS, counts)
    return counts


def _delete_documents(run, ids, today) -> dict:
    with transaction.atomic():
        locked = _locked_ids(selectors.documents_due(today), ids)
        files = _files_of_documents(locked)
        Document.objects.filter(pk__in=locked).delete()
        counts = {"documents": len(locked), "files": files}
        if locked:
            _record(run, Kind.DOCUMENTS, counts)
    return counts


def _purge_dossiers(run, ids, today) -> dict:
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_ids(selectors.dossiers_due(today), ids)
        documents = list(Document.objects.filter(dossier_id__in=locked).values_list("pk", flat=True))
        files = _files_of_documents(documents)
        Document.objects.filter(pk__in=documents).delete()
        ComplementRequest.objects.filter(dossier_id__in=locked).delete()
        messages = Message.objects.filter(dossier_id__in=locked).delete()[0]
        notes = Note.objects.filter(dossier_id__in=locked).delete()[0]
        # The parties' addresses go too; pending invitations with them (the accounts stay, bound).
        DossierParty.objects.filter(dossier_id__in=locked, status=PartyStatus.INVITED).delete()
        DossierParty.objects.filter(dossier_id__in=locked).update(email="")
        opinions = opinions_purge(dossier_ids=locked)
        Dossier.objects.filter(pk__in=locked).update(
            **_erased(Dossier, DOSSIER_PERSONAL_FIELDS), purged_at=now
        )
        permits = list(Permit.objects.filter(dossier_id__in=locked, purged_at__isnull=True))
        pdfs = [permit.pdf.name for permit in permits]
        files_delete_on_commit(Permit._meta.get_field("pdf").storage, pdfs)
        Permit.objects.filter(pk__in=[p.pk for p in permits]).update(
            **_erased(Permit, PERMIT_PERSONAL_FIELDS), purged_at=now
        )
        permits_forget(permits)  # the cached verdict state says whether it is purged
        # The signed decision letters name the person: they go with the file's personal data.
        letters = list(DecisionLetter.objects.filter(dossier_id__in=locked).values_list("pk", "pdf"))
        letter_pdfs = [name for _pk, name in letters if name]
        files_delete_on_commit(DecisionLetter._meta.get_field("pdf").storage, letter_pdfs)
        DecisionLetter.objects.filter(pk__in=[pk for pk, _name in letters]).delete()
        counts = {
            "dossiers": len(locked),
            "permits": len(permits),
            "documents": len(documents),
            "messages": messages,
            "notes": notes,
            "opinions": opinions,
            "decision_letters": len(letters),
            "files": files + len([name for name in pdfs if name]) + len(letter_pdfs),
        }
        if locked:
            _record(run, Kind.DOSSIERS, counts)
    return counts


def _delete_events(run, ids, today) -> dict:
    with transaction.atomic():
        due = list(selectors.events_due(today).filter(pk__in=ids).values_list("pk", flat=True))
        # The one writer allowed to delete from the append-only trail (its QuerySet refuses).
        models.QuerySet.delete(Event.objects.filter(pk__in=due))
        counts = {"events": len(due)}
        if due:
            _record(run, Kind.EVENTS, counts)
    return counts


def _delete_outbox(run, ids, today) -> dict:
    with transaction.atomic():
        locked = _locked_ids(selectors.outbox_due(today), ids)
        OutboxMessage.objects.filter(pk__in=locked).delete()
        counts = {"messages": len(locked)}
        if locked:
            _record(run, Kind.OUTBOX, counts)
    return counts


def _anonymise_accounts(run, ids, today) -> dict:
    with transaction.atomic():
        locked = _locked_ids(selectors.accounts_due(today), ids)
        address = Concat(
            Value("compte-"),
            Cast("pk", models.CharField()),
            Value(f"@{selectors.PURGED_ACCOUNT_DOMAIN}"),
        )
        User.objects.filter(pk__in=locked).update(
            email=address,
            first_name="",
            last_name="",
            password="!",  # unusable (Django's prefix): nobody signs in again
            is_active=False,
            email_confirmed=False,
        )
        OidcIdentity.objects.filter(user_id__in=locked).delete()
        RecoveryCode.objects.filter(user_id__in=locked).delete()
        counts = {"accounts": len(locked)}
        if locked:
            _record(run, Kind.ACCOUNTS, counts)
    return counts


STEPS = [
    (Kind.DRAFT_WARNINGS, selectors.drafts_to_warn, _warn_drafts),
    (Kind.DRAFTS, selectors.drafts_due, _delete_drafts),
    (Kind.DOCUMENTS, selectors.documents_due, _delete_documents),
    (Kind.DOSSIERS, selectors.dossiers_due, _purge_dossiers),
    (Kind.EVENTS, selectors.events_due, _delete_events),
    (Kind.OUTBOX, selectors.outbox_due, _delete_outbox),
    (Kind.ACCOUNTS, selectors.accounts_due, _anonymise_accounts),
]


def retention_purge(*, today: datetime.date | None = None, batch_size: int | None = None) -> PurgeRun:
    """Run every rule for `today` (default: today in Paris); returns the run with its totals."""
    today = today or timezone.localdate()
    size = batch_size or settings.WIF_RETENTION_BATCH
    run = PurgeRun.objects.create()
    totals: dict[str, Counter] = {}
    for kind, due, purge_batch in STEPS:
        total: Counter[str] = Counter()
        for ids in _batches(due(today), size):
            total.update(purge_batch(run, ids, today))
        totals[kind] = total
    run.counts = {kind: dict(total) for kind, total in totals.items()}
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    logger.info("Retention purge: %s", run.counts)
    return run
