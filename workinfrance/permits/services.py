"""Issuing, sealing, printing and revoking permits.

`permit_issue` and `permit_revoke` are called by the dossier transitions, inside their transaction,
through `DossierPermitOffice` (registered with `dossiers.permit_office` at start-up: dossiers never
import this app).
The PDF is produced after commit by a background task, retried on failure; a periodic sweep
(`permits_pdf_issue_missing`) catches any permit still without its PDF once workers recover.
"""

import datetime
import logging
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.core.events import event_record
from workinfrance.core.files import file_stage, files_for_committed_rows
from workinfrance.core.verbs import Verb
from workinfrance.dossiers.permit_office import permit_revoked_notify, refusal_reason_label

from . import seal
from .keys import signing_key_active
from .letters import decision_letter_pdf_bytes
from .models import DecisionKind, DecisionLetter, Permit, PermitStatus
from .pades import pades_sign
from .pdf import permit_pdf_render

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from workinfrance.accounts.models import User
    from workinfrance.dossiers.permit_office import Dossier, PermitTerms

logger = logging.getLogger(__name__)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class PermitActionError(Exception):
    """A refused action on a permit; `message` is written for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def permit_number_new(*, department_code: str, year: int) -> str:
    """Unguessable: 40 random bits, so numbers cannot be enumerated from a known one."""
    random_part = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"APT-{year}-{department_code}-{random_part}"


def validity_end_timestamp(valid_until: datetime.date) -> int:
    """The seal's `exp`: midnight at the end of the last valid day, in the service's time zone."""
    end = datetime.datetime.combine(valid_until + datetime.timedelta(days=1), datetime.time())
    return int(timezone.make_aware(end).timestamp())


def _birth_date(permit: Permit) -> datetime.date:
    # Only a purged permit (retention) has none, and a purged permit is never sealed again.
    if permit.holder_birth_date is None:
        raise ValueError(f"Permit {permit.number} has no holder birth date (purged): it cannot be sealed")
    return permit.holder_birth_date


def permit_claims(permit: Permit) -> seal.PermitClaims:
    return seal.PermitClaims(
        issuer=settings.WIF_SEAL_ISSUER,
        issued_at=int(permit.issued_at.timestamp()),
        expires_at=validity_end_timestamp(permit.valid_until),
        permit_id=permit.uuid,
        number=permit.number,
        last_name=permit.holder_last_name,
        first_name=permit.holder_first_name,
        birth_date=_birth_date(permit),
        employer_name=permit.employer_name,
        employer_siret=permit.employer_siret,
        category=permit.category.code,
        weekly_hours=permit.weekly_hours,
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
    )


def permit_seal(permit: Permit) -> None:
    """Sign the permit's claims with the active key (created on first use in development)."""
    key = signing_key_active()
    permit.seal = seal.base32_encode(seal.sign(permit_claims(permit), key))
    permit.seal_kid = key.kid.hex()


def permit_qr_text(permit: Permit) -> str:
    return seal.qr_text(seal.base32_decode(permit.seal), base_url=settings.WIF_PUBLIC_URL)


def permit_issue(
    *,
    dossier: "Dossier",
    actor: "User",
    validity_start: datetime.date,
    validity_end: datetime.date,
    weekly_hours: Decimal,
) -> Permit:
    """Create and seal the permit of an accepted dossier (the caller holds the dossier's row lock)."""
    unit, department_code, birth_date = dossier.unit, dossier.department_id, dossier.student_birth_date
    if unit is None or department_code is None or birth_date is None:  # a filed dossier has all three
        raise ValueError(f"Dossier {dossier.number} has no unit, department or birth date: no permit")
    permit = Permit(
        number=permit_number_new(department_code=department_code, year=timezone.localdate().year),
        dossier=dossier,
        holder_first_name=dossier.student_first_name,
        holder_last_name=dossier.student_last_name,
        holder_birth_date=birth_date,
        holder_nationality=dossier.student_nationality,
        employer_name=dossier.employer_name,
        employer_siret=dossier.employer_siret,
        category=dossier.category,
        job_title=dossier.job_title,
        contract_type=dossier.contract_type,
        weekly_hours=weekly_hours,
        valid_from=validity_start,
        valid_until=validity_end,
        unit=unit,
        signatory_name=unit.signatory_name,
        issued_by=actor,
    )
    permit_seal(permit)
    permit.save()
    event_record(
        actor=actor,
        verb="permit.issue",
        target=permit,
        data={"dossier": dossier.pk, "number": permit.number, "kid": permit.seal_kid},
    )
    permit_id = permit.pk
    transaction.on_commit(lambda: permit_pdf_schedule(permit_id=permit_id), robust=True)
    return permit


