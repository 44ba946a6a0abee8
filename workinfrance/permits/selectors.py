"""Reads of permits: the public verdict, and the permits a user may download or revoke."""

import datetime
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workinfrance.accounts.selectors import user_unit_ids
from workinfrance.core.cache import cache_forget_on_commit
from workinfrance.dossiers.permit_office import dossiers_visible_to

from . import seal
from .keys import keyring_load
from .models import DecisionLetter, Permit, PermitStatus

logger = logging.getLogger(__name__)
PERMIT_CACHE_SECONDS = 60
# A page asks again for the same permit; a batch of 1,000 states costs more to cache than to query again.
CACHE_WRITE_MAX = 10


class Verdict(models.TextChoices):
    VALID = "valid", _("Autorisation authentique et valide")
    NOT_YET_IN_FORCE = "not_yet_in_force", _("Autorisation authentique, pas encore en vigueur")
    EXPIRED = "expired", _("Autorisation authentique mais expirée")
    REVOKED = "revoked", _("Autorisation retirée")
    NOT_GENUINE = "not_genuine", _("Autorisation non authentique")


@dataclass(frozen=True)
class PermitState:
    """What the verdict depends on; small, so the shared cache holds it cheaply."""

    pk: int
    uuid: str
    number: str
    status: str
    revoked_at: float | None
    valid_from: datetime.date
    valid_until: datetime.date
    purged: bool  # its personal data erased after the retention period: the page shows none

    COLUMNS = ("pk", "uuid", "number", "status", "revoked_at", "valid_from", "valid_until", "purged_at")

    @classmethod
    def of(cls, permit: Permit) -> "PermitState":
        return cls.of_row(tuple(getattr(permit, name) for name in cls.COLUMNS))

    @classmethod
    def of_row(cls, row: tuple) -> "PermitState":
        pk, permit_uuid, number, status, revoked_at, valid_from, valid_until, purged_at = row
        return cls(
            pk,
            str(permit_uuid),
            number,
            status,
            revoked_at.timestamp() if revoked_at else None,
            valid_from,
            valid_until,
            purged_at is not None,
        )

    def verdict(self, today: datetime.date) -> "Verdict":
        if self.status == PermitStatus.REVOKED:
            return Verdict.REVOKED
        if today > self.valid_until:
            return Verdict.EXPIRED
        if today < self.valid_from:
            return Verdict.NOT_YET_IN_FORCE
        return Verdict.VALID


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    permit: Permit | None = None
    failure: str = ""  # why a seal was refused (logs and the command line; never shown to visitors)


def permit_verdict(permit: Permit) -> Verdict:
    return PermitState.of(permit).verdict(timezone.localdate())


class _PublishedKeys:
    """The keyring's public keys, hashed and compared by its fingerprint: the memo below is keyed by
    the set of published keys, so removing a key forgets its seals."""

    __slots__ = ("fingerprint", "keys")

    def __init__(self, keyring):
        self.fingerprint, self.keys = keyring.fingerprint, keyring.verification_keys

    def __hash__(self):
        return hash(self.fingerprint)

    def __eq__(self, other):
        return isinstance(other, _PublishedKeys) and other.fingerprint == self.fingerprint


@lru_cache(maxsize=4096)
def _genuine_seal(keys: _PublishedKeys, text: str) -> seal.PermitClaims:
    """The signed claims of a seal whose signature checks out under the published keys.

    Remembered per process (a signature does not change). Failures raise, and are not remembered:
    garbage cannot fill it."""
    return seal.verify_qr_text(text, keys.keys)


@dataclass(frozen=True)
class SealResult:
    """The verdict of one QR text, with what it rests on."""

    verdict: Verdict
    state: PermitState | None = None
    claims: seal.PermitClaims | None = None
    failure: str = ""  # why it is not genuine (logs, command line, API), never shown to visitors
    malformed: bool = False  # not even a seal of this format (a kind of "not genuine")


def seal_results(*, texts: list[str], today: datetime.date | None = None) -> list[SealResult]:
    """The verdicts of QR texts: signature under a published key, then each permit's status now.

    One path for the verification page, the API (one seal or a batch) and their tests: the statuses
    are read together (one cache round trip, one query for those not cached). A genuine signature
    whose permit this service does not know is refused too: its status cannot be vouched for."""
    today = today or timezone.localdate()
    keys = _PublishedKeys(keyring_load())  # once per batch, not once per seal
    checked: list[seal.PermitClaims | SealResult] = []
    for text in texts:
        try:
            checked.append(_genuine_seal(keys, text))
        except seal.SealError as error:
            logger.info("Seal refused: %s: %s", type(error).__name__, error)
            checked.append(
                SealResult(
                    Verdict.NOT_GENUINE,
                    failure=f"{type(error).__name__}: {error}",
                    malformed=isinstance(error, seal.MalformedSeal),
                )
            )
    states = permit_states({c.permit_id for c in checked if isinstance(c, seal.PermitClaims)})
    results = []
    for item in checked:
        if isinstance(item, SealResult):
            results.append(item)
            continue
        state = states.get(item.permit_id)
        if state is None or state.number != item.number:
            logger.warning("Genuine seal of an unknown permit %s (%s)", item.permit_id, item.number)
            results.append(SealResult(Verdict.NOT_GENUINE, claims=item, failure="unknown permit"))
        else:
            results.append(SealResult(state.verdict(today), state=state, claims=item))
    return results


