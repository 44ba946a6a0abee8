"""Reads of permits: the public verdict, and the permits a user may download or revoke."""

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workinfrance.dossiers.lifecycle import user_unit_ids
from workinfrance.dossiers.selectors import dossiers_visible_to

from . import seal
from .keys import keyring_load
from .models import Permit

SEAL_CACHE_SECONDS = 24 * 3600
PERMIT_CACHE_SECONDS = 60


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

    def page_cache_key(self, language: str) -> str:
        """Everything the public page shows depends on these, and on nothing about the visitor."""
        if self.permit is None:
            return f"verify-page:{self.verdict}:{language}"
        revoked = self.permit.revoked_at.timestamp() if self.permit.revoked_at else ""
        return (
            f"verify-page:{self.verdict}:{self.permit.pk}:{self.permit.status}:{revoked}:"
            f"{language}:{timezone.localdate().isoformat()}"
        )


def permit_verdict(permit: Permit, *, today=None) -> Verdict:
    if permit.is_revoked:
        return Verdict.REVOKED
    if permit.is_expired(today):
        return Verdict.EXPIRED
    return Verdict.VALID


def _genuine_seal(text: str) -> tuple:
    """(permit UUID, number) of a seal whose signature checks out under the published keys.

    Signature checks are remembered (a signature does not change), keyed by the seal and by the set of
    published keys, so removing a key forgets them. Failures are not cached: garbage cannot fill it."""
    keyring = keyring_load()
    key = f"seal-genuine:{keyring.fingerprint}:{hashlib.sha256(text.encode()).hexdigest()}"
    known = cache.get(key)
    if known is None:
        claims = seal.verify_qr_text(text, keyring.verification_keys)
        known = (claims.permit_id, claims.number)
        cache.set(key, known, timeout=SEAL_CACHE_SECONDS)
    return known


def seal_check(*, text: str) -> Verification:
    """What the QR code proves: the signature under a published key, then the permit's status now
    (always read from the database: a revocation shows at once).

    A genuine signature whose permit this service does not know is refused too: its status
    cannot be vouched for."""
    try:
        permit_id, number = _genuine_seal(text)
    except seal.SealError as error:
        return Verification(Verdict.NOT_GENUINE, failure=f"{type(error).__name__}: {error}")
    permit = permit_by_uuid(permit_id)
    if permit is None or permit.number != number:
        return Verification(Verdict.NOT_GENUINE, failure="unknown permit")
    return Verification(permit_verdict(permit), permit=permit)


def _permit_cache_key(permit_uuid) -> str:
    return f"permit:{permit_uuid}"


def permit_by_uuid(permit_uuid) -> Permit | None:
    """The permit from the shared cache, else the database. Every save of a permit (revocation
    included) drops the cached copy once committed (`permit_forget`), so the cache never shows an
    old status; the short lifetime only bounds a cache that is not shared between processes."""
    permit = cache.get(_permit_cache_key(permit_uuid))
    if permit is None:
        permit = Permit.objects.filter(uuid=permit_uuid).first()
        if permit is not None:
            cache.set(_permit_cache_key(permit_uuid), permit, timeout=PERMIT_CACHE_SECONDS)
    return permit


def permit_forget(permit: Permit) -> None:
    """Drop the cached copy now and again after commit (a reader in between may have cached the old row)."""
    key = _permit_cache_key(permit.uuid)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


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