def permit_pdf_schedule(*, permit_id: int) -> None:
    """After commit: queue the PDF (in-process without a broker). If the broker is down, the sweep
    picks the permit up later; `robust` on_commit keeps the agent's request unharmed."""
    from .tasks import issue_permit_pdf

    try:
        issue_permit_pdf.delay(permit_id=permit_id)
    except Exception as error:
        logger.warning("Permit %s: PDF not queued (%s); the sweep will issue it", permit_id, error)


def permit_pdf_bytes(permit: Permit) -> bytes:
    """Render, then sign as PAdES: the bytes stored and downloaded."""
    rendered = permit_pdf_render(permit, qr_text=permit_qr_text(permit))
    return pades_sign(
        rendered,
        reason=f"Autorisation provisoire de travail {permit.number}",
        location=permit.unit.name[:100],
    )


def permit_pdf_issue(*, permit_id: int) -> Permit:
    """Produce and store the signed PDF once; a second call (retry, sweep) does nothing. The file is
    moved into place when the row commits (core.files): a failed run leaves no PDF behind."""
    with files_for_committed_rows(), transaction.atomic():
        permit = Permit.objects.select_for_update().select_related("unit", "category").get(pk=permit_id)
        if permit.pdf or permit.purged_at:  # a purged permit keeps no PDF (retention)
            return permit
        data = permit_pdf_bytes(permit)
        file_stage(permit.pdf, ContentFile(data), filename=f"{permit.uuid}.pdf")
        permit.pdf_issued_at = timezone.now()
        permit.save(update_fields=["pdf", "pdf_issued_at"])
        event_record(actor=None, verb="permit.pdf", target=permit, data={"bytes": len(data)})
    return permit


def permits_pdf_issue_missing() -> list[str]:
    """Issue every missing PDF now (sweep and management command). Returns the numbers done."""
    done = []
    missing = Permit.objects.filter(pdf="", purged_at__isnull=True)
    for permit_id in missing.order_by("pk").values_list("pk", flat=True):
        try:
            done.append(permit_pdf_issue(permit_id=permit_id).number)
        except Exception:
            logger.exception("Permit %s: PDF still failing, next sweep retries", permit_id)
    return done


def permit_revoke(*, permit: Permit, actor: "User", reason: str) -> Permit:
    if not reason.strip():
        raise ValueError(_("Un motif de retrait est obligatoire."))
    locked = Permit.objects.select_for_update().get(pk=permit.pk)
    if locked.status == PermitStatus.REVOKED:
        return locked
    locked.status = PermitStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason.strip()
    locked.revoked_by = actor
    locked.save(update_fields=["status", "revoked_at", "revocation_reason", "revoked_by"])
    event_record(actor=actor, verb="permit.revoke", target=locked, data={"reason": locked.revocation_reason})
    return locked


def permit_revoke_by_supervisor(*, permit: Permit, actor: "User | AnonymousUser", reason: str) -> Permit:
    """A supervisor of the issuing unit withdraws a permit; the verification page says so at once.

    The holder's side is told by e-mail with the reason, and gets the signed decision letter (its
    row now, its PDF after commit), all in the revocation's transaction."""
    if not (actor.is_authenticated and actor.is_supervisor and permit.unit_id in user_unit_ids(actor)):
        raise PermitActionError(
            _("Seul un responsable de l'unité qui l'a délivrée peut retirer une autorisation.")
        )
    if not reason.strip():
        raise PermitActionError(_("Un motif de retrait est obligatoire."))
    if permit.status == PermitStatus.REVOKED:
        raise PermitActionError(_("Cette autorisation est déjà retirée."))
    with transaction.atomic():
        revoked = permit_revoke(permit=permit, actor=actor, reason=reason)
        if revoked.revoked_by_id != actor.pk or revoked.decision_letters.exists():
            return revoked  # revoked meanwhile by someone else: told once, by them
        dossier = revoked.dossier
        letter = decision_letter_create(
            dossier=dossier, actor=actor, kind=DecisionKind.REVOCATION, permit=revoked
        )
        permit_revoked_notify(
            dossier=dossier, letter_id=letter.pk, number=revoked.number, reason=revoked.revocation_reason
        )
        return revoked


class DossierPermitOffice:
    """What the dossier transitions ask of permits (`workinfrance.dossiers.permit_office`)."""

    def issue(self, *, dossier: "Dossier", actor: "User", terms: "PermitTerms") -> str:
        permit = permit_issue(
            dossier=dossier,
            actor=actor,
            validity_start=terms.validity_start,
            validity_end=terms.validity_end,
            weekly_hours=terms.weekly_hours,
        )
        return permit.number

    def revoke_all(self, *, dossier: "Dossier", actor: "User", reason: str) -> list[str]:
        revoked = []
        for permit in dossier.permits.filter(revoked_at__isnull=True):
            permit_revoke(permit=permit, actor=actor, reason=reason)
            revoked.append(permit.number)
        return revoked

    def refusal_letter(self, *, dossier: "Dossier", actor: "User") -> int:
        return decision_letter_create(dossier=dossier, actor=actor, kind=DecisionKind.REFUSAL).pk

    def is_revoked(self, *, dossier: "Dossier") -> bool:
        latest = Permit.objects.filter(dossier=dossier).order_by("-issued_at", "-pk").first()
        return latest is not None and latest.is_revoked


