"""Reads of permits: the public verdict, and the permits a user may download or revoke."""

from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workinfrance.dossiers.lifecycle import user_unit_ids
from workinfrance.dossiers.selectors import dossiers_visible_to

from . import seal
from .keys import verification_keys
from .models import Permit


class Verdict(models.TextChoices):
    VALID = "valid", _("Autorisation authentique et valide")
    EXPIRED = "expired", _("Autorisation authentique mais expirée")
    REVOKED = "revoked", _("Autorisation retirée")
    NOT_GENUINE = "not_genuine", _("Autorisation non authentique")


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    permit: Permit | None = None
    failure: str = ""  # why a seal was refused (logs and the command line; never shown to visitors)

    @property
    def not_yet_in_force(self) -> bool:
        return self.verdict == Verdict.VALID and self.permit.valid_from > timezone.localdate()


def permit_verdict(permit: Permit, *, today=None) -> Verdict:
    if permit.is_revoked:
        return Verdict.REVOKED
    if permit.is_expired(today):
        return Verdict.EXPIRED
    return Verdict.VALID


def seal_check(*, text: str) -> Verification:
    """What the QR code proves: the signature under a published key, then the permit's status today.

    A genuine signature whose permit this service does not know is refused too: its status
    cannot be vouched for."""
    try:
        claims = seal.verify_qr_text(text, verification_keys())
    except seal.SealError as error:
        return Verification(Verdict.NOT_GENUINE, failure=f"{type(error).__name__}: {error}")
    permit = Permit.objects.select_related("unit").filter(uuid=claims.permit_id).first()
    if permit is None or permit.number != claims.number:
        return Verification(Verdict.NOT_GENUINE, failure="unknown permit")
    return Verification(permit_verdict(permit), permit=permit)


def normalize_number(number: str) -> str:
    return "".join(number.split()).upper()


def permit_check(*, number: str, birth_date) -> Verification | None:
    """The second way in: number and the holder's birth date must both match, else None."""
    permit = (
        Permit.objects.select_related("unit")
        .filter(number=normalize_number(number), holder_birth_date=birth_date)
        .first()
    )
    return Verification(permit_verdict(permit), permit=permit) if permit else None


def permits_downloadable_by(user) -> QuerySet[Permit]:
    """Permits of the dossiers the user may see: the applicant's own, the unit's for its staff."""
    return Permit.objects.filter(dossier__in=dossiers_visible_to(user))


def permit_get_for_download(*, user, number: str) -> Permit:
    permit = permits_downloadable_by(user).exclude(pdf="").filter(number=number).first()
    if permit is None:
        raise Http404
    return permit


def _is_supervisor(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_supervisor


def permit_revocable_by(*, user, permit: Permit) -> bool:
    return not permit.is_revoked and _is_supervisor(user) and permit.unit_id in user_unit_ids(user)


def permit_get_for_revocation(*, user, number: str) -> Permit:
    """Only supervisors of the issuing unit; 404 for everyone else (never confirm it exists)."""
    if not _is_supervisor(user):
        raise Http404
    permit = (
        Permit.objects.select_related("unit").filter(number=number, unit_id__in=user_unit_ids(user)).first()
    )
    if permit is None:
        raise Http404
    return permit


def permit_for_dossier(dossier) -> Permit | None:
    """The current permit of a dossier (the latest issued), for the tracking and dossier pages."""
    return dossier.permits.order_by("-issued_at", "-pk").first()
