"""Issuing and revoking permits. Called by the dossier transitions, inside their transaction."""

import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from workinfrance.core.events import event_record

from .models import Permit, PermitStatus

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def permit_number_new(*, department_code: str, year: int) -> str:
    """Unguessable: 40 random bits, so numbers cannot be enumerated from a known one."""
    random_part = "".join(secrets.choice(CROCKFORD) for _ in range(8))
    return f"APT-{year}-{department_code}-{random_part}"


def permit_issue(*, dossier, actor, validity_start, validity_end, weekly_hours) -> Permit:
    """Create the permit of an accepted dossier (the caller holds the dossier's row lock)."""
    permit = Permit.objects.create(
        number=permit_number_new(department_code=dossier.department_id, year=timezone.localdate().year),
        dossier=dossier,
        holder_first_name=dossier.student_first_name,
        holder_last_name=dossier.student_last_name,
        holder_birth_date=dossier.student_birth_date,
        holder_nationality=dossier.student_nationality,
        employer_name=dossier.employer_name,
        employer_siret=dossier.employer_siret,
        category=dossier.category,
        job_title=dossier.job_title,
        contract_type=dossier.contract_type,
        weekly_hours=weekly_hours,
        valid_from=validity_start,
        valid_until=validity_end,
        unit=dossier.unit,
        signatory_name=dossier.unit.signatory_name,
        issued_by=actor,
    )
    event_record(
        actor=actor, verb="permit.issue", target=permit, data={"dossier": dossier.pk, "number": permit.number}
    )
    return permit


def permit_revoke(*, permit: Permit, actor, reason: str) -> Permit:
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