def seal_state(*, text: str, today: datetime.date | None = None) -> tuple[Verdict, PermitState | None, str]:
    """The verdict of one QR text: (verdict, state, why it is not genuine)."""
    result = seal_results(texts=[text], today=today)[0]
    return result.verdict, result.state, result.failure


def seal_check(*, text: str) -> Verification:
    verdict, state, failure = seal_state(text=text)
    permit = Permit.objects.get(pk=state.pk) if state else None
    return Verification(verdict, permit=permit, failure=failure)


def _state_cache_key(permit_uuid) -> str:
    return f"permit-state:v3:{permit_uuid}"


def permit_state(permit_uuid) -> PermitState | None:
    """From the shared cache, else the database. Every save of a permit (revocation included)
    drops the cached state once committed (`permit_forget`). The short lifetime bounds a missed
    invalidation (Redis unreachable at that moment) and a cache that processes would not share."""
    return permit_states({permit_uuid}).get(permit_uuid)


def permit_states(permit_uuids) -> dict:
    """`permit_state` for many permits: one cache round trip, one query for those not cached."""
    if not permit_uuids:
        return {}
    keys = {_state_cache_key(u): u for u in permit_uuids}
    states = {keys[k]: state for k, state in cache.get_many(list(keys)).items()}
    missing = [u for u in permit_uuids if u not in states]
    if missing:
        # Only the columns the verdict needs: a batch of 1,000 must not build 1,000 model instances.
        rows = Permit.objects.filter(uuid__in=missing).values_list(*PermitState.COLUMNS)
        fresh = {row[1]: PermitState.of_row(row) for row in rows}
        if len(fresh) <= CACHE_WRITE_MAX:
            cache.set_many({_state_cache_key(u): s for u, s in fresh.items()}, timeout=PERMIT_CACHE_SECONDS)
        states.update(fresh)
    return states


def permit_forget(permit: Permit) -> None:
    """Drop the cached state once committed (never inside the write transaction: see core.cache)."""
    permits_forget([permit])


def permits_forget(permits) -> None:
    """`permit_forget` for many permits at once: one cache round trip."""
    cache_forget_on_commit(*(_state_cache_key(permit.uuid) for permit in permits))


def verify_page_cache_key(
    *, verdict: Verdict, state: PermitState | None, language: str, today: datetime.date
) -> str:
    """Everything the public page shows depends on these, and on nothing about the visitor."""
    if state is None:
        return f"verify-page:{verdict}:{language}"
    return f"verify-page:{verdict}:{state.uuid}:{state.status}:{state.revoked_at}:{state.purged}:{language}:{today}"


# APT-<year>-<department>-<8 Crockford Base32 characters> (services.permit_number_new).
PERMIT_NUMBER_RE = re.compile(r"APT(\d{4})([0-9A-Z]{2,3})([0-9A-Z]{8})")
NUMBER_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_./]+")
# Crockford Base32 reads the letters people mistake for digits as those digits.
CROCKFORD_READING = str.maketrans("OIL", "011")


def normalize_number(number: str) -> str:
    """The printed form of a number typed with spaces, other dashes or none, in any case.
    Returns "" when it cannot be a permit number."""
    compact = NUMBER_SEPARATORS.sub("", number).upper()
    found = PERMIT_NUMBER_RE.fullmatch(compact)
    if not found:
        return ""
    year, department, random_part = found.groups()
    return f"APT-{year}-{department}-{random_part.translate(CROCKFORD_READING)}"


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


def decision_letters_downloadable_by(user) -> QuerySet[DecisionLetter]:
    """Signed decision letters of the dossiers the user may see (its parties, the unit's staff)."""
    return DecisionLetter.objects.filter(dossier__in=dossiers_visible_to(user))


def decision_letter_get_for_download(*, user, uuid) -> DecisionLetter | None:
    """The letter whose PDF `user` may download (once produced); None otherwise (the view answers 404)."""
    return decision_letters_downloadable_by(user).exclude(pdf="").filter(uuid=uuid).first()


def permit_get_for_download(*, user, number: str) -> Permit | None:
    """The permit whose PDF `user` may download; None otherwise (the view answers 404)."""
    return permits_downloadable_by(user).exclude(pdf="").filter(number=number).first()


def _is_supervisor(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_supervisor


def permit_revocable_by(*, user, permit: Permit) -> bool:
    return not permit.is_revoked and _is_supervisor(user) and permit.unit_id in user_unit_ids(user)


def permit_get_for_revocation(*, user, number: str) -> Permit | None:
    """Only supervisors of the issuing unit; None for everyone else (the view answers 404: never
    confirm that it exists)."""
    if not _is_supervisor(user):
        return None
    return (
        Permit.objects.select_related("unit", "dossier")
        .filter(number=number, unit_id__in=user_unit_ids(user))
        .first()
    )