# --- Decision letters ----------------------------------------------------------------------------


def _applicant_language(dossier: "Dossier") -> str:
    language = dossier.applicant.preferred_language
    return language if language in ("fr", "en") else "fr"


def decision_letter_create(
    *, dossier: "Dossier", actor: "User", kind: DecisionKind, permit: Permit | None = None
) -> DecisionLetter:
    """The letter's row, inside the decision's transaction: its texts frozen now, in the applicant's
    language; the signed PDF follows after commit (`decision_letter_pdf_issue`)."""
    unit = permit.unit if permit is not None else dossier.unit
    if unit is None:  # a decided dossier has its unit
        raise ValueError(f"Dossier {dossier.number} has no unit: no decision letter")
    language = _applicant_language(dossier)
    with translation.override(language):
        reason_label = refusal_reason_label(dossier) if kind == DecisionKind.REFUSAL else ""
    letter = DecisionLetter.objects.create(
        dossier=dossier,
        permit=permit,
        kind=kind,
        language=language,
        dossier_number=dossier.number or "",
        holder_name=dossier.student_full_name,
        employer_name=dossier.employer_name,
        employer_siret=dossier.employer_siret,
        job_title=dossier.job_title,
        reason_label=reason_label,
        reason_text=permit.revocation_reason if permit is not None else dossier.decision_comment,
        unit=unit,
        signatory_name=unit.signatory_name,
        decided_at=permit.revoked_at if permit is not None and permit.revoked_at else timezone.now(),
        decided_by=actor,
    )
    event_record(
        actor=actor,
        verb=Verb.DECISION_LETTER_ISSUE,
        target=letter,
        data={"dossier": dossier.pk, "kind": kind.value, "language": language},
    )
    letter_id = letter.pk
    transaction.on_commit(lambda: decision_letter_pdf_schedule(letter_id=letter_id), robust=True)
    return letter


def decision_letter_pdf_schedule(*, letter_id: int) -> None:
    """After commit: queue the PDF; if the broker is down, the permits' sweep produces it later."""
    from .tasks import issue_decision_letter_pdf

    try:
        issue_decision_letter_pdf.delay(letter_id=letter_id)
    except Exception as error:
        logger.warning("Decision letter %s: PDF not queued (%s); the sweep will issue it", letter_id, error)


def decision_letter_pdf_issue(*, letter_id: int) -> DecisionLetter:
    """Produce and store the signed PDF once (retries and the sweep do nothing more); the file moves
    into place when the row commits (core.files): a failed run leaves no PDF behind."""
    with files_for_committed_rows(), transaction.atomic():
        letter = (
            DecisionLetter.objects.select_for_update(of=("self",))
            .select_related("unit", "permit")
            .get(pk=letter_id)
        )
        if letter.pdf:
            return letter
        data = decision_letter_pdf_bytes(letter)
        file_stage(letter.pdf, ContentFile(data), filename=f"{letter.uuid}.pdf")
        letter.pdf_issued_at = timezone.now()
        letter.save(update_fields=["pdf", "pdf_issued_at"])
        event_record(actor=None, verb=Verb.DECISION_LETTER_PDF, target=letter, data={"bytes": len(data)})
    return letter


def decision_letters_pdf_issue_missing() -> list[int]:
    """Issue every missing decision letter PDF now (sweep). Returns the ids done."""
    done = []
    for letter_id in DecisionLetter.objects.filter(pdf="").order_by("pk").values_list("pk", flat=True):
        try:
            done.append(decision_letter_pdf_issue(letter_id=letter_id).pk)
        except Exception:
            logger.exception("Decision letter %s: PDF still failing, next sweep retries", letter_id)
    return done


def decision_letter_download_record(*, letter: DecisionLetter, actor: "User") -> None:
    """Who downloaded which decision letter (a copy of personal data leaves the service)."""
    event_record(
        actor=actor,
        verb=Verb.DECISION_LETTER_DOWNLOAD,
        target=letter,
        data={"dossier": letter.dossier_id, "kind": letter.kind},
    )


def permit_download_record(*, permit: Permit, actor: "User") -> None:
    """Who downloaded which permit's PDF (a copy of personal data leaves the service)."""
    event_record(actor=actor, verb="permit.download", target=permit, data={"number": permit.number})
